// State of the local preview page outside the app: the toggles a tester flips and everything
// the app asked the (fake) Canva editor to do, in order.
import { useSyncExternalStore } from "react";

export interface DesignEvent {
  /** The SDK call, e.g. "upload", "addElementAtPoint", "requestOpenExternalUrl". */
  call: string;
  args: unknown;
}

interface PreviewState {
  canAcceptPayments: boolean;
  imageSelected: boolean;
  userId: string;
  events: DesignEvent[];
}

const params = new URLSearchParams(window.location.search);
let state: PreviewState = {
  canAcceptPayments: params.get("payments") !== "0",
  imageSelected: false,
  // ?user= lets a tester (or the browser test) start as a fresh user with the free credits.
  userId: params.get("user") ?? "preview-user",
  events: [],
};
const listeners = new Set<() => void>();

export const previewStore = {
  get: () => state,
  set(patch: Partial<PreviewState>) {
    state = { ...state, ...patch };
    listeners.forEach((listener) => listener());
  },
  record(call: string, args: unknown) {
    previewStore.set({ events: [...state.events, { call, args }] });
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function usePreviewState(): PreviewState {
  return useSyncExternalStore(previewStore.subscribe, previewStore.get);
}
