// What the panel is told about billing: the mode, and the packs on sale (none under Canva
// Premium, where no off-platform credit system may be shown — SPEC §8.2).
import type { CreditPackView } from "@headshot/shared";
import type { Config } from "../config/config";

export function paymentsEnabled(config: Pick<Config, "BILLING_MODE" | "STRIPE_SECRET_KEY">): boolean {
  return config.BILLING_MODE === "credits" && Boolean(config.STRIPE_SECRET_KEY);
}

export function packsOnSale(config: Pick<Config, "BILLING_MODE" | "CREDIT_PACKS">): CreditPackView[] {
  return config.BILLING_MODE === "credits" ? config.CREDIT_PACKS : [];
}
