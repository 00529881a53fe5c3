// @vitest-environment node
// AI studio's screens in a real browser, at the 300 px width of a narrow Canva panel: the panel's
// preview page against a scripted backend (scripted-backend.ts), since the states shown here —
// outputs arriving style by style, missing styles — are the generative engine's. Screenshots go to
// test-artifacts/ (or SHOTS_DIR). Skips without Chromium unless REQUIRE_E2E=1.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Job, Output, StyleId } from "@headshot/shared";
import { STYLE_IDS } from "@headshot/shared";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../../../test-support/chromium";
import { AI_STUDIO, aJob, aMe, anOutput, STUDIO } from "../api-data";
import { freePort, stop, waitForHttp } from "./processes";
import { startScriptedBackend } from "./scripted-backend";
import type { ScriptedBackend } from "./scripted-backend";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const SHOTS = process.env.SHOTS_DIR ?? path.join(REPO, "test-artifacts");
const PHOTO = path.join(REPO, "server/test/fixtures/one_face_sample1_crop.jpg");
const PANEL_WIDTH = 300;

describe.skipIf(!chromiumAvailable())("AI studio in the panel (Chromium, scripted backend)", () => {
  const outDir = mkdtempSync(path.join(tmpdir(), "headshot-ai-e2e-"));
  let panel: ChildProcess;
  let backend: ScriptedBackend;
  let browser: Browser;
  let previewUrl: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const [backendPort, previewPort] = [await freePort(), await freePort()];
    backend = await startScriptedBackend(backendPort, PHOTO, {
      me: aMe({ consent: false, balance: 5, engines: [STUDIO, AI_STUDIO] }),
      created: aJob(),
      polls: [],
    });
    previewUrl = `http://localhost:${previewPort}`;
    panel = spawn(
      process.execPath,
      [
        "scripts/dev-server.mjs",
        "--port",
        String(previewPort),
        "--backend",
        backend.url,
        "--out",
        outDir,
        "--once",
      ],
      { cwd: path.join(REPO, "canva-app"), stdio: "ignore" },
    );
    await waitForHttp(`${previewUrl}/preview.js`);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (panel) await stop(panel);
    await backend?.close();
    rmSync(outDir, { recursive: true, force: true });
  }, 30_000);

  const outputsFor = (styles: readonly StyleId[]): Output[] =>
    styles.map((style) =>
      anOutput({
        id: `out-${style}`,
        style,
        aspect: "4:5",
        width: 1024,
        height: 1280,
        url: `${backend.url}/files/${style}.jpg`,
        thumbnailUrl: `${backend.url}/files/${style}-thumb.jpg`,
      }),
    );
  const generative = (overrides: Partial<Job>) =>
    aJob({
      id: "job-ai",
      engine: "generative",
      attire: "business",
      stage: "generating",
      styles: [...STYLE_IDS],
      aspects: ["4:5"],
      ...overrides,
    });

  async function openPanel(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: PANEL_WIDTH, height: 900 } });
    page.on("pageerror", (error) => {
      throw new Error(`page error: ${error.message}`);
    });
    await page.goto(previewUrl);
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

  it("consent per engine, engine choice, tiles filling in, missing styles, AI studio for a cropped photo", async () => {
    const page = await openPanel();
    await page.getByText(/^AI studio: a smaller copy of your photo/).waitFor();
    await shot(page, "00-consent-both-engines");
    // App UI Kit draws its own checkbox over a hidden input: click the labels, as a person would.
    await page.getByText(/I agree to Headshot Studio processing my photo/).click();
    await page.getByText("I am 18 or older").click();
    backend.me = aMe({ balance: 5, engines: [STUDIO, AI_STUDIO] });
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Add a photo of yourself").waitFor();
    await page.setInputFiles("input[type=file]", PHOTO);
    await page.getByText("Choose your studio").waitFor();
    await page.getByText("AI studio", { exact: true }).click();
    await page.getByText("Portrait 4:5").click();
    await page.getByRole("button", { name: "Generate 6 headshots · 3 credits" }).waitFor();
    await shot(page, "01-create-both-engines");

    backend.created = generative({ status: "queued", progress: 0 });
    backend.polls = [
      generative({
        progress: 0.5,
        outputs: outputsFor(STYLE_IDS.slice(0, 3)),
        missing: [{ style: "corporate-navy", reason: "TIMEOUT" }],
      }),
    ];
    await page.getByRole("button", { name: "Generate 6 headshots · 3 credits" }).click();
    await page.getByText("Creating your headshots", { exact: true }).waitFor();
    await page
      .getByRole("img", { name: /^Professional headshot/ })
      .nth(2)
      .waitFor();
    expect(backend.posts.at(-1)).toMatchObject({ engine: "generative", attire: "business", aspects: "4:5" });
    await shot(page, "02-generating-3-of-6");

    backend.polls = [
      generative({
        status: "succeeded",
        progress: 1,
        stage: "storing",
        outputs: outputsFor(STYLE_IDS.filter((style) => style !== "corporate-navy")),
        missing: [{ style: "corporate-navy", reason: "TIMEOUT" }],
      }),
    ];
    await page.getByText("1 style couldn't be made").waitFor();
    await expect.poll(() => page.getByRole("button", { name: /^Professional headshot/ }).count()).toBe(5);
    await shot(page, "03-results-missing-style");

    await page.getByRole("button", { name: "Generate again" }).click();
    await page.getByText("Instant studio", { exact: true }).click();
    backend.created = aJob({ id: "job-studio", status: "queued", styles: [...STYLE_IDS], aspects: ["4:5"] });
    backend.polls = [
      aJob({
        id: "job-studio",
        status: "failed",
        stage: "framing",
        error: { code: "UNPROCESSABLE", reason: "SUBJECT_CROPPED", message: "Cropped too close" },
      }),
    ];
    await page.getByRole("button", { name: "Generate 6 headshots · 1 credit" }).click();
    await page.getByRole("button", { name: "Try AI studio (3 credits)" }).waitFor();
    await shot(page, "04-subject-cropped-try-ai-studio");

    backend.created = generative({ id: "job-ai-2", status: "queued", progress: 0 });
    backend.polls = [generative({ id: "job-ai-2", progress: 0.1 })];
    await page.getByRole("button", { name: "Try AI studio (3 credits)" }).click();
    await page.getByText("Creating your headshots", { exact: true }).waitFor();
    const [studioPost, aiPost] = backend.posts.slice(-2);
    expect(studioPost).toMatchObject({ engine: "studio" });
    expect(aiPost).toMatchObject({ engine: "generative", attire: "business", photo: studioPost?.photo });
    await page.close();
  }, 180_000);
});
