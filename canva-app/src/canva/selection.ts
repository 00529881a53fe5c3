// The image selected in the design, as a photo source: whether one is selected, and its bytes
// (downloaded here in the panel — the backend never fetches arbitrary URLs).
import { getTemporaryUrl } from "@canva/asset";
import type { ImageRef } from "@canva/asset";
import { selection } from "@canva/design";
import type { ContentDraft } from "@canva/design";
import { useEffect, useState } from "react";

export type ImageDraft = ContentDraft<{ ref: ImageRef }>;

export interface SelectedImage {
  /** How many images are selected; "Use selected image" needs exactly one. */
  count: number;
  read(): Promise<ImageDraft>;
}

const NOTHING_SELECTED: SelectedImage = {
  count: 0,
  read: () => Promise.reject(new Error("No image is selected.")),
};

export function useSelectedImage(): SelectedImage {
  const [selected, setSelected] = useState<SelectedImage>(NOTHING_SELECTED);
  useEffect(
    () =>
      selection.registerOnChange({
        scope: "image",
        onChange: (event) => setSelected({ count: event.count, read: () => event.read() }),
      }),
    [],
  );
  return selected;
}

/** The selected image's file, fetched at once: temporary URLs are short-lived. */
export async function downloadImage(ref: ImageRef): Promise<Blob> {
  const { url } = await getTemporaryUrl({ type: "image", ref });
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Could not download the selected image (${response.status}).`);
  return response.blob();
}
