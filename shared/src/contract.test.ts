// The shared contract: the shapes SPEC §4 promises, and a style catalogue both sides can trust.
import { describe, expect, it } from "vitest";
import { ConsentRequest, ERROR_STATUS, JobSchema, MeResponse, STYLES, STYLE_IDS, ASPECTS } from "./index";

describe("style catalogue", () => {
  it("has the six studio styles of SPEC §7.2, each once", () => {
    expect(STYLES.map((s) => s.id)).toEqual([...STYLE_IDS]);
    expect(STYLES).toHaveLength(6);
    expect(STYLES.find((s) => s.id === "classic-bw")?.grade.saturation).toBe(0);
  });

  it("offers square and 4:5 outputs at 1024 px wide", () => {
    expect(ASPECTS).toEqual({ "1:1": { width: 1024, height: 1024 }, "4:5": { width: 1024, height: 1280 } });
  });
});

describe("contract", () => {
  it("maps every error code to the status SPEC §4 gives it", () => {
    expect(ERROR_STATUS).toMatchObject({
      BAD_REQUEST: 400,
      UNAUTHORIZED: 401,
      INSUFFICIENT_CREDITS: 402,
      FORBIDDEN: 403,
      CONSENT_REQUIRED: 403,
      NOT_FOUND: 404,
      CONFLICT: 409,
      PAYLOAD_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      UNPROCESSABLE: 422,
      RATE_LIMITED: 429,
      INTERNAL: 500,
      OVERLOADED: 503,
      UNAVAILABLE: 503,
    });
  });

  it("requires both consent flags to be true", () => {
    expect(
      ConsentRequest.safeParse({ photoProcessing: true, ageConfirmed18: true, policyVersion: "1" }).success,
    ).toBe(true);
    expect(
      ConsentRequest.safeParse({ photoProcessing: true, ageConfirmed18: false, policyVersion: "1" }).success,
    ).toBe(false);
  });

  it("parses the /v1/me shape SPEC §4 documents", () => {
    const me = MeResponse.parse({
      user: { id: "u", restricted: false },
      credits: { balance: 3 },
      billing: { mode: "credits", paymentsEnabled: true, packs: [] },
      consent: {
        given: true,
        policyVersion: "1",
        currentPolicyVersion: "1",
        givenAt: null,
        ageConfirmed18: true,
        trainingConsent: false,
      },
      engines: [
        { id: "studio", credits: 1, typicalSeconds: 5, processedBy: "our_servers" },
        { id: "generative", credits: 3, typicalSeconds: 60, processedBy: "gpu_provider" },
      ],
    });
    expect(me.credits.balance).toBe(3);
    expect(me.engines.map((e) => e.id)).toEqual(["studio", "generative"]);
  });

  it("rejects a job whose status is not one of the five", () => {
    const job = {
      id: "j",
      status: "exploded",
      engine: "generative",
      attire: "business",
      progress: 0,
      stage: "validating",
      styles: [],
      aspects: [],
      createdAt: "",
      finishedAt: null,
      error: null,
      outputs: [],
      missing: [{ style: "classic-bw", reason: "UNSAFE_CONTENT" }],
    };
    expect(JobSchema.safeParse(job).success).toBe(false);
    expect(JobSchema.safeParse({ ...job, status: "queued" }).success).toBe(true);
  });
});
