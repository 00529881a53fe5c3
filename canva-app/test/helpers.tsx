// Test helpers: the app's providers around a component (Canva's test providers, a fake API
// client), and realistic API data built from the shared contract's types.
import { TestAppI18nProvider } from "@canva/app-i18n-kit";
import { TestAppUiProvider } from "@canva/app-ui-kit";
import type { EngineOffer, Job, MeResponse, Output } from "@headshot/shared";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";
import { vi } from "vitest";
import { ApiProvider } from "../src/api/api-context";
import type { ApiClient } from "../src/api/client";

export function renderWithProviders(ui: ReactElement, api: ApiClient = fakeApi()) {
  return render(
    <TestAppI18nProvider>
      <TestAppUiProvider>
        <ApiProvider value={api}>{ui}</ApiProvider>
      </TestAppUiProvider>
    </TestAppI18nProvider>,
  );
}

export function aMe(
  overrides: {
    consent?: boolean;
    balance?: number;
    mode?: "credits" | "canva_premium";
    paymentsEnabled?: boolean;
    /** The engines on offer: studio alone unless a test offers AI studio too. */
    engines?: EngineOffer[];
  } = {},
): MeResponse {
  const {
    consent = true,
    balance = 3,
    mode = "credits",
    paymentsEnabled = true,
    engines = [STUDIO],
  } = overrides;
  return {
    user: { id: "u1", restricted: false },
    credits: { balance },
    billing: {
      mode,
      paymentsEnabled,
      packs: [{ id: "pack-10", name: "10 credits", credits: 10, priceCents: 500, currency: "usd" }],
    },
    consent: {
      given: consent,
      policyVersion: consent ? "1" : null,
      currentPolicyVersion: "1",
      givenAt: consent ? "2025-01-01T00:00:00Z" : null,
      ageConfirmed18: consent,
      trainingConsent: false,
    },
    engines,
  };
}

export const STUDIO: EngineOffer = { id: "studio", credits: 1, typicalSeconds: 5 };
export const AI_STUDIO: EngineOffer = { id: "generative", credits: 3, typicalSeconds: 60 };

export function anOutput(overrides: Partial<Output> = {}): Output {
  return {
    id: "out-1",
    style: "studio-grey",
    aspect: "1:1",
    width: 1024,
    height: 1024,
    mimeType: "image/jpeg",
    url: "https://files.test/files/abc",
    thumbnailUrl: "https://files.test/files/abc-thumb",
    thumbnailWidth: 256,
    thumbnailHeight: 256,
    expiresAt: "2025-02-01T00:00:00Z",
    ...overrides,
  };
}

export function aJob(overrides: Partial<Job> = {}): Job {
  return {
    id: "job-1",
    status: "processing",
    engine: "studio",
    attire: null,
    progress: 0.4,
    stage: "segmenting",
    styles: ["studio-grey"],
    aspects: ["1:1"],
    createdAt: "2025-01-02T00:00:00Z",
    finishedAt: null,
    error: null,
    outputs: [],
    missing: [],
    ...overrides,
  };
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
