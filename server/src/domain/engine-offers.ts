// The engines on offer (SPEC §7.1, GET /v1/me): what a job on each costs and how long it usually
// takes, so the panel can say both before the click.
import type { EngineId, EngineOffer } from "@headshot/shared";
import type { Config } from "../config/config";

/** A studio job: one credit, a few seconds including upload and storage. */
export const STUDIO_CREDITS = 1;
const TYPICAL_SECONDS: Record<EngineId, number> = { studio: 5, generative: 60 };

export function creditsFor(config: Pick<Config, "GENERATIVE_CREDITS">, engine: EngineId): number {
  return engine === "generative" ? config.GENERATIVE_CREDITS : STUDIO_CREDITS;
}

export function engineOffers(
  config: Pick<Config, "ENGINES" | "GENERATIVE_CREDITS" | "REMOTE_ENGINE_KIND">,
): EngineOffer[] {
  return config.ENGINES.map((id) => ({
    id,
    credits: creditsFor(config, id),
    typicalSeconds: TYPICAL_SECONDS[id],
    processedBy:
      id === "generative" && config.REMOTE_ENGINE_KIND === "replicate" ? "gpu_provider" : "our_servers",
  }));
}
