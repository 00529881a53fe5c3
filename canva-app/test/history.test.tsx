// History: deleting a set asks first, and a failed delete keeps the set on screen.
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { HistoryScreen } from "../src/screens/history/history-screen";
import { aJob, anOutput, fakeApi, renderWithProviders } from "./helpers";

const done = (id: string, outputs: number) =>
  aJob({
    id,
    status: "succeeded",
    progress: 1,
    outputs: Array.from({ length: outputs }, (_, k) => anOutput({ id: `${id}-out-${k}` })),
  });

function historyOf(...jobs: ReturnType<typeof done>[]) {
  return fakeApi({ listJobs: vi.fn(async () => ({ jobs, nextCursor: null })) });
}

/** The delete button of the first (newest) set listed. */
async function firstDeleteButton(): Promise<HTMLElement> {
  const [first] = await screen.findAllByRole("button", { name: "Delete these headshots now" });
  if (!first) throw new Error("no set listed");
  return first;
}

describe("deleting a set from History", () => {
  it("asks first; Keep them deletes nothing", async () => {
    const api = historyOf(done("job-a", 6));
    renderWithProviders(<HistoryScreen />, api);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete these headshots now" }));

    expect(screen.getByText("Delete these headshots now?")).toBeTruthy();
    expect(screen.getByText(/These 6 headshots are deleted right away and can't be recovered/)).toBeTruthy();
    expect(api.deleteJob).not.toHaveBeenCalled();

    await user.click(screen.getByRole("button", { name: "Keep them" }));
    expect(screen.getByRole("button", { name: "Delete these headshots now" })).toBeTruthy();
    expect(api.deleteJob).not.toHaveBeenCalled();
  });

  it("deletes that set only after Yes, and removes it from the list", async () => {
    const api = historyOf(done("job-a", 2), done("job-b", 1));
    renderWithProviders(<HistoryScreen />, api);
    const user = userEvent.setup();
    await user.click(await firstDeleteButton());
    await user.click(screen.getByRole("button", { name: "Yes, delete them" }));

    await waitFor(() =>
      expect(screen.getAllByRole("button", { name: "Delete these headshots now" })).toHaveLength(1),
    );
    expect(api.deleteJob).toHaveBeenCalledTimes(1);
    expect(api.deleteJob).toHaveBeenCalledWith("job-a");
  });

  it("a failed delete keeps the set and the rest of the history, and says why", async () => {
    const api = historyOf(done("job-a", 1), done("job-b", 1));
    api.deleteJob = vi.fn(async () => {
      throw new ApiError("NETWORK", "offline");
    });
    renderWithProviders(<HistoryScreen />, api);
    const user = userEvent.setup();
    await user.click(await firstDeleteButton());
    await user.click(screen.getByRole("button", { name: "Yes, delete them" }));

    expect(await screen.findByText("Check your internet connection, then try again.")).toBeTruthy();
    // The other set is still listed, and this one can be confirmed again.
    expect(screen.getByRole("button", { name: "Yes, delete them" })).toBeTruthy();
    expect(screen.getAllByRole("button", { name: "Delete these headshots now" })).toHaveLength(1);
    expect(screen.getByText(/This headshot is deleted right away/)).toBeTruthy();
  });
});
