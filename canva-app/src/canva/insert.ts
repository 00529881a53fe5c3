// Putting a generated headshot into the design: upload (always disclosed as app-generated, with
// the exact file facts Canva checks), then place it — by click, by drag, or in place of the
// selected image.
import { upload } from "@canva/asset";
import type { ImageMimeType, ImageRef } from "@canva/asset";
import { addElementAtCursor, addElementAtPoint, ui } from "@canva/design";
import type { ContentDraft } from "@canva/design";
import { features } from "@canva/platform";
import type { Output } from "@headshot/shared";

const MIME_TYPES: readonly string[] = ["image/jpeg", "image/png", "image/webp", "image/heic", "image/tiff"];

function mimeTypeOf(output: Output): ImageMimeType {
  if (!MIME_TYPES.includes(output.mimeType)) throw new Error(`Unsupported output type ${output.mimeType}`);
  return output.mimeType as ImageMimeType;
}

function uploadHeadshot(output: Output, parentRef?: ImageRef) {
  return upload({
    type: "image",
    url: output.url,
    thumbnailUrl: output.thumbnailUrl,
    mimeType: mimeTypeOf(output),
    width: output.width,
    height: output.height,
    // Our engines replace the background with generated content: Canva requires the disclosure.
    aiDisclosure: "app_generated",
    ...(parentRef && { parentRef }),
  });
}

/** Click to add: fixed designs take `addElementAtPoint`, Docs take `addElementAtCursor`. */
export async function addHeadshotToDesign(output: Output, altText: string): Promise<void> {
  const { ref, whenUploaded } = await uploadHeadshot(output);
  const element = { type: "image" as const, ref, altText: { text: altText, decorative: false } };
  if (features.isSupported(addElementAtPoint)) {
    await addElementAtPoint(element);
  } else if (features.isSupported(addElementAtCursor)) {
    await addElementAtCursor(element);
  } else {
    throw new Error("This design does not accept images here.");
  }
  // The element is placed before the upload finishes; awaiting surfaces upload failures.
  await whenUploaded();
}

/** Drag to add: the upload starts only when the image is dropped into the design. */
export function dragHeadshot(event: React.DragEvent<HTMLElement>, output: Output): void {
  const start = features.isSupported(ui.startDragToPoint) ? ui.startDragToPoint : ui.startDragToCursor;
  void start(event, {
    type: "image",
    previewUrl: output.thumbnailUrl,
    previewSize: { width: output.thumbnailWidth, height: output.thumbnailHeight },
    fullSize: { width: output.width, height: output.height },
    resolveImageRef: () => uploadHeadshot(output),
  });
}

/** Swaps the selected image for the headshot made from it, keeping its place and crop. */
export async function replaceSelectedImage(
  output: Output,
  draft: ContentDraft<{ ref: ImageRef }>,
): Promise<void> {
  const content = draft.contents[0];
  if (!content) throw new Error("No image is selected.");
  const { ref, whenUploaded } = await uploadHeadshot(output, content.ref);
  content.ref = ref;
  await draft.save();
  await whenUploaded();
}
