// Canva's test-harness pattern: every SDK package's test environment, then the few fakes the
// preview needs to be useful — real user tokens from the backend's development issuer, a
// simulated design that records what the app sent, and the payments / selection toggles.
// Imported before anything else: each @canva package reads `window.canva_sdk` when imported.
import { initTestEnvironment as initAsset } from "@canva/asset/test";
import { initTestEnvironment as initDesign } from "@canva/design/test";
import { initTestEnvironment as initError } from "@canva/error/test";
import { initTestEnvironment as initIntents } from "@canva/intents/test";
import { initTestEnvironment as initPlatform } from "@canva/platform/test";
import { initTestEnvironment as initUser } from "@canva/user/test";
import { previewStore } from "./preview-store";

initError();
initAsset();
initDesign();
initPlatform();
initUser();
initIntents();

/**
 * The fake clients' methods are non-writable (so plain assignment fails, even on an object
 * inheriting from them): derive an object and define the overrides on it.
 */
function extend<T extends object>(original: T, overrides: Record<string, unknown>): T {
  const derived = Object.create(original) as T;
  for (const [key, value] of Object.entries(overrides)) {
    Object.defineProperty(derived, key, { value, enumerable: true });
  }
  return derived;
}

interface ImageDraft {
  contents: { ref: string }[];
  save(): Promise<void>;
}
type SelectionListener = (event: { scope: "image"; count: number; read(): Promise<ImageDraft> }) => void;

const SELECTED_REF = "preview-selected-photo";
const selectionListeners = new Set<SelectionListener>();
let uploads = 0;
/** The drag the app started, resolved when something is dropped on the design area. */
let pendingDrag: { resolveImageRef(): Promise<{ ref: string }> } | null = null;

function notifySelection() {
  const count = previewStore.get().imageSelected ? 1 : 0;
  const read = async (): Promise<ImageDraft> => {
    const draft: ImageDraft = {
      contents: count ? [{ ref: SELECTED_REF }] : [],
      save: async () => previewStore.record("draft.save", { contents: draft.contents }),
    };
    return draft;
  };
  selectionListeners.forEach((listener) => listener({ scope: "image", count, read }));
}
let lastSelected = previewStore.get().imageSelected;
previewStore.subscribe(() => {
  if (previewStore.get().imageSelected !== lastSelected) {
    lastSelected = previewStore.get().imageSelected;
    notifySelection();
  }
});

/** Called by the design area's drop handler: finishes a drag the way Canva would. */
export async function dropPendingDrag(): Promise<void> {
  const drag = pendingDrag;
  pendingDrag = null;
  if (!drag) return;
  const { ref } = await drag.resolveImageRef();
  previewStore.record("drop", { ref });
}

const sdk = (window as unknown as { canva_sdk: Record<string, { v2: Record<string, object> }> }).canva_sdk;
const v2 = (pkg: string) => sdk[pkg]?.v2 as Record<string, object>;

v2("user").authentication = extend(v2("user").authentication as object, {
  getCanvaUserToken: async () => {
    const response = await fetch(`${BACKEND_URL}/dev/token`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // billableActions makes Canva Premium mode work too; credits mode ignores it.
      body: JSON.stringify({
        userId: previewStore.get().userId,
        brandId: "preview-brand",
        billableActions: ["generate_image"],
      }),
    });
    if (!response.ok)
      throw new Error(`Development token refused (${response.status}): is the backend running?`);
    return ((await response.json()) as { token: string }).token;
  },
});

v2("platform").platform = extend(v2("platform").platform as object, {
  getPlatformInfo: () => ({ canAcceptPayments: previewStore.get().canAcceptPayments }),
  requestOpenExternalUrl: async (options: { url: string }) => {
    previewStore.record("requestOpenExternalUrl", options);
    return { status: "completed" };
  },
});

v2("asset").content = extend(v2("asset").content as object, {
  upload: async (options: unknown) => {
    uploads += 1;
    const ref = `preview-upload-${uploads}`;
    previewStore.record("upload", { ref, ...(options as object) });
    return { ref, whenUploaded: () => Promise.resolve() };
  },
  getTemporaryUrl: async (options: { ref: string }) => ({
    type: "image",
    ref: options.ref,
    url: new URL("/sample.jpg", window.location.href).href,
  }),
});

const interaction = v2("design").designInteraction as object;
v2("design").designInteraction = extend(interaction, {
  addElementAtPoint: async (element: unknown) => previewStore.record("addElementAtPoint", element),
  addElementAtCursor: async (element: unknown) => previewStore.record("addElementAtCursor", element),
  selection: {
    registerOnChange: ({ onChange }: { onChange: SelectionListener }) => {
      selectionListeners.add(onChange);
      notifySelection();
      return () => selectionListeners.delete(onChange);
    },
  },
});

v2("design").dragAndDrop = extend(v2("design").dragAndDrop as object, {
  startDragToPoint: async (_event: unknown, config: { resolveImageRef(): Promise<{ ref: string }> }) => {
    pendingDrag = config;
    previewStore.record("startDragToPoint", config);
  },
});
