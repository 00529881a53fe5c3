// The Job view's signed links (issue 20): expiry rounded up to a step, so they live at least
// FILE_URL_TTL_S, at most one step longer, never past the output's own expiry; signed once a step.
import { describe, expect, it } from "vitest";
import { jobOutputUrls, linkExpiryStep } from "../../src/jobs/output-urls";
import { verifyFileToken } from "../../src/storage/file-tokens";

const config = { publicBaseUrl: "https://api.example", fileUrlSecret: "s".repeat(32), FILE_URL_TTL_S: 3600 };
const output = {
  id: "6f1c1a52-7c55-4a39-9d3f-0a6c2a3f4b5e",
  expiresAt: new Date("2027-01-08T00:00:00.500Z"),
};

function expiryOf(url: string): number {
  const claims = verifyFileToken(url.split("/files/")[1]!, config.fileUrlSecret, 0);
  if (!claims) throw new Error("not a genuine link");
  return claims.expiresAt;
}

describe("a Job view's signed links", () => {
  it("live at least FILE_URL_TTL_S and at most one step longer", () => {
    expect(linkExpiryStep(3600)).toBe(60);
    expect(linkExpiryStep(60)).toBe(1);
    expect(linkExpiryStep(7 * 24 * 3600)).toBe(60);
    for (const ms of [0, 1, 999, 59_999, 60_000, 123_456]) {
      const now = new Date(Date.UTC(2027, 0, 1) + ms);
      const { url, thumbnailUrl } = jobOutputUrls(config, output, now);
      for (const link of [url, thumbnailUrl]) {
        const lifeS = expiryOf(link) - now.getTime() / 1000;
        expect(lifeS).toBeGreaterThanOrEqual(3600);
        expect(lifeS).toBeLessThan(3660);
      }
    }
  });

  it("never outlive the output", () => {
    const now = new Date(output.expiresAt.getTime() - 1000 * 1000);
    const { url } = jobOutputUrls(config, output, now);
    expect(expiryOf(url)).toBe(Math.floor(output.expiresAt.getTime() / 1000));
  });

  it("are the same links within a step, new ones in the next", () => {
    const at = (s: number) => jobOutputUrls(config, output, new Date(Date.UTC(2027, 0, 1, 0, 0, s)));
    expect(at(1)).toEqual(at(30));
    expect(at(1).url).not.toBe(at(61).url);
    expect(
      jobOutputUrls({ ...config, fileUrlSecret: "t".repeat(32) }, output, new Date(Date.UTC(2027, 0, 1))).url,
    ).not.toBe(at(0).url);
  });
});
