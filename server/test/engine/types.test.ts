import { describe, expectTypeOf, it } from "vitest";
import type { EngineImage, EngineMetadata, EngineResult } from "../../src/engine/types";

/** Every property name reachable from T (byte arrays are leaves). */
type DeepKeys<T> = T extends Uint8Array
  ? never
  : T extends readonly (infer U)[]
    ? DeepKeys<U>
    : T extends object
      ? { [K in keyof T & string]: K | DeepKeys<T[K]> }[keyof T & string]
      : never;

type IdentityWords =
  `${string}${"mbedding" | "escriptor" | "emplate" | "dentity" | "ncoding" | "eature"}${string}`;

describe("engine output types", () => {
  it("carry no embedding, descriptor or identity template anywhere", () => {
    expectTypeOf<Extract<DeepKeys<EngineResult>, IdentityWords>>().toEqualTypeOf<never>();
    // The check itself must bite: a type with an embedding is caught.
    expectTypeOf<
      Extract<DeepKeys<{ face: { embedding: number[] } }>, IdentityWords>
    >().toEqualTypeOf<"embedding">();
  });

  it("expose only image bytes and framing geometry", () => {
    expectTypeOf<keyof EngineImage>().toEqualTypeOf<
      "style" | "aspect" | "width" | "height" | "mimeType" | "data" | "thumbnail"
    >();
    expectTypeOf<keyof EngineMetadata>().toEqualTypeOf<
      | "sourceWidth"
      | "sourceHeight"
      | "upscale"
      | "upscaled"
      | "rollDegrees"
      | "tiltDegrees"
      | "padded"
      | "whiteBalance"
      | "durationMs"
      | "stageMs"
    >();
  });
});
