// Test helpers: the app's providers around a component (Canva's test providers, a fake API
// client), and the API data of api-data.ts.
import { TestAppI18nProvider } from "@canva/app-i18n-kit";
import { TestAppUiProvider } from "@canva/app-ui-kit";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";
import { vi } from "vitest";
import { ApiProvider } from "../src/api/api-context";
import type { ApiClient } from "../src/api/client";
import { aJob, aMe } from "./api-data";

export { AI_STUDIO, aJob, aMe, anOutput, STUDIO } from "./api-data";

export function renderWithProviders(ui: ReactElement, api: ApiClient = fakeApi()) {
  return render(
    <TestAppI18nProvider>
      <TestAppUiProvider>
        <ApiProvider value={api}>{ui}</ApiProvider>
      </TestAppUiProvider>
    </TestAppI18nProvider>,
  );
}

/** Every API method as a mock; a test overrides what it exercises. */
export function fakeApi(overrides: Partial<ApiClient> = {}): ApiClient {
  return {
    me: vi.fn(async () => aMe()),
    giveConsent: vi.fn(async () => aMe().consent),
    createHeadshots: vi.fn(async () => aJob()),
    getJob: vi.fn(async () => aJob()),
    listJobs: vi.fn(async () => ({ jobs: [], nextCursor: null })),
    cancelJob: vi.fn(async () => aJob({ status: "canceled" })),
    deleteJob: vi.fn(async () => {}),
    packs: vi.fn(async () => aMe().billing.packs),
    checkout: vi.fn(async () => "https://checkout.test/session"),
    exportMyData: vi.fn(async () => ({ jobs: [], consents: [] })),
    deleteMe: vi.fn(async () => ({ receiptId: "rcpt-1", erasedAt: "2025-01-03T00:00:00Z" })),
    ...overrides,
  };
}

/** App UI Kit buttons stay focusable when disabled: they say so with aria-disabled. */
export function isDisabled(element: HTMLElement): boolean {
  return element.getAttribute("aria-disabled") === "true" || (element as HTMLButtonElement).disabled;
}

/**
 * jsdom loads no images, and App UI Kit's ImageCard renders its <img> only once `new Image()` has
 * loaded the URL: with this, every image "loads" at once, so tests can find ImageCards by alt text.
 * Undo with `vi.unstubAllGlobals()`.
 */
export function loadImagesAtOnce() {
  vi.stubGlobal(
    "Image",
    class {
      onload: (() => void) | null = null;
      onerror: (() => void) | null = null;
      set src(_url: string) {
        queueMicrotask(() => this.onload?.());
      }
    },
  );
}

/** A `wait` for the poller, only for jobs that end on the first poll: it would otherwise spin. */
export const noWait = async () => {};

/** Picks a photo in the photo step's file input, as a user would; returns that user. */
export async function pickPhoto(file = new File(["jpeg"], "me.jpg", { type: "image/jpeg" })) {
  const user = userEvent.setup({ applyAccept: false });
  const input = document.querySelector<HTMLInputElement>("input[type=file]");
  if (!input) throw new Error("no file input");
  await user.upload(input, file);
  return user;
}
