// The Create journey around Generate: defaults, the cost line, what is sent, out-of-credits,
// a photo the engine rejects, and Canva Premium's tracking session.
import { getPlatformInfo, requestOpenExternalUrl } from "@canva/platform";
import { monetization } from "@canva/user";
import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { CreateFlow } from "../src/screens/create/create-flow";
import { App } from "../src/app";
import { aJob, aMe, fakeApi, loadImagesAtOnce, noWait, pickPhoto, renderWithProviders } from "./helpers";

afterEach(() => vi.unstubAllGlobals());

describe("create flow", () => {
  it("selects all six styles, shows the cost by name, and sends one aspect", async () => {
    const api = fakeApi({ createHeadshots: vi.fn(async () => aJob({ status: "queued" })) });
    renderWithProviders(
      <CreateFlow me={aMe({ balance: 3 })} onBalanceChanged={() => {}} onBuyCredits={() => {}} />,
      api,
    );

    const user = await pickPhoto();
    expect(await screen.findByText("Uses 1 of 3 Headshot Studio credits")).toBeTruthy();
    expect(screen.getAllByRole("checkbox").filter((c) => (c as HTMLInputElement).checked)).toHaveLength(6);
    await user.click(screen.getByRole("radio", { name: "Portrait 4:5" }));
    await user.click(screen.getByRole("button", { name: "Generate 6 headshots" }));

    await waitFor(() => expect(api.createHeadshots).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.createHeadshots).mock.calls[0]?.[0]).toMatchObject({
      styles: ["studio-grey", "high-key-white", "low-key-dark", "warm-beige", "corporate-navy", "classic-bw"],
      aspects: ["4:5"],
      premiumUsageId: undefined,
    });
    expect(await screen.findByText("Creating your headshots")).toBeTruthy();
  });

  it("refuses a file that is too large before uploading anything", async () => {
    const api = fakeApi();
    renderWithProviders(<CreateFlow me={aMe()} onBalanceChanged={() => {}} onBuyCredits={() => {}} />, api);
    const big = new File([new Uint8Array(16 * 1024 * 1024)], "big.jpg", { type: "image/jpeg" });
    await pickPhoto(big);
    expect(await screen.findByText(/larger than 15 MB/)).toBeTruthy();
    expect(api.createHeadshots).not.toHaveBeenCalled();
  });

  it("out of credits: says so and offers Buy credits", async () => {
    const onBuyCredits = vi.fn();
    const api = fakeApi({
      createHeadshots: vi.fn().mockRejectedValue(new ApiError("INSUFFICIENT_CREDITS", "x")),
    });
    renderWithProviders(
      <CreateFlow me={aMe({ balance: 0 })} onBalanceChanged={() => {}} onBuyCredits={onBuyCredits} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    expect(await screen.findByText("Not enough Headshot Studio credits")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Buy credits" }));
    expect(onBuyCredits).toHaveBeenCalled();
  });

  it("out of credits where payments aren't allowed: says to buy in a browser, no buy button", async () => {
    vi.mocked(getPlatformInfo).mockReturnValue({ canAcceptPayments: false });
    const onBuyCredits = vi.fn();
    const api = fakeApi({
      createHeadshots: vi.fn().mockRejectedValue(new ApiError("INSUFFICIENT_CREDITS", "x", { status: 402 })),
    });
    renderWithProviders(
      <CreateFlow me={aMe({ balance: 0 })} onBalanceChanged={() => {}} onBuyCredits={onBuyCredits} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    expect(await screen.findByText("Headshot Studio credits can be bought in a web browser.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /buy/i })).toBeNull();
    expect(onBuyCredits).not.toHaveBeenCalled();
    expect(requestOpenExternalUrl).not.toHaveBeenCalled();
  });

  it("Canva Premium never offers to buy credits", async () => {
    const api = fakeApi({
      createHeadshots: vi.fn().mockRejectedValue(new ApiError("INSUFFICIENT_CREDITS", "x", { status: 402 })),
    });
    renderWithProviders(
      <CreateFlow me={aMe({ mode: "canva_premium" })} onBalanceChanged={() => {}} onBuyCredits={() => {}} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    expect(await screen.findByText("Not enough Headshot Studio credits")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /buy/i })).toBeNull();
  });

  it("a lost response retried with Try again reuses the Idempotency-Key", async () => {
    const createHeadshots = vi
      .fn()
      .mockRejectedValueOnce(new ApiError("NETWORK", "fetch failed"))
      .mockRejectedValueOnce(new ApiError("UNAVAILABLE", "down", { status: 503 }))
      .mockResolvedValueOnce(aJob({ status: "queued" }))
      .mockRejectedValue(new ApiError("UNAUTHORIZED", "expired", { status: 401 }));
    const api = fakeApi({ createHeadshots, getJob: vi.fn(async () => aJob({ status: "canceled" })) });
    renderWithProviders(
      <CreateFlow me={aMe()} onBalanceChanged={() => {}} onBuyCredits={() => {}} wait={noWait} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    await user.click(await screen.findByRole("button", { name: "Try again" }));
    await waitFor(() => expect(createHeadshots).toHaveBeenCalledTimes(2));
    await user.click(await screen.findByRole("button", { name: "Try again" }));
    await waitFor(() => expect(createHeadshots).toHaveBeenCalledTimes(3));
    const keys = () =>
      createHeadshots.mock.calls.map(([input]) => (input as { idempotencyKey: string }).idempotencyKey);
    expect(new Set(keys()).size).toBe(1);

    // Accepted (202), then canceled: generating again is a new request with a new key…
    expect(await screen.findByText("Canceled. Your Headshot Studio credit is back.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Generate 6 headshots" }));
    await waitFor(() => expect(createHeadshots).toHaveBeenCalledTimes(4));
    expect(keys()[3]).not.toBe(keys()[0]);
    // …and after a definite 4xx, so is the next one.
    await user.click(await screen.findByRole("button", { name: "Try again" }));
    await waitFor(() => expect(createHeadshots).toHaveBeenCalledTimes(5));
    expect(keys()[4]).not.toBe(keys()[3]);
  });

  it("a changed style choice is a new request with a new key", async () => {
    const createHeadshots = vi.fn().mockRejectedValue(new ApiError("NETWORK", "fetch failed"));
    const api = fakeApi({ createHeadshots });
    renderWithProviders(<CreateFlow me={aMe()} onBalanceChanged={() => {}} onBuyCredits={() => {}} />, api);
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    await screen.findByRole("button", { name: "Try again" });
    await user.click(screen.getByRole("radio", { name: "Portrait 4:5" }));
    await user.click(screen.getByRole("button", { name: "Generate 6 headshots" }));
    await waitFor(() => expect(createHeadshots).toHaveBeenCalledTimes(2));
    const [first, second] = createHeadshots.mock.calls.map(
      ([input]) => (input as { idempotencyKey: string }).idempotencyKey,
    );
    expect(second).not.toBe(first);
  });

  it("consent missing on the server: Start over leads back to the consent gate", async () => {
    const me = vi.fn(async () => aMe());
    const api = fakeApi({
      me,
      createHeadshots: vi.fn().mockRejectedValue(new ApiError("CONSENT_REQUIRED", "x", { status: 403 })),
    });
    renderWithProviders(<App />, api);
    await screen.findByText("Add a photo of yourself");
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    me.mockResolvedValue(aMe({ consent: false }));
    await user.click(await screen.findByRole("button", { name: "Start over" }));
    expect(await screen.findByRole("checkbox", { name: "I am 18 or older" })).toBeTruthy();
    expect(screen.queryByRole("tab", { name: "Create" })).toBeNull();
  });

  it("revokes the photo preview's object URL when the flow unmounts", async () => {
    const revoke = vi.spyOn(URL, "revokeObjectURL");
    const create = vi.spyOn(URL, "createObjectURL").mockReturnValue("blob:preview-1");
    const { unmount } = renderWithProviders(
      <CreateFlow me={aMe()} onBalanceChanged={() => {}} onBuyCredits={() => {}} />,
      fakeApi(),
    );
    await pickPhoto();
    await screen.findByRole("button", { name: "Generate 6 headshots" });
    expect(revoke).not.toHaveBeenCalledWith("blob:preview-1");
    unmount();
    expect(revoke).toHaveBeenCalledWith("blob:preview-1");
    revoke.mockRestore();
    create.mockRestore();
  });

  it("no face found: back to the photo step with tips", async () => {
    const failed = aJob({
      status: "failed",
      stage: "detecting",
      error: { code: "UNPROCESSABLE", reason: "NO_FACE", message: "x" },
    });
    const api = fakeApi({
      createHeadshots: vi.fn(async () => aJob({ status: "queued" })),
      getJob: vi.fn(async () => failed),
    });
    renderWithProviders(
      <CreateFlow me={aMe()} onBalanceChanged={() => {}} onBuyCredits={() => {}} wait={noWait} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    expect(await screen.findByText(/couldn't find a face/)).toBeTruthy();
    expect(screen.getByText("Add a photo of yourself")).toBeTruthy();
  });

  it("photo cropped too close: back to the photo step with an example of a photo that works", async () => {
    loadImagesAtOnce();
    const failed = aJob({
      status: "failed",
      stage: "framing",
      error: { code: "UNPROCESSABLE", reason: "SUBJECT_CROPPED", message: "x" },
    });
    const api = fakeApi({
      createHeadshots: vi.fn(async () => aJob({ status: "queued" })),
      getJob: vi.fn(async () => failed),
    });
    renderWithProviders(
      <CreateFlow me={aMe()} onBalanceChanged={() => {}} onBuyCredits={() => {}} wait={noWait} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    expect(await screen.findByText(/cropped too close.*head and shoulders.*works best/)).toBeTruthy();
    expect(await screen.findByAltText("Example: a photo showing head and shoulders")).toBeTruthy();
    expect(screen.getByText("Add a photo of yourself")).toBeTruthy();

    // The way on is right there: the photo step's own file input.
    await pickPhoto(new File(["jpeg"], "shoulders.jpg", { type: "image/jpeg" }));
    expect(await screen.findByRole("button", { name: "Generate 6 headshots" })).toBeTruthy();
    expect(screen.queryByText(/cropped too close/)).toBeNull();
    expect(screen.queryByAltText("Example: a photo showing head and shoulders")).toBeNull();
  });

  it("Cancel: back to the styles with word that the credit is back", async () => {
    const onBalanceChanged = vi.fn();
    const api = fakeApi({
      createHeadshots: vi.fn(async () => aJob({ status: "processing" })),
      getJob: vi.fn(async () => aJob({ status: "processing" })),
      cancelJob: vi.fn(async () => aJob({ status: "canceled" })),
    });
    renderWithProviders(
      <CreateFlow me={aMe()} onBalanceChanged={onBalanceChanged} onBuyCredits={() => {}} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    await user.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(await screen.findByText("Canceled. Your Headshot Studio credit is back.")).toBeTruthy();
    expect(api.cancelJob).toHaveBeenCalled();
    expect(onBalanceChanged).toHaveBeenCalledTimes(2); // charged, then refunded
  });

  it("Canva Premium: no credit line, opens a tracking session and sends its id", async () => {
    const api = fakeApi({ createHeadshots: vi.fn(async () => aJob({ status: "queued" })) });
    renderWithProviders(
      <CreateFlow me={aMe({ mode: "canva_premium" })} onBalanceChanged={() => {}} onBuyCredits={() => {}} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    expect(screen.queryByText(/Headshot Studio credit/)).toBeNull();

    await waitFor(() => expect(api.createHeadshots).toHaveBeenCalled());
    expect(monetization.isEnabled).toHaveBeenCalledWith("generate_image");
    expect(monetization.openTrackingSession).toHaveBeenCalledWith({ action: "generate_image" });
    expect(vi.mocked(api.createHeadshots).mock.calls[0]?.[0].premiumUsageId).toBe("usage-1");
  });

  it("Canva Premium declined: nothing is sent", async () => {
    vi.mocked(monetization.isEnabled).mockResolvedValue(false);
    vi.mocked(monetization.requestEnableBillableAction).mockResolvedValue({ status: "denied" });
    const api = fakeApi();
    renderWithProviders(
      <CreateFlow me={aMe({ mode: "canva_premium" })} onBalanceChanged={() => {}} onBuyCredits={() => {}} />,
      api,
    );
    const user = await pickPhoto();
    await user.click(await screen.findByRole("button", { name: "Generate 6 headshots" }));
    expect(await screen.findByText(/needs Canva Premium access/)).toBeTruthy();
    expect(api.createHeadshots).not.toHaveBeenCalled();
  });
});
