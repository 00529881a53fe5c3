// The simulated design: images the app placed (with the upload options Canva would have
// received, AI disclosure included), the toggles a tester needs, and the raw call log.
import { Rows, Switch, Text, Title } from "@canva/app-ui-kit";
import type { DesignEvent } from "./preview-store";
import { previewStore, usePreviewState } from "./preview-store";
import { dropPendingDrag } from "./sdk-environment";

/* eslint-disable formatjs/no-literal-string-in-jsx -- the preview is a developer tool outside
   Canva and is never translated; only the app in the panel goes through react-intl. */

interface UploadArgs {
  ref: string;
  url: string;
  width: number;
  height: number;
  mimeType: string;
  aiDisclosure: string;
  parentRef?: string;
}

/** Elements on the page: an upload, once placed by a click, a drop, or a replacement. */
function placedImages(events: DesignEvent[]): (UploadArgs & { how: string })[] {
  const uploads = new Map<string, UploadArgs>();
  const placed: (UploadArgs & { how: string })[] = [];
  for (const { call, args } of events) {
    if (call === "upload") uploads.set((args as UploadArgs).ref, args as UploadArgs);
    const ref =
      call === "addElementAtPoint" || call === "addElementAtCursor" || call === "drop"
        ? (args as { ref: string }).ref
        : call === "draft.save"
          ? (args as { contents: { ref: string }[] }).contents[0]?.ref
          : undefined;
    const upload = ref ? uploads.get(ref) : undefined;
    if (upload) placed.push({ ...upload, how: call });
  }
  return placed;
}

export function DesignArea() {
  const state = usePreviewState();
  const placed = placedImages(state.events);
  return (
    <Rows spacing="2u">
      <Title size="small">Simulated design</Title>
      <div
        className="page"
        data-testid="design-page"
        onDragOver={(event) => event.preventDefault()}
        onDrop={(event) => {
          event.preventDefault();
          void dropPendingDrag();
        }}
      >
        {placed.length === 0 && (
          <Text tone="tertiary">Click or drag a headshot from the panel to place it here.</Text>
        )}
        {placed.map((image, i) => (
          <figure key={`${image.ref}-${i}`} className="element" data-testid="design-element">
            <div
              className="element-image"
              role="img"
              aria-label={`${image.how} ${image.ref}`}
              style={{
                backgroundImage: `url(${image.url})`,
                aspectRatio: `${image.width} / ${image.height}`,
              }}
            />
            <figcaption>
              {image.how} · {image.mimeType} · {image.width}×{image.height} · aiDisclosure:{" "}
              {image.aiDisclosure}
              {image.parentRef ? ` · replaces ${image.parentRef}` : ""}
            </figcaption>
          </figure>
        ))}
      </div>
      <Switch
        label="canAcceptPayments (getPlatformInfo)"
        value={state.canAcceptPayments}
        onChange={(canAcceptPayments) => previewStore.set({ canAcceptPayments })}
      />
      <Switch
        label="An image is selected in the design"
        value={state.imageSelected}
        onChange={(imageSelected) => previewStore.set({ imageSelected })}
      />
      <Text size="small" tone="tertiary">
        Preview user: {state.userId} (add ?user=NAME to the address to start as another user)
      </Text>
      <Title size="xsmall">SDK calls</Title>
      <pre className="log" data-testid="sdk-log">
        {state.events.map((e) => `${e.call} ${JSON.stringify(e.args, omitFunctions)}`).join("\n")}
      </pre>
    </Rows>
  );
}

function omitFunctions(_key: string, value: unknown) {
  return typeof value === "function" ? "[function]" : value;
}
