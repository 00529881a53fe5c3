// AI studio while it runs and after: a tile per style that fills in as the polled job gains that
// style's headshot, styles the job couldn't make said plainly (with why), and the honest word on
// the price of a partly made set.
import { act, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { STYLE_IDS } from "@headshot/shared";
import type { Job, StyleId } from "@headshot/shared";
import { useState } from "react";
import { GeneratingScreen } from "../src/screens/generating/generating-screen";
import { POLL_INTERVAL_MS } from "../src/screens/generating/poll-job";
import { ResultsScreen } from "../src/screens/results/results-screen";
import { aJob, anOutput, fakeApi, loadImagesAtOnce, renderWithProviders } from "./helpers";

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const generative = (overrides: Partial<Job> = {}) =>
  aJob({
    engine: "generative",
    attire: "business",
    stage: "generating",
    progress: 0.1,
    styles: [...STYLE_IDS],
    aspects: ["4:5"],
    ...overrides,
  });

const portrait = (style: StyleId) =>
  anOutput({ id: `out-${style}`, style, aspect: "4:5", width: 1024, height: 1280 });

const alt = (name: string) => `Professional headshot, ${name} style`;

/** The generating step as the create flow holds it: each polled job replaces the one shown. */
function FollowedJob({ first }: { first: Job }) {
  const [job, setJob] = useState(first);
  return (
    <GeneratingScreen
      job={job}
      typicalSeconds={60}
      onUpdate={setJob}
      onEnd={() => {}}
      onPollError={() => {}}
      onCancel={() => {}}
      canceling={false}
    />
  );
}

describe("generating with AI studio", () => {
  it("shows one labelled tile per style and fills each in as its headshot arrives", async () => {
    vi.useFakeTimers();
    loadImagesAtOnce();
    const getJob = vi
      .fn()
      .mockResolvedValueOnce(generative({ progress: 0.3, outputs: [portrait("studio-grey")] }))
      .mockResolvedValue(
        generative({
          progress: 0.6,
          outputs: [portrait("studio-grey"), portrait("warm-beige"), portrait("classic-bw")],
          missing: [{ style: "low-key-dark", reason: "UNSAFE_CONTENT" }],
        }),
      );
    renderWithProviders(<FollowedJob first={generative()} />, fakeApi({ getJob }));
    const tick = async () => {
      await act(() => vi.advanceTimersByTimeAsync(POLL_INTERVAL_MS));
      await act(() => vi.advanceTimersByTimeAsync(0)); // the thumbnails "load"
    };

    expect(screen.getByText("Photographing you in each studio…")).toBeTruthy();
    expect(screen.getByText(/usually takes about a minute/)).toBeTruthy();
    for (const name of ["Studio grey", "Warm beige", "Classic black and white", "Low-key dark"]) {
      expect(screen.getByText(name)).toBeTruthy();
    }
    expect(screen.queryAllByRole("img")).toHaveLength(0);

    await tick();
    expect(screen.getByAltText(alt("Studio grey"))).toBeTruthy();
    expect(screen.queryByAltText(alt("Warm beige"))).toBeNull();

    await tick();
    for (const name of ["Studio grey", "Warm beige", "Classic black and white"]) {
      expect(screen.getByAltText(alt(name))).toBeTruthy();
    }
    expect(screen.getByText("Couldn't be made: stopped by the safety filter")).toBeTruthy();
    expect(screen.queryByAltText(alt("Corporate navy"))).toBeNull();
  });
});

describe("results of a partly made AI studio set", () => {
  const partial = generative({
    status: "succeeded",
    progress: 1,
    styles: [...STYLE_IDS],
    outputs: STYLE_IDS.slice(0, 4).map(portrait),
    missing: [
      { style: "corporate-navy", reason: "TIMEOUT" },
      { style: "classic-bw", reason: "FAILED" },
    ],
  });
  const renderResults = (job: Job, showCredits: boolean) =>
    renderWithProviders(
      <ResultsScreen
        job={job}
        aspect="4:5"
        photo={{ blob: new Blob(["x"]), fileName: "me.jpg", previewUrl: "blob:me", source: { kind: "file" } }}
        showCredits={showCredits}
        onGenerateAgain={() => {}}
        onNewPhoto={() => {}}
      />,
    );

  it("names each missing style with its reason and says the credits aren't refunded", () => {
    renderResults(partial, true);
    expect(screen.getByText("2 styles couldn't be made")).toBeTruthy();
    expect(screen.getByText("Corporate navy: took too long")).toBeTruthy();
    expect(screen.getByText("Classic black and white: the AI model didn't manage it")).toBeTruthy();
    expect(screen.getByText(/credits aren't refunded/)).toBeTruthy();
  });

  it("says nothing about credits in Canva Premium mode", () => {
    renderResults(partial, false);
    expect(screen.getByText("2 styles couldn't be made")).toBeTruthy();
    expect(screen.queryByText(/credit/)).toBeNull();
  });

  it("says nothing when every style was made", () => {
    renderResults({ ...partial, missing: [] }, true);
    expect(screen.queryByText(/couldn't be made/)).toBeNull();
  });
});
