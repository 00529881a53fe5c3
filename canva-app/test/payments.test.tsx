// SPEC §8.2: no payment call-to-action where Canva forbids it; links open only on a click, via
// requestOpenExternalUrl; Canva Premium mode shows no credit system at all.
import { getPlatformInfo, requestOpenExternalUrl } from "@canva/platform";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App, FOCUS_REFRESH_MS } from "../src/app";
import { AccountScreen } from "../src/screens/account/account-screen";
import { aMe, fakeApi, isDisabled, renderWithProviders } from "./helpers";

describe("buying credits", () => {
  it("when payments are not allowed: balance and info alert, no packs or prices, one disabled link", async () => {
    vi.mocked(getPlatformInfo).mockReturnValue({ canAcceptPayments: false });
    const api = fakeApi();
    renderWithProviders(<AccountScreen me={aMe({ balance: 2 })} onErased={() => {}} />, api);

    expect(screen.getByText(/You have 2 Headshot Studio credits/)).toBeTruthy();
    expect(screen.getByText("Headshot Studio credits can be bought in a web browser.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Buy 10 credits/ })).toBeNull();
    expect(screen.queryByText(/\$5\.00/)).toBeNull();
    const buyButtons = screen.getAllByRole("button", { name: /buy/i });
    expect(buyButtons).toHaveLength(1);
    const buy = buyButtons[0] as HTMLElement;
    expect(buy.textContent).toBe("Buy credits");
    expect(isDisabled(buy)).toBe(true);

    await userEvent.setup().click(buy);
    expect(api.checkout).not.toHaveBeenCalled();
    expect(requestOpenExternalUrl).not.toHaveBeenCalled();
  });

  it("when allowed: opens Checkout through requestOpenExternalUrl only after the click", async () => {
    const api = fakeApi();
    renderWithProviders(<AccountScreen me={aMe()} onErased={() => {}} />, api);
    expect(requestOpenExternalUrl).not.toHaveBeenCalled();

    await userEvent.setup().click(screen.getByRole("button", { name: /Buy 10 credits for \$5\.00/ }));

    expect(api.checkout).toHaveBeenCalledWith("pack-10");
    expect(requestOpenExternalUrl).toHaveBeenCalledWith({ url: "https://checkout.test/session" });
    expect(await screen.findByText(/Your balance updates here when you come back/)).toBeTruthy();
  });

  it("re-reads the balance when the user comes back to the panel, not on every click back", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const me = vi.fn(async () => aMe({ balance: 0 }));
      renderWithProviders(<App />, fakeApi({ me }));
      expect(await screen.findByText(/Uses 1 of|Add a photo/)).toBeTruthy();
      const calls = me.mock.calls.length;

      // A click from the design back into the panel a few seconds after the read: no read.
      vi.setSystemTime(Date.now() + FOCUS_REFRESH_MS / 2);
      window.dispatchEvent(new Event("focus"));
      expect(me.mock.calls.length).toBe(calls);

      // Back from the browser's checkout, later: the balance is read again.
      vi.setSystemTime(Date.now() + FOCUS_REFRESH_MS / 2);
      window.dispatchEvent(new Event("focus"));
      expect(me.mock.calls.length).toBe(calls + 1);
      window.dispatchEvent(new Event("focus"));
      expect(me.mock.calls.length).toBe(calls + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("Canva Premium mode", () => {
  it("hides credits and packs entirely", async () => {
    renderWithProviders(<AccountScreen me={aMe({ mode: "canva_premium" })} onErased={() => {}} />);
    expect(screen.queryByText(/Headshot Studio credit/)).toBeNull();
    expect(screen.queryByRole("button", { name: /Buy/ })).toBeNull();
    expect(screen.getByRole("button", { name: "Download my data" })).toBeTruthy();
  });
});

describe("tabs", () => {
  it("switches between Create, History and Account on click", async () => {
    renderWithProviders(<App />, fakeApi());
    const user = userEvent.setup();
    await user.click(await screen.findByRole("tab", { name: "Account" }));
    expect(await screen.findByRole("button", { name: /Buy 10 credits/ })).toBeTruthy();
    await user.click(screen.getByRole("tab", { name: "History" }));
    expect(await screen.findByText("Headshots you create appear here for 30 days.")).toBeTruthy();
  });

  it("reloads the history every time its tab is opened", async () => {
    const api = fakeApi();
    renderWithProviders(<App />, api);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("tab", { name: "History" }));
    await waitFor(() => expect(api.listJobs).toHaveBeenCalledTimes(1));

    await user.click(screen.getByRole("tab", { name: "Create" }));
    await user.click(screen.getByRole("tab", { name: "History" }));
    await waitFor(() => expect(api.listJobs).toHaveBeenCalledTimes(2));
    // Clicking the tab that is already open does not reload it.
    await user.click(screen.getByRole("tab", { name: "History" }));
    expect(api.listJobs).toHaveBeenCalledTimes(2);
  });
});
