// The one construction of the Stripe client (SPEC §2: only the billing module talks to Stripe).
// STRIPE_API_BASE points it elsewhere, e.g. at the loopback fake the tests run. The package is
// loaded only when a key is configured: a server selling nothing through Stripe starts without it.
import type Stripe from "stripe";
import type { Config } from "../config/config";

export type StripeClient = Stripe;

/** A client for STRIPE_SECRET_KEY, or undefined when this server sells nothing through Stripe. */
export async function createStripeClient(
  config: Pick<Config, "STRIPE_SECRET_KEY" | "STRIPE_API_BASE">,
): Promise<StripeClient | undefined> {
  if (!config.STRIPE_SECRET_KEY) return undefined;
  const { default: Stripe } = await import("stripe");
  const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : undefined;
  const protocol = base?.protocol === "http:" ? "http" : "https";
  return new Stripe(config.STRIPE_SECRET_KEY, {
    // Creating a checkout is a user waiting on a click: fail fast and let them click again.
    maxNetworkRetries: 0,
    ...(base && {
      host: base.hostname,
      port: base.port || (protocol === "http" ? 80 : 443),
      protocol,
    }),
  });
}
