// What a provider call failed with, for tests that expect it to fail with a ProviderError.
import { expect } from "vitest";
import { ProviderError, type ProviderFailure } from "../../src/generative/provider";

export async function providerFailure(run: () => Promise<unknown>): Promise<ProviderFailure> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return (err as ProviderError).failure;
}
