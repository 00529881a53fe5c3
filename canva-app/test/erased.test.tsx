// An erased account (deleted in this panel earlier, or in another one): the server answers 403
// ACCOUNT_ERASED and creates nothing until the person consents again. The panel says what
// happened and starts again only through the consent screen.
import { CURRENT_POLICY_VERSION } from "@headshot/shared";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { App } from "../src/app";
import { aMe, fakeApi, renderWithProviders } from "./helpers";

const erased = () =>
  new ApiError("FORBIDDEN", "Your Headshot Studio data was deleted.", {
    status: 403,
    reason: "ACCOUNT_ERASED",
  });

describe("an erased account", () => {
  it("shows that the data was deleted, and starting again goes through consent", async () => {
    const me = vi.fn().mockRejectedValue(erased());
    const api = fakeApi({ me });
    renderWithProviders(<App />, api);

    expect(await screen.findByText("Your Headshot Studio data was deleted")).toBeTruthy();
    expect(screen.getByText(/you'll begin with a new, empty account/)).toBeTruthy();
    expect(screen.queryByRole("tab", { name: "Create" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Start over" }));
    await user.click(await screen.findByRole("checkbox", { name: /processing my photo/ }));
    await user.click(screen.getByRole("checkbox", { name: "I am 18 or older" }));
    me.mockResolvedValue(aMe({ consent: true }));
    await user.click(screen.getByRole("button", { name: "Continue" }));

    expect(api.giveConsent).toHaveBeenCalledWith(CURRENT_POLICY_VERSION);
    expect(await screen.findByRole("tab", { name: "Create" })).toBeTruthy();
  });
});
