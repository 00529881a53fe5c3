// Realistic API data built from the shared contract's types. Free of the DOM, so the browser
// tests (node environment) can script a backend with it too.
import type { EngineOffer, Job, MeResponse, Output } from "@headshot/shared";

export function aMe(
  overrides: {
    consent?: boolean;
    balance?: number;
    mode?: "credits" | "canva_premium";
    paymentsEnabled?: boolean;
    /** The engines on offer: studio alone unless a test offers AI studio too. */
    engines?: EngineOffer[];
  } = {},
): MeResponse {
  const {
    consent = true,
    balance = 3,
    mode = "credits",
    paymentsEnabled = true,
    engines = [STUDIO],
  } = overrides;
  return {
    user: { id: "u1", restricted: false },
    credits: { balance },
    billing: {
      mode,
      paymentsEnabled,
      packs: [{ id: "pack-10", name: "10 credits", credits: 10, priceCents: 500, currency: "usd" }],
    },
    consent: {
      given: consent,
      policyVersion: consent ? "1" : null,
      currentPolicyVersion: "1",
      givenAt: consent ? "2025-01-01T00:00:00Z" : null,
      ageConfirmed18: consent,
      trainingConsent: false,
    },
    engines,
  };
}

export const STUDIO: EngineOffer = {
  id: "studio",
  credits: 1,
  typicalSeconds: 5,
  processedBy: "our_servers",
};
/** AI studio on a hosted GPU provider (Replicate). */
export const AI_STUDIO: EngineOffer = {
  id: "generative",
  credits: 3,
  typicalSeconds: 60,
  processedBy: "gpu_provider",
};

export function anOutput(overrides: Partial<Output> = {}): Output {
  return {
    id: "out-1",
    style: "studio-grey",
    aspect: "1:1",
    width: 1024,
    height: 1024,
    mimeType: "image/jpeg",
    url: "https://files.test/files/abc",
    thumbnailUrl: "https://files.test/files/abc-thumb",
    thumbnailWidth: 256,
    thumbnailHeight: 256,
    expiresAt: "2025-02-01T00:00:00Z",
    ...overrides,
  };
}

export function aJob(overrides: Partial<Job> = {}): Job {
  return {
    id: "job-1",
    status: "processing",
    engine: "studio",
    attire: null,
    progress: 0.4,
    stage: "segmenting",
    styles: ["studio-grey"],
    aspects: ["1:1"],
    createdAt: "2025-01-02T00:00:00Z",
    finishedAt: null,
    error: null,
    outputs: [],
    missing: [],
    ...overrides,
  };
}
