// Why a style of an AI studio job came back without an image (SPEC §7.3 partial results), in words.
import type { MissingStyle } from "@headshot/shared";
import { defineMessages } from "react-intl";
import type { MessageDescriptor } from "react-intl";

export const MISSING_REASONS: Record<MissingStyle["reason"], MessageDescriptor> = defineMessages({
  FAILED: {
    defaultMessage: "the AI model didn't manage it",
    description: "Why a headshot style couldn't be made: the AI prediction failed",
  },
  UNSAFE_CONTENT: {
    defaultMessage: "stopped by the safety filter",
    description: "Why a headshot style couldn't be made: the AI provider's safety checker blocked the image",
  },
  TIMEOUT: {
    defaultMessage: "took too long",
    description: "Why a headshot style couldn't be made: the AI prediction timed out",
  },
  UNAVAILABLE: {
    defaultMessage: "AI studio was unavailable",
    description: "Why a headshot style couldn't be made: the AI engine could not be reached",
  },
});
