// @vitest-environment node
// AI studio in a real browser at the 300 px width of a narrow Canva panel: the real backend
// (PGlite, the studio engine, development auth) offering AI studio against the local fake of
// Replicate's API (test-support/fake-gpu), which draws a labelled stand-in for each style. The fake
// runs two predictions at a time and fails one style's safety check, so the tiles fill in style by
// style and one style ends missing. Screenshots go to test-artifacts/ (or SHOTS_DIR). Skips
// without Chromium unless REQUIRE_E2E=1.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../../../test-support/chromium";
import { startFakeGpu, type FakeGpu } from "../../../test-support/fake-gpu";
import { startStack, type Stack } from "./processes";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const SHOTS = process.env.SHOTS_DIR ?? path.join(REPO, "test-artifacts");
const FIXTURES = path.join(REPO, "server/test/fixtures");
const PANEL_WIDTH = 300;

describe.skipIf(!chromiumAvailable())("AI studio in the panel (Chromium, real backend, fake GPU)", () => {
  let gpu: FakeGpu;
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Corporate navy fails its safety check twice (it is retried once), so it ends missing.
    gpu = await startFakeGpu({
      kind: "replicate",
      startMs: 300,
      runMs: 1500,
      failWhenPromptIncludes: ["deep navy"],
    });
    stack = await startStack({
      FREE_CREDITS: "10",
      ENGINES: "studio,generative",
      REMOTE_ENGINE_PARALLEL: "2",
      ...gpu.env,
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await gpu?.stop();
  }, 30_000);

  async function openPanel(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: PANEL_WIDTH, height: 900 } });
    page.on("pageerror", (error) => {
      throw new Error(`page error: ${error.message}`);
    });
    await page.goto(`${stack.previewUrl}/?user=ai-studio-${Date.now()}`); // a new user: consent first
    // Only the panel, as narrow as Canva may make it, and as tall as its content.
    await page.addStyleTag({
      content: `html, body, .editor, #panel { height: auto !important; }
        #panel { width: ${PANEL_WIDTH}px !important; } .stage { display: none; }`,
    });
    return page;
  }

  async function shot(page: Page, name: string) {
    await page
      .waitForFunction(() => [...document.images].every((img) => img.complete), null, { timeout: 10_000 })
      .catch(() => {});
    await page.waitForTimeout(600); // App UI Kit's transitions settle
    await page.screenshot({ path: path.join(SHOTS, `panel-ai-${name}.png`), fullPage: true });
  }

  const headshots = (page: Page) => page.getByRole("img", { name: /^Professional headshot/ });

  it("consent per engine, engine choice, tiles filling in, a missing style, AI studio for a cropped photo", async () => {
    const page = await openPanel();
    // The first screen waits for /v1/me, slow while both browser suites' backends warm up.
    await page.getByText(/^AI studio: a smaller copy of your photo/).waitFor({ timeout: 60_000 });
    await shot(page, "00-consent-both-engines");
    // App UI Kit draws its own checkbox over a hidden input: click the labels, as a person would.
    await page.getByText(/I agree to Headshot Studio processing my photo/).click();
    await page.getByText("I am 18 or older").click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Add a photo of yourself").waitFor({ timeout: 60_000 });
    await page.setInputFiles("input[type=file]", path.join(FIXTURES, "one_face_sample1_crop.jpg"));
    await page.getByText("Choose your studio").waitFor();
    await page.getByText("AI studio", { exact: true }).click();
    await page.getByText("Portrait 4:5").click();
    await shot(page, "01-create-both-engines");

    await page.getByRole("button", { name: "Generate 6 headshots · 3 credits" }).click();
    await page.getByText("Creating your headshots", { exact: true }).waitFor();
    // Two predictions at a time: the first styles' tiles fill in while the rest still wait.
    await headshots(page).nth(1).waitFor({ timeout: 60_000 });
    expect(await headshots(page).count()).toBeLessThan(5);
    await shot(page, "02-generating-styles-arriving");

    await page.getByText("1 style couldn't be made").waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByRole("button", { name: /^Professional headshot/ }).count()).toBe(5);
    await shot(page, "03-results-missing-style");
    const sent = gpu.requests.filter((r) => r.method === "POST" && r.path.endsWith("/predictions"));
    expect(sent.length).toBe(7); // six styles and one retry of the failing one

    // A photo cropped at the chin: Instant studio refuses it and offers AI studio, which can
    // draw the shoulders the photo lacks.
    await page.getByRole("button", { name: "Use a different photo" }).click();
    await page.setInputFiles("input[type=file]", path.join(FIXTURES, "astronaut_chin_crop.jpg"));
    await page.getByText("Instant studio", { exact: true }).click();
    await page.getByRole("button", { name: "Generate 6 headshots · 1 credit" }).click();
    await page.getByRole("button", { name: "Try AI studio (3 credits)" }).waitFor({ timeout: 60_000 });
    await shot(page, "04-subject-cropped-try-ai-studio");

    await page.getByRole("button", { name: "Try AI studio (3 credits)" }).click();
    await page.getByText("Creating your headshots", { exact: true }).waitFor();
    await headshots(page).first().waitFor({ timeout: 60_000 });
    await page.close();
    expect(stack.backendLog()).not.toMatch(/"level":50/);
  }, 240_000);
});
