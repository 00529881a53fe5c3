// GET /report: the page behind the panel's "Report a bad result" link.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../support/harness";

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ SUPPORT_EMAIL: "help@example.com" });
});
afterAll(() => h?.close());

describe("GET /report", () => {
  it("names the job and how to reach support, under a script-free CSP", async () => {
    const job = "0b6c2a52-6d0f-4a57-9d55-5b0c4f1f9a10";
    const res = await h.app.request(`/report?job=${job}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(job);
    expect(page).toContain("mailto:help@example.com?subject=Bad%20headshot%20result");
    const csp = res.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("script-src");
  });

  it("ignores a job parameter that is not a job id (no reflected markup)", async () => {
    const page = await (await h.app.request("/report?job=%3Cscript%3Ealert(1)%3C/script%3E")).text();
    expect(page).not.toContain("<script>");
    expect(page).toContain("Please include when you created the headshots.");
  });
});
