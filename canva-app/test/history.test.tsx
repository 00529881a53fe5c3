// History: deleting a set asks first, and a failed delete keeps the set on screen.
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { HistoryScreen } from "../src/screens/history/history-screen";
import type { Job } from "@headshot/shared";
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

/** Deletes the first set listed: the button, then Yes. */
async function confirmDeleteOfFirst() {
  const user = userEvent.setup();
  await user.click(await firstDeleteButton());
  await user.click(screen.getByRole("button", { name: "Yes, delete them" }));
}

/** Two sets listed; deleting the first is answered with `error`. */
async function deleteFirstOfTwoAnswering(error: ApiError) {
  const api = historyOf(done("job-a", 1), done("job-b", 1));
  api.deleteJob = vi.fn(async () => {
    throw error;
  });
  renderWithProviders(<HistoryScreen />, api);
  await confirmDeleteOfFirst();
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

  it("a set already gone on the server (another device) leaves the list without an error", async () => {
    await deleteFirstOfTwoAnswering(new ApiError("NOT_FOUND", "No such headshots."));
    await waitFor(() =>
      expect(screen.getAllByRole("button", { name: "Delete these headshots now" })).toHaveLength(1),
    );
    expect(screen.queryByRole("button", { name: "Yes, delete them" })).toBeNull();
  });

  it("a set deleted while older ones load does not come back with them", async () => {
    let olderPage: (page: { jobs: Job[]; nextCursor: null }) => void = () => {};
    const listJobs = vi.fn(async (cursor?: string | null) =>
      cursor
        ? new Promise<{ jobs: Job[]; nextCursor: null }>((resolve) => (olderPage = resolve))
        : { jobs: [done("job-new", 1)], nextCursor: "page-2" },
    );
    const api = fakeApi({ listJobs });
    renderWithProviders(<HistoryScreen />, api);
    await userEvent.click(await screen.findByRole("button", { name: "Show older headshots" }));
    await confirmDeleteOfFirst();
    await waitFor(() =>
      expect(screen.queryByRole("button", { name: "Delete these headshots now" })).toBeNull(),
    );

    olderPage({ jobs: [done("job-old", 2)], nextCursor: null });
    expect(await screen.findByText(/Kept until/)).toBeTruthy();
    expect(screen.getAllByRole("button", { name: "Delete these headshots now" })).toHaveLength(1);
    expect(api.deleteJob).toHaveBeenCalledWith("job-new");
  });

  it("a failed delete keeps the set and the rest of the history, and says why", async () => {
    await deleteFirstOfTwoAnswering(new ApiError("NETWORK", "offline"));

    expect(await screen.findByText("Check your internet connection, then try again.")).toBeTruthy();
    // The other set is still listed, and this one can be confirmed again.
    expect(screen.getByRole("button", { name: "Yes, delete them" })).toBeTruthy();
    expect(screen.getAllByRole("button", { name: "Delete these headshots now" })).toHaveLength(1);
    expect(screen.getByText(/This headshot is deleted right away/)).toBeTruthy();
  });
});
