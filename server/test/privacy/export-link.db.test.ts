// The export's download link: the panel opens it in a browser tab, where no Canva token exists.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserExport } from "@headshot/shared";
import { createHarness, type Harness } from "../support/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ PUBLIC_BASE_URL: "https://api.headshot.test" });
});
afterAll(() => h?.close());

async function exportOf(headers: Record<string, string>) {
  const res = await h.app.request("/v1/me/export", { headers });
  expect(res.status).toBe(200);
  const doc = UserExport.parse(await res.json());
  return { ...doc, downloadUrl: doc.downloadUrl! };
}

describe("export download link", () => {
  it("serves the caller's export as a file for ten minutes, without a token", async () => {
    const user = await h.user();
    const doc = await exportOf(user.headers);
    const path = new URL(doc.downloadUrl).pathname;
    expect(doc.downloadUrl.startsWith("https://api.headshot.test/exports/")).toBe(true);

    const res = await h.app.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Disposition")).toContain("attachment");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const downloaded = (await res.json()) as Record<string, unknown>;
    expect(UserExport.parse(downloaded).user.id).toBe(doc.user.id);
    // The file holds no link of its own: a download must not mint a fresh ten-minute link.
    expect(downloaded).not.toHaveProperty("downloadUrl");

    h.clock.advance(10 * 60 * 1000 + 1000);
    try {
      expect((await h.app.request(path)).status).toBe(404);
    } finally {
      h.clock.advance(-(10 * 60 * 1000 + 1000));
    }
  });

  it("refuses a link pointed at another user or re-signed by a guess", async () => {
    const a = await h.user();
    const b = await h.user();
    const linkA = new URL((await exportOf(a.headers)).downloadUrl).pathname.split("/").pop()!;
    const idB = (await exportOf(b.headers)).user.id;
    const [, expiry, signature] = linkA.split(".");
    for (const forged of [
      `${idB}.${expiry}.${signature}`,
      `${linkA.slice(0, -3)}AAA`,
      "nope",
      `${linkA}.x`,
    ]) {
      expect((await h.app.request(`/exports/${forged}`)).status, forged).toBe(404);
    }
  });

  it("stops working once the account is erased", async () => {
    const user = await h.user();
    const path = new URL((await exportOf(user.headers)).downloadUrl).pathname;
    expect((await h.app.request("/v1/me", { method: "DELETE", headers: user.headers })).status).toBe(200);
    expect((await h.app.request(path)).status).toBe(404);
  });
});
