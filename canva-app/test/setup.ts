// Runs before every test file. Each @canva package reads `window.canva_sdk` when imported, so
// the SDK test environments are installed first; then the SDK packages the app calls are
// replaced by mocks (all but @canva/error, whose real CanvaError the error paths need).
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";

// The UI kit copies each alert's text into a screen-reader live region for a moment; a text query
// must find what is on screen, not also that copy (a regex would match both, now and then).
configure({ defaultIgnore: "script, style, [aria-live]" });

if (typeof window !== "undefined") {
  const { initTestEnvironment: initError } = await import("@canva/error/test");
  const { initTestEnvironment: initAsset } = await import("@canva/asset/test");
  const { initTestEnvironment: initDesign } = await import("@canva/design/test");
  const { initTestEnvironment: initPlatform } = await import("@canva/platform/test");
  const { initTestEnvironment: initUser } = await import("@canva/user/test");
  const { initTestEnvironment: initIntents } = await import("@canva/intents/test");
  initError();
  initAsset();
  initDesign();
  initPlatform();
  initUser();
  initIntents();
}

vi.mock("@canva/platform", () => ({
  getPlatformInfo: vi.fn(() => ({ canAcceptPayments: true })),
  requestOpenExternalUrl: vi.fn(async () => ({ status: "completed" })),
  features: { isSupported: vi.fn(() => true), registerOnSupportChange: vi.fn(() => () => {}) },
}));

vi.mock("@canva/asset", () => ({
  upload: vi.fn(async () => ({ ref: "uploaded-ref", whenUploaded: async () => {} })),
  getTemporaryUrl: vi.fn(async () => ({
    type: "image",
    ref: "selected-ref",
    url: "https://canva.test/selected.jpg",
  })),
}));

vi.mock("@canva/design", () => ({
  addElementAtPoint: vi.fn(async () => {}),
  addElementAtCursor: vi.fn(async () => {}),
  selection: { registerOnChange: vi.fn(() => () => {}) },
  ui: { startDragToPoint: vi.fn(async () => {}), startDragToCursor: vi.fn(async () => {}) },
}));

vi.mock("@canva/user", () => ({
  auth: { getCanvaUserToken: vi.fn(async () => "test-token") },
  monetization: {
    isEnabled: vi.fn(async () => true),
    requestEnableBillableAction: vi.fn(async () => ({ status: "granted" })),
    openTrackingSession: vi.fn(async () => ({ id: "usage-1", closeTrackingSession: vi.fn(async () => {}) })),
  },
}));

afterEach(() => {
  cleanup();
  // Back to each mock's own implementation, so one test's overrides never leak into the next.
  vi.resetAllMocks();
});
