// AI studio on the Create tab: the engine choice only where the server offers it, the price said
// before the click, what is sent, and AI studio offered for a photo the studio engine found
// cropped too close — with the same photo, not a new one.
import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CreateFlow } from "../src/screens/create/create-flow";
import type { MeResponse } from "@headshot/shared";
import type { ApiClient } from "../src/api/client";
import type { Sleep } from "../src/screens/generating/poll-job";
import {
  AI_STUDIO,
  aJob,
  aMe,
  fakeApi,
  loadImagesAtOnce,
  noWait,
  pickPhoto,
  renderWithProviders,
  STUDIO,
} from "./helpers";

afterEach(() => vi.unstubAllGlobals());

const bothEngines = (overrides: Parameters<typeof aMe>[0] = {}) =>
  aMe({ engines: [STUDIO, AI_STUDIO], ...overrides });

/** The Create tab; `wait` replaces the poller's sleep (noWait only for jobs that end on the first poll). */
function renderFlow(me: MeResponse, api: ApiClient = fakeApi(), wait?: Sleep) {
  return renderWithProviders(
    <CreateFlow me={me} onBalanceChanged={() => {}} onBuyCredits={() => {}} {...(wait && { wait })} />,
    api,
  );
}

describe("engine choice", () => {
  it("is not shown when the server offers only the studio engine", async () => {
    renderFlow(aMe());
    await pickPhoto();
    expect(await screen.findByRole("button", { name: "Generate 6 headshots" })).toBeTruthy();
    expect(screen.queryByRole("radio", { name: /AI studio/ })).toBeNull();
    expect(screen.queryByText("Choose your studio")).toBeNull();
  });

  it("offers both engines with price, duration and what each does; the button states the price", async () => {
    renderFlow(bothEngines());
    const user = await pickPhoto();

    const instant = await screen.findByRole("radio", { name: /Instant studio/ });
    expect((instant as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText("1 credit · a few seconds")).toBeTruthy();
    expect(screen.getByText("3 credits · about a minute")).toBeTruthy();
    expect(screen.getByText(/Keeps your clothes/)).toBeTruthy();
    expect(screen.getByText(/new outfit and studio scene/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Generate 6 headshots · 1 credit" })).toBeTruthy();
    expect(screen.queryByRole("radio", { name: "Business" })).toBeNull();

    await user.click(screen.getByRole("radio", { name: /AI studio/ }));
    expect(screen.getByRole("button", { name: "Generate 6 headshots · 3 credits" })).toBeTruthy();
    expect((screen.getByRole("radio", { name: "Business" }) as HTMLInputElement).checked).toBe(true);
    expect(screen.getByText("Uses 3 of 3 Headshot Studio credits")).toBeTruthy();
  });

  it("says before the click when the balance doesn't cover AI studio", async () => {
    renderFlow(bothEngines({ balance: 1 }));
    const user = await pickPhoto();
    await user.click(await screen.findByRole("radio", { name: /AI studio/ }));
    expect(screen.getByText("This needs 3 Headshot Studio credits. You have 1.")).toBeTruthy();
  });

  it("Canva Premium: the choice shows no credits, the button no price", async () => {
    renderFlow(bothEngines({ mode: "canva_premium" }));
    await pickPhoto();
    expect(await screen.findByText("about a minute")).toBeTruthy();
    expect(screen.queryByText(/credit/)).toBeNull();
    expect(screen.getByRole("button", { name: "Generate 6 headshots" })).toBeTruthy();
  });

  it("sends the engine and the outfit chosen", async () => {
    const api = fakeApi({ createHeadshots: vi.fn(async () => aJob({ status: "queued" })) });
    renderFlow(bothEngines(), api);
    const user = await pickPhoto();
    await user.click(await screen.findByRole("radio", { name: /AI studio/ }));
    await user.click(screen.getByRole("radio", { name: "Smart casual" }));
    await user.click(screen.getByRole("button", { name: "Generate 6 headshots · 3 credits" }));

    await waitFor(() => expect(api.createHeadshots).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.createHeadshots).mock.calls[0]?.[0]).toMatchObject({
      engine: "generative",
      attire: "smart_casual",
    });
  });
});

describe("a photo cropped too close for the studio engine", () => {
  const cropped = aJob({
    status: "failed",
    stage: "framing",
    error: { code: "UNPROCESSABLE", reason: "SUBJECT_CROPPED", message: "x" },
  });

  it("offers AI studio at its price, which starts the same photo on the generative engine", async () => {
    loadImagesAtOnce();
    const createHeadshots = vi
      .fn()
      .mockResolvedValueOnce(aJob({ status: "queued" }))
      .mockResolvedValueOnce(aJob({ id: "job-2", status: "queued", engine: "generative" }));
    // The AI studio job is then still running when the test ends: its poll never answers.
    const getJob = vi
      .fn()
      .mockResolvedValueOnce(cropped)
      .mockReturnValue(new Promise(() => {}));
    const api = fakeApi({ createHeadshots, getJob });
    renderFlow(bothEngines(), api, noWait);
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots · 1 credit" }));
    expect(await screen.findByText(/cropped too close/)).toBeTruthy();
    expect(await screen.findByAltText("Example: a photo showing head and shoulders")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Try AI studio (3 credits)" }));
    await waitFor(() => expect(createHeadshots).toHaveBeenCalledTimes(2));
    const [first, second] = createHeadshots.mock.calls.map(([input]) => input as Record<string, unknown>);
    expect(second).toMatchObject({ engine: "generative", attire: "business" });
    expect(second?.photo).toBe(first?.photo);
    expect(second?.idempotencyKey).not.toBe(first?.idempotencyKey);
    expect(await screen.findByText("Creating your headshots")).toBeTruthy();
  });

  it("offers nothing more than a new photo where AI studio isn't on offer", async () => {
    const api = fakeApi({
      createHeadshots: vi.fn(async () => aJob({ status: "queued" })),
      getJob: vi.fn(async () => cropped),
    });
    renderFlow(aMe(), api, noWait);
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    expect(await screen.findByText(/cropped too close/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: /AI studio/ })).toBeNull();
  });
});
