// Consent to photo processing and the 18+ confirmation, versioned by policy (SPEC §9). The latest
// un-withdrawn consent for the current policy version is what counts.
import { and, desc, eq, isNull } from "drizzle-orm";
import { CURRENT_POLICY_VERSION, type ConsentState } from "@headshot/shared";
import type { DbOrTx } from "../db/client";
import { consents } from "../db/schema";
import { ApiError } from "../http/api-error";

/** What of a consent decides the consent state. */
export type ConsentFacts = Pick<
  typeof consents.$inferSelect,
  "policyVersion" | "photoProcessing" | "ageConfirmed18" | "givenAt"
>;

export async function consentState(db: DbOrTx, userId: string): Promise<ConsentState> {
  const [latest] = await db
    .select()
    .from(consents)
    .where(and(eq(consents.userId, userId), isNull(consents.withdrawnAt)))
    .orderBy(desc(consents.givenAt))
    .limit(1);
  return consentStateOf(latest);
}

/** The consent state given the latest un-withdrawn consent (read with the user, users.ts). */
export function consentStateOf(latest: ConsentFacts | null | undefined): ConsentState {
  const current =
    latest?.photoProcessing === true &&
    latest.ageConfirmed18 &&
    latest.policyVersion === CURRENT_POLICY_VERSION;
  return {
    given: current,
    policyVersion: latest?.policyVersion ?? null,
    currentPolicyVersion: CURRENT_POLICY_VERSION,
    givenAt: latest?.givenAt.toISOString() ?? null,
    ageConfirmed18: latest?.ageConfirmed18 ?? false,
    trainingConsent: false,
  };
}

export async function recordConsent(
  db: DbOrTx,
  userId: string,
  input: { policyVersion: string; photoProcessing: true; ageConfirmed18: true },
  now: Date,
): Promise<ConsentState> {
  if (input.policyVersion !== CURRENT_POLICY_VERSION) {
    throw new ApiError(
      "CONFLICT",
      `The privacy notice changed (version ${CURRENT_POLICY_VERSION}). Please review it again.`,
    );
  }
  await db.insert(consents).values({
    userId,
    policyVersion: input.policyVersion,
    photoProcessing: true,
    ageConfirmed18: true,
    givenAt: now,
  });
  return consentState(db, userId);
}

/** Generation's gate: consent and age for the current policy, else 403 CONSENT_REQUIRED. */
export async function requireConsent(db: DbOrTx, userId: string): Promise<void> {
  const state = await consentState(db, userId);
  if (!state.given) {
    throw new ApiError(
      "CONSENT_REQUIRED",
      "Please agree to photo processing and confirm you are 18 or older before generating headshots.",
      { reason: state.ageConfirmed18 ? undefined : "AGE_NOT_CONFIRMED" },
    );
  }
}
