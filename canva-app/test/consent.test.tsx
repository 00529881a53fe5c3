// Consent gating: nothing but the consent screen until photo processing and 18+ are confirmed.
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../src/app";
import { AI_STUDIO, aMe, fakeApi, isDisabled, renderWithProviders, STUDIO } from "./helpers";

describe("consent gating", () => {
  it("shows only the consent screen, and Continue needs both boxes", async () => {
    const api = fakeApi({ me: vi.fn(async () => aMe({ consent: false })) });
    renderWithProviders(<App />, api);

    expect(await screen.findByText(/It is never stored/)).toBeTruthy();
    expect(screen.getByText(/kept for 30 days/)).toBeTruthy();
    expect(screen.queryByRole("tab", { name: "Create" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Use selected image" })).toBeNull();

    const user = userEvent.setup();
    const continueButton = screen.getByRole("button", { name: "Continue" });
    expect(isDisabled(continueButton)).toBe(true);
    await user.click(continueButton);
    await user.click(screen.getByRole("checkbox", { name: /processing my photo/ }));
    expect(isDisabled(continueButton)).toBe(true);
    await user.click(screen.getByRole("checkbox", { name: "I am 18 or older" }));
    expect(isDisabled(continueButton)).toBe(false);
    expect(api.giveConsent).not.toHaveBeenCalled();
  });

  it("records consent, then opens the app", async () => {
    const me = vi.fn(async () => aMe({ consent: false }));
    const api = fakeApi({ me });
    renderWithProviders(<App />, api);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("checkbox", { name: /processing my photo/ }));
    await user.click(screen.getByRole("checkbox", { name: "I am 18 or older" }));

    me.mockResolvedValue(aMe({ consent: true }));
    await user.click(screen.getByRole("button", { name: "Continue" }));

    expect(api.giveConsent).toHaveBeenCalledTimes(1);
    expect(api.giveConsent).toHaveBeenCalledWith("1");
    expect(await screen.findByRole("tab", { name: "Create" })).toBeTruthy();
    await waitFor(() => expect(screen.getByRole("button", { name: "Use selected image" })).toBeTruthy());
  });

  it("agrees to the policy version the server asks for, not a bundled one", async () => {
    const base = aMe({ consent: true });
    const outdated = { ...base, consent: { ...base.consent, currentPolicyVersion: "2" } };
    const api = fakeApi({ me: vi.fn(async () => outdated) });
    renderWithProviders(<App />, api);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("checkbox", { name: /processing my photo/ }));
    await user.click(screen.getByRole("checkbox", { name: "I am 18 or older" }));
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(api.giveConsent).toHaveBeenCalledWith("2");
  });

  it("with Instant studio alone: the photo is never stored, and AI studio isn't mentioned", async () => {
    renderWithProviders(<App />, fakeApi({ me: vi.fn(async () => aMe({ consent: false })) }));
    expect(await screen.findByText(/It is never stored/)).toBeTruthy();
    expect(screen.queryByText(/AI studio/)).toBeNull();
  });

  it("with AI studio on offer: says where the photo goes on each engine", async () => {
    const me = aMe({ consent: false, engines: [STUDIO, AI_STUDIO] });
    renderWithProviders(<App />, fakeApi({ me: vi.fn(async () => me) }));
    expect(
      await screen.findByText(
        "Instant studio: your photo is processed in memory on our servers and never stored.",
      ),
    ).toBeTruthy();
    const aiStudio = screen.getByText(/^AI studio:/);
    expect(aiStudio.textContent).toMatch(/without your name or account/);
    expect(aiStudio.textContent).toMatch(/our GPU provider, which deletes it within an hour/);
  });

  it("with AI studio on our own GPUs: says the photo stays on our servers", async () => {
    const ours = { ...AI_STUDIO, processedBy: "our_servers" as const };
    const me = aMe({ consent: false, engines: [STUDIO, ours] });
    renderWithProviders(<App />, fakeApi({ me: vi.fn(async () => me) }));
    const aiStudio = await screen.findByText(/^AI studio:/);
    expect(aiStudio.textContent).toMatch(/goes to our own GPU servers/);
    expect(aiStudio.textContent).not.toMatch(/provider/);
  });
});
