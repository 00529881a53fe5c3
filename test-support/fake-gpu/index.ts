// A local fake of each deployment of the generative engine's predictions contract (SPEC §7.3).
export {
  DEFAULT_BEHAVIOUR,
  FAKE_COG_TOKEN,
  FAKE_REPLICATE_SECRET,
  FAKE_REPLICATE_TOKEN,
  startFakeGpu,
} from "./fake-gpu";
export { SAFETY_ERROR } from "./predictions";
export type * from "./types";
