// Putting a headshot into the design: the upload carries the AI disclosure and the exact file
// facts, the element placed is that upload's ref, and dragging defers the upload to the drop.
import { upload } from "@canva/asset";
import type { ImageRef } from "@canva/asset";
import { addElementAtPoint, selection, ui } from "@canva/design";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Photo } from "../src/screens/create/photo";
import { ResultsScreen } from "../src/screens/results/results-screen";
import { aJob, anOutput, renderWithProviders } from "./helpers";

const photo: Photo = {
  blob: new Blob(["x"]),
  fileName: "me.jpg",
  previewUrl: "blob:me",
  source: { kind: "file" },
};
const output = anOutput({
  id: "o-navy",
  style: "corporate-navy",
  aspect: "4:5",
  width: 1024,
  height: 1280,
  mimeType: "image/png",
  url: "https://files.test/files/navy-full",
  thumbnailUrl: "https://files.test/files/navy-thumb",
  thumbnailWidth: 256,
  thumbnailHeight: 320,
});
const job = aJob({ status: "succeeded", progress: 1, stage: "storing", outputs: [output] });

function renderResults() {
  renderWithProviders(
    <ResultsScreen
      job={job}
      aspect="4:5"
      photo={photo}
      showCredits
      onGenerateAgain={() => {}}
      onNewPhoto={() => {}}
    />,
  );
  return screen.getByRole("button", { name: "Professional headshot, Corporate navy style" });
}

describe("adding a headshot to the design", () => {
  it("uploads with aiDisclosure app_generated and the exact url, type and size, then places that ref", async () => {
    await userEvent.setup().click(renderResults());

    await waitFor(() => expect(addElementAtPoint).toHaveBeenCalled());
    expect(upload).toHaveBeenCalledWith({
      type: "image",
      url: "https://files.test/files/navy-full",
      thumbnailUrl: "https://files.test/files/navy-thumb",
      mimeType: "image/png",
      width: 1024,
      height: 1280,
      aiDisclosure: "app_generated",
    });
    expect(addElementAtPoint).toHaveBeenCalledWith({
      type: "image",
      ref: "uploaded-ref",
      altText: { text: "Professional headshot, Corporate navy style", decorative: false },
    });
  });

  it("drags with a preview of the thumbnail and uploads only when dropped", async () => {
    // jsdom has no DataTransfer; ImageCard sets its own drag image on it.
    fireEvent.dragStart(renderResults(), { dataTransfer: { setDragImage: () => {}, setData: () => {} } });

    expect(ui.startDragToPoint).toHaveBeenCalledTimes(1);
    const [, config] = firstCallOf(ui.startDragToPoint);
    expect(config).toMatchObject({
      type: "image",
      previewUrl: "https://files.test/files/navy-thumb",
      previewSize: { width: 256, height: 320 },
      fullSize: { width: 1024, height: 1280 },
    });
    expect(upload).not.toHaveBeenCalled();

    await expect(config.resolveImageRef()).resolves.toMatchObject({ ref: "uploaded-ref" });
    expect(upload).toHaveBeenCalledWith(
      expect.objectContaining({ aiDisclosure: "app_generated", url: output.url }),
    );
  });
});

describe("replacing the selected image", () => {
  const fromDesign: Photo = { ...photo, source: { kind: "selection", ref: "source-ref" as ImageRef } };

  function selectImage(ref: string) {
    vi.mocked(selection.registerOnChange).mockImplementation(({ onChange }) => {
      const draft = { contents: [{ ref: ref as ImageRef }], save: vi.fn(async () => {}) };
      (onChange as (event: unknown) => void)({ scope: "image", count: 1, read: async () => draft });
      return () => {};
    });
  }

  function renderFromDesign() {
    renderWithProviders(
      <ResultsScreen
        job={job}
        aspect="4:5"
        photo={fromDesign}
        showCredits
        onGenerateAgain={() => {}}
        onNewPhoto={() => {}}
      />,
    );
  }

  it("is offered while the selected image is the one the photo came from", async () => {
    selectImage("source-ref");
    renderFromDesign();
    expect(await screen.findByText("Replace selected image")).toBeTruthy();
  });

  it("is not offered when another image is selected", async () => {
    selectImage("some-other-ref");
    renderFromDesign();
    await screen.findByRole("button", { name: "Professional headshot, Corporate navy style" });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(screen.queryByText("Replace selected image")).toBeNull();
  });
});

type DragConfig = { resolveImageRef(): Promise<unknown> };

function firstCallOf(fn: typeof ui.startDragToPoint) {
  return vi.mocked(fn).mock.calls[0] as unknown as [unknown, DragConfig];
}
