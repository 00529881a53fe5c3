// Every API error code of SPEC §4 (and the sub-reasons that change the advice) has its own plain
// message and next step; none falls through to the generic one.
import { ERROR_CODES } from "@headshot/shared";
import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../src/api/api-error";
import { ErrorAlert } from "../src/errors/error-alert";
import { describeError } from "../src/errors/error-messages";
import { loadImagesAtOnce, renderWithProviders } from "./helpers";

afterEach(() => vi.unstubAllGlobals());

describe("error messages", () => {
  it.each(ERROR_CODES.filter((code) => code !== "INTERNAL"))("%s has its own message", (code) => {
    expect(describeError(new ApiError(code, "server text")).key).toBe(code);
  });

  it.each([
    ["NO_FACE", "UNPROCESSABLE", /couldn't find a face.*well-lit photo/],
    ["MULTIPLE_FACES", "UNPROCESSABLE", /Crop the photo so only you are in it/],
    ["FACE_TOO_SMALL", "UNPROCESSABLE", /closer photo/],
    ["LOW_RESOLUTION", "UNPROCESSABLE", /at least 400 pixels/],
    ["SUBJECT_CROPPED", "UNPROCESSABLE", /cropped too close.*head and shoulders.*works best/],
    ["UNSAFE_CONTENT", "UNPROCESSABLE", /explicit content.*different photo/],
    ["HEIC_UNSUPPORTED", "UNSUPPORTED_MEDIA_TYPE", /Export the photo as a JPEG/],
    ["RESTRICTED", "FORBIDDEN", /privacy request is open/],
    ["PREMIUM_ACTION_REQUIRED", "FORBIDDEN", /Canva Premium/],
    ["ACCOUNT_ERASED", "FORBIDDEN", /deleted at your request.*start again and agree to photo processing/],
  ])("reason %s explains what to do", (reason, code, text) => {
    renderWithProviders(<ErrorAlert error={new ApiError(code as "UNPROCESSABLE", "x", { reason })} />);
    expect(screen.getByText(text)).toBeTruthy();
  });

  it("reads a failed job's error the same way", () => {
    expect(describeError({ code: "UNPROCESSABLE", reason: "NO_FACE", message: "x" }).key).toBe("NO_FACE");
  });

  it("offers the matching next step and runs the screen's handler", async () => {
    const chooseAnother = vi.fn();
    renderWithProviders(
      <ErrorAlert
        error={new ApiError("UNPROCESSABLE", "x", { reason: "MULTIPLE_FACES" })}
        actions={{ choose_photo: chooseAnother }}
      />,
    );
    await userEvent.setup().click(screen.getByRole("button", { name: "Choose another photo" }));
    expect(chooseAnother).toHaveBeenCalledTimes(1);
  });

  it("answers a photo cropped too close with an example of a photo that works and a way to another photo", async () => {
    loadImagesAtOnce();
    const chooseAnother = vi.fn();
    renderWithProviders(
      <ErrorAlert
        error={{ code: "UNPROCESSABLE", reason: "SUBJECT_CROPPED", message: "server text" }}
        actions={{ choose_photo: chooseAnother }}
      />,
    );
    expect(screen.getByText(/A photo showing your head and shoulders.*works best/)).toBeTruthy();
    const example = await screen.findByAltText("Example: a photo showing head and shoulders");
    expect(example.getAttribute("src")).toMatch(/head-and-shoulders\.jpg$/);
    await userEvent.setup().click(screen.getByRole("button", { name: "Choose another photo" }));
    expect(chooseAnother).toHaveBeenCalledTimes(1);
  });

  it("shows no example photo with photo errors whose words say enough", async () => {
    loadImagesAtOnce();
    renderWithProviders(<ErrorAlert error={{ code: "UNPROCESSABLE", reason: "NO_FACE", message: "x" }} />);
    await screen.findByText(/couldn't find a face/);
    await new Promise((resolve) => setTimeout(resolve, 0)); // an image would have "loaded" by now
    expect(screen.queryByRole("img")).toBeNull();
  });

  it("sends an out-of-credits user to buy credits", () => {
    renderWithProviders(
      <ErrorAlert error={new ApiError("INSUFFICIENT_CREDITS", "x")} actions={{ buy_credits: () => {} }} />,
    );
    expect(screen.getByText("Not enough Headshot Studio credits")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Buy credits" })).toBeTruthy();
  });

  it("treats a network failure as something to retry, not a server fault", () => {
    renderWithProviders(
      <ErrorAlert error={new ApiError("NETWORK", "fetch failed")} actions={{ retry: () => {} }} />,
    );
    expect(screen.getByText(/Check your internet connection/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});
