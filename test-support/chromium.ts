// Debian's Chromium for the browser end-to-end tests of every workspace: where it is, whether the
// suite may skip without it (not when REQUIRE_E2E=1, as in CI), and the flags it needs here
// (root, no GPU, no network but loopback — PLATFORM.md).
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** True when the browser suites can run; throws when they must run but can't. */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM_PATH);
  if (!available && process.env.REQUIRE_E2E === "1") {
    throw new Error(
      `REQUIRE_E2E=1 but there is no Chromium at ${CHROMIUM_PATH}: apt-get install -y chromium`,
    );
  }
  return available;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
