// POST /v1/headshots: check what needs no photo, read the upload (paced, capped per user),
// validate it, then take engine capacity, charge the engine's price (or check the Premium
// billable action), create the job and start it on this instance → 202 {job} (SPEC §4, §6, §7).
import { JobResponse } from "@headshot/shared";
import { requirePremiumAction, PREMIUM_USAGE_HEADER } from "../billing/premium";
import { requireConsent } from "../domain/consent";
import { requireCredits } from "../domain/credits";
import { creditsFor, STUDIO_CREDITS } from "../domain/engine-offers";
import { insertPredictions } from "../generative/predictions";
import { countFunnelEvent } from "../domain/funnel";
import { ApiError } from "../http/api-error";
import { errorResponses, type App } from "../http/openapi";
import { createJob, findIdempotentJob, ownJobView } from "../jobs/jobs";
import { readGenerationForm, type GenerationInput } from "../jobs/generation-form";
import { inspectPhoto } from "../jobs/photo-input";
import { requireNotRestricted } from "../privacy/restriction";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function registerV1HeadshotsPost(app: App) {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/v1/headshots",
    tags: ["headshots"],
    summary: "Upload a photo and start a headshot job",
    security: [{ canvaUserToken: [] }],
    request: {
      body: {
        required: true,
        content: {
          "multipart/form-data": {
            schema: {
              type: "object",
              required: ["photo"],
              properties: {
                photo: {
                  type: "string",
                  format: "binary",
                  description: "JPEG, PNG, WebP or HEIC, ≤ MAX_UPLOAD_MB",
                },
                styles: {
                  type: "string",
                  description: "style ids, comma-separated or repeated; default all six",
                },
                aspects: { type: "string", description: "1:1 and/or 4:5; default both" },
                engine: {
                  type: "string",
                  enum: ["studio", "generative"],
                  description: "studio (default) or generative where GET /v1/me offers it",
                },
                attire: {
                  type: "string",
                  enum: ["own", "business", "smart_casual"],
                  description: "generative only; default business",
                },
              },
            },
          },
        },
      },
    },
    responses: {
      202: { description: "The job", content: { "application/json": { schema: JobResponse } } },
      ...errorResponses(400, 401, 402, 403, 408, 413, 415, 422, 429, 503),
    },
  });

  app.post("/v1/headshots", async (c) => {
    const { db, config, clock, runner, generative, uploads, instanceId } = c.get("services");
    const user = c.get("user");

    // Everything that needs no photo is answered before a byte of it is read.
    const premium =
      config.BILLING_MODE === "canva_premium"
        ? requirePremiumAction(c.get("identity"), c.req.header(PREMIUM_USAGE_HEADER))
        : undefined;
    requireNotRestricted(user);
    await requireConsent(db, user.id);
    const idempotencyKey = c.req.header("Idempotency-Key");
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ApiError("BAD_REQUEST", "Idempotency-Key must be 1 to 255 visible ASCII characters.");
    }
    if (idempotencyKey) {
      const first = await findIdempotentJob(db, user.id, idempotencyKey, clock.now());
      if (first) return c.json({ job: await ownJobView(db, user.id, first.id, config, clock.now()) }, 202);
    }
    // The engine is chosen in the form, not yet read: the cheapest engine's price is checked now.
    if (!premium) requireCredits(user.creditBalance, STUDIO_CREDITS);
    if (!runner.hasCapacity()) throw overloaded();

    const slot = uploads.take(user.id);
    if (slot === "instance") throw overloaded();
    if (slot === "user") {
      throw new ApiError(
        "RATE_LIMITED",
        `You already have ${config.UPLOADS_PER_USER} photos uploading. Wait for them to finish, then try again.`,
        { headers: { "Retry-After": "5" } },
      );
    }
    let form: GenerationInput;
    try {
      await countFunnelEvent(db, "upload_started", clock.now());
      form = await readGenerationForm(c.req.raw, {
        maxPhotoBytes: config.maxUploadBytes,
        pace: {
          deadlineMs: config.UPLOAD_TIMEOUT_S * 1000,
          minBytesPerSecond: config.UPLOAD_MIN_BYTES_PER_S,
        },
      });
    } finally {
      slot.release();
    }
    await inspectPhoto(form.photo);
    if (form.engine === "generative" && !generative) {
      throw new ApiError("BAD_REQUEST", "AI studio is not available on this server; use the studio engine.");
    }
    const credits = creditsFor(config, form.engine);
    if (!premium) requireCredits(user.creditBalance, credits);

    // Engine capacity is taken only now that the photo is here: a slow upload holds none.
    const reservation = runner.reserve();
    if (!reservation) throw overloaded();
    try {
      const { job, replayed } = await createJob(
        db,
        {
          user,
          styles: form.styles,
          aspects: form.aspects,
          engine: form.engine,
          attire: form.attire,
          credits,
          instanceId,
          idempotencyKey,
          premiumUsageId: premium?.premiumUsageId,
          ...(form.engine === "generative" ? { withJob: insertPredictions } : {}),
        },
        clock.now(),
      );
      if (!replayed) {
        if (job.engine === "generative" && generative) generative.start(job, form.photo);
        else runner.start(job, form.photo, reservation);
      }
      return c.json({ job: await ownJobView(db, user.id, job.id, config, clock.now()) }, 202);
    } finally {
      reservation.release(); // a no-op once the job started on it
    }
  });
}

function overloaded(): ApiError {
  return new ApiError(
    "OVERLOADED",
    "We're creating a lot of headshots right now. Please try again in a few seconds.",
    { headers: { "Retry-After": "5" } },
  );
}
