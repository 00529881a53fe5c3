// Everything money touches on the Canva side (SPEC §8.2): whether payment links may be shown,
// opening a link outside Canva, and Canva Premium's billable-action flow.
import { getPlatformInfo, requestOpenExternalUrl } from "@canva/platform";
import { monetization } from "@canva/user";

/** False on platforms where no payment call-to-action may be rendered (e.g. some mobile apps). */
export function canAcceptPayments(): boolean {
  return getPlatformInfo().canAcceptPayments;
}

/** Opens a URL in the user's browser after Canva's own confirmation. Call only from a click. */
export async function openExternalUrl(url: string): Promise<"completed" | "aborted"> {
  const { status } = await requestOpenExternalUrl({ url });
  return status;
}

export interface PremiumSession {
  /** Sent to our backend as `Canva-Premium-Usage-Id`. */
  usageId: string;
  close(): Promise<void>;
}

const ACTION = "generate_image";

/**
 * Canva Premium mode: makes sure generating images is enabled for this user (asking them if
 * needed) and opens the tracking session for one generation. `null` when the user declined.
 */
export async function startPremiumGeneration(): Promise<PremiumSession | null> {
  if (!(await monetization.isEnabled(ACTION))) {
    const { status } = await monetization.requestEnableBillableAction(ACTION);
    if (status !== "granted") return null;
  }
  const session = await monetization.openTrackingSession({ action: ACTION });
  return { usageId: session.id, close: () => session.closeTrackingSession() };
}
