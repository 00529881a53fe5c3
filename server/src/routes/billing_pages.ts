// GET /billing/success and /billing/cancel: where Stripe Checkout sends the buyer back. Small
// branded pages saying to return to Canva; they grant nothing (credits come only by webhook).
import { CANCEL_PATH, SUCCESS_PATH } from "../billing";
import { brandedPage, sendPage } from "../http/branded-page";
import type { App } from "../http/openapi";

const SUCCESS = brandedPage(
  "Thank you! Your payment went through",
  [
    "Return to Canva and open Headshot Studio: your credits appear there as soon as Stripe confirms the payment, usually within a few seconds.",
  ],
  "You can close this tab.",
);

const CANCEL = brandedPage(
  "Checkout canceled",
  ["Nothing was charged. Return to Canva to keep using Headshot Studio; you can buy credits any time."],
  "You can close this tab.",
);

export function registerBillingPages(app: App) {
  app.get(SUCCESS_PATH, (c) => sendPage(c, SUCCESS));
  app.get(CANCEL_PATH, (c) => sendPage(c, CANCEL));
}
