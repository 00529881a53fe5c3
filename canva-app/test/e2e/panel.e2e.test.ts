// @vitest-environment node
// The whole journey in a real browser (Debian's Chromium via playwright-core): the real backend
// (PGlite in a temp DATA_DIR, studio engine, development auth) and the local preview page.
// Screenshots of every screen go to test-artifacts/. Skips without Chromium unless REQUIRE_E2E=1.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../../../test-support/chromium";
import { startStack, type Stack } from "./processes";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const ARTIFACTS = path.join(REPO, "test-artifacts");
const FIXTURES = path.join(REPO, "server/test/fixtures");
const available = chromiumAvailable();

describe.skipIf(!available)("panel end to end (Chromium)", () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // One free credit: the happy path spends it, so the next Generate meets "out of credits".
    stack = await startStack({ FREE_CREDITS: "1" });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 30_000);

  async function openPanel(user: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.on("pageerror", (error) => {
      throw new Error(`page error: ${error.message}`);
    });
    await page.goto(`${stack.previewUrl}/?user=${user}-${Date.now()}`);
    return page;
  }

  async function giveConsent(page: Page) {
    await page.getByText("What happens to your photo").waitFor();
    // App UI Kit draws its own checkbox over a hidden input: click the labels, as a person would.
    await page.getByText(/I agree to Headshot Studio processing my photo/).click();
    await page.getByText("I am 18 or older").click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByText("Add a photo of yourself").waitFor();
  }

  async function shot(page: Page, name: string) {
    // Let App UI Kit's transitions (tabs, alerts) settle so the picture shows the screen at rest.
    await page.waitForTimeout(600);
    await page.screenshot({ path: path.join(ARTIFACTS, `panel-${name}.png`) });
  }

  it("consent → upload → six headshots → click one into the design; then out of credits", async () => {
    const page = await openPanel("e2e");
    await page.getByText("What happens to your photo").waitFor();
    await shot(page, "01-consent");
    await giveConsent(page);
    await shot(page, "02-photo-input");

    await page.setInputFiles("input[type=file]", path.join(FIXTURES, "one_face_sample1_crop.jpg"));
    await page.getByText("Uses 1 of 1 Headshot Studio credit").waitFor();
    await shot(page, "03-styles");

    await page.getByRole("button", { name: "Generate 6 headshots" }).click();
    await page.getByText("Creating your headshots", { exact: true }).waitFor();
    await shot(page, "04-generating");

    await page.getByText("Your headshots", { exact: true }).waitFor({ timeout: 120_000 });
    const cards = page.getByRole("button", { name: /^Professional headshot, .* style$/ });
    await expect.poll(() => cards.count()).toBe(6);
    // Let the thumbnails load before the picture is taken.
    await page
      .waitForFunction(() => [...document.images].every((img) => img.complete), null, { timeout: 10_000 })
      .catch(() => {});
    await page.waitForTimeout(500);
    await shot(page, "05-results");

    await cards.first().click();
    await page.getByTestId("design-element").first().waitFor();
    const calls = await sdkCalls(page);
    const upload = calls.find((c) => c.call === "upload")?.args;
    const placed = calls.find((c) => c.call === "addElementAtPoint")?.args;
    expect(upload).toMatchObject({ type: "image", aiDisclosure: "app_generated", mimeType: "image/jpeg" });
    expect(upload?.url).toMatch(/^http:\/\/localhost:\d+\/files\//);
    expect([upload?.width, upload?.height]).toEqual([1024, 1024]);
    expect(placed).toMatchObject({ type: "image", ref: upload?.ref, altText: { decorative: false } });
    await page.waitForTimeout(800);
    await shot(page, "06-added-to-design");

    await page.getByRole("tab", { name: "History" }).click();
    await page.getByText(/Kept until/).waitFor();
    await shot(page, "07-history");
    await page.getByRole("button", { name: "Delete these headshots now" }).click();
    await page.getByText("Delete these headshots now?").waitFor();
    await shot(page, "07-history-delete-confirm");
    await page.getByRole("button", { name: "Keep them" }).click();
    await page.getByRole("button", { name: "Delete these headshots now" }).waitFor();

    await page.getByRole("tab", { name: "Account" }).click();
    await page.getByText(/You have 0 Headshot Studio credits/).waitFor();
    await shot(page, "08-account");

    await page.getByRole("tab", { name: "Create" }).click();
    await page.getByRole("button", { name: "Generate again" }).click();
    await page.getByRole("button", { name: "Generate 6 headshots" }).click();
    await page.getByText("Not enough Headshot Studio credits").waitFor();
    await shot(page, "09-out-of-credits");
    await page.close();
  }, 240_000);

  it("a photo without a face comes back with tips for a good photo", async () => {
    const page = await openPanel("e2e-noface");
    await giveConsent(page);
    await page.setInputFiles("input[type=file]", path.join(FIXTURES, "coffee.png"));
    await page.getByRole("button", { name: "Generate 6 headshots" }).click();
    await page
      .getByText(/couldn't find a face/)
      .first()
      .waitFor({ timeout: 120_000 });
    await shot(page, "10-no-face");
    await page.close();
  }, 180_000);

  it("a face-only crop comes back with the sentence and an example of a good photo", async () => {
    const page = await openPanel("e2e-cropped");
    await giveConsent(page);
    await page.setInputFiles("input[type=file]", path.join(FIXTURES, "astronaut_chin_crop.jpg"));
    await page.getByRole("button", { name: "Generate 6 headshots" }).click();
    await page
      .getByText(/cropped too close.*head and shoulders/)
      .first()
      .waitFor({ timeout: 120_000 });
    await page.getByRole("img", { name: "Example: a photo showing head and shoulders" }).waitFor();
    await shot(page, "11-subject-cropped");
    // The credit came back: the balance is the one free credit again.
    await page.getByRole("tab", { name: "Account" }).click();
    await page.getByText(/You have 1 Headshot Studio credit/).waitFor();
    await page.close();
  }, 180_000);
});

interface SdkCall {
  call: string;
  args: Record<string, unknown> & { url?: string; ref?: string; width?: number; height?: number };
}

/** The preview's log of SDK calls, one `call {json}` per line. */
async function sdkCalls(page: Page): Promise<SdkCall[]> {
  const text = await page.getByTestId("sdk-log").innerText();
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const space = line.indexOf(" ");
      return { call: line.slice(0, space), args: JSON.parse(line.slice(space + 1)) as SdkCall["args"] };
    });
}
