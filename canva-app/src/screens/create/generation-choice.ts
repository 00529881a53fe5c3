// What the user asks for when they press Generate: which styles, which shape, which engine and,
// for AI studio, which outfit. One submit intent is one choice (create-flow.tsx keys retries by it).
import { DEFAULT_ATTIRE, STYLES } from "@headshot/shared";
import type { Aspect, Attire, EngineId, EngineOffer, StyleId } from "@headshot/shared";

export interface GenerationChoice {
  styles: StyleId[];
  aspect: Aspect;
  engine: EngineId;
  /** Sent only with the generative engine; the studio engine keeps the photo's own clothes. */
  attire: Attire;
}

export const DEFAULT_CHOICE: GenerationChoice = {
  styles: STYLES.map((s) => s.id),
  aspect: "1:1",
  engine: "studio",
  attire: DEFAULT_ATTIRE,
};

/** The offer (price, typical duration) of an engine, if the server has it on offer. */
export function offerOf(offers: readonly EngineOffer[], engine: EngineId): EngineOffer | undefined {
  return offers.find((offer) => offer.id === engine);
}
