// Your data: the export is summarised in plain counts of what we hold.
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { PrivacySection } from "../src/screens/account/privacy-section";
import { aMe, fakeApi, renderWithProviders } from "./helpers";

describe("the privacy section", () => {
  it("summarises the export in counts of what is held", async () => {
    const api = fakeApi({
      exportMyData: async () => ({
        jobs: [{ outputs: [{}, {}] }, { outputs: [{}] }],
        ledger: [{}],
        consents: [{}, {}],
      }),
    });
    renderWithProviders(<PrivacySection me={aMe()} onErased={() => {}} />, api);
    await userEvent.click(screen.getByRole("button", { name: "Download my data" }));
    for (const line of ["2 generations", "3 headshots", "1 credit entry", "2 consent records"])
      expect(await screen.findByText(line)).toBeTruthy();
  });
});
