// A plain-language message and a next step for every error the panel can meet: each API code of
// SPEC §4 (with the sub-reasons that change what the user should do), job failures, and
// network trouble. Unknown codes fall back to the generic "something went wrong".
import { defineMessages } from "react-intl";
import type { MessageDescriptor } from "react-intl";
import { ApiError } from "../api/api-error";

/** The one button an error may offer; the screen showing the error decides what it does. */
export type ErrorAction = "retry" | "choose_photo" | "buy_credits" | "start_over";

/** A photo that works, shown under an error where seeing one says more than words (good-photo-example.tsx). */
export type PhotoExample = "head_and_shoulders";

export interface ErrorDescription {
  key: string;
  title: MessageDescriptor;
  body: MessageDescriptor;
  action?: ErrorAction;
  example?: PhotoExample;
  tone: "critical" | "warn";
}

const titles = defineMessages({
  photo: {
    defaultMessage: "We couldn't use this photo",
    description: "Title of an error about the uploaded photo",
  },
  credits: {
    defaultMessage: "Not enough Headshot Studio credits",
    description: "Title when the user's credits don't cover the headshots they asked for",
  },
  busy: {
    defaultMessage: "Headshot Studio is busy",
    description: "Title when the service is overloaded or rate limited",
  },
  generic: { defaultMessage: "Something went wrong", description: "Title of a generic error" },
  access: {
    defaultMessage: "This action isn't available",
    description: "Title when the user may not do this",
  },
  signIn: {
    defaultMessage: "We couldn't confirm who you are",
    description: "Title when the Canva sign-in token was refused",
  },
  offline: { defaultMessage: "You seem to be offline", description: "Title when the network is unreachable" },
  erased: {
    defaultMessage: "Your Headshot Studio data was deleted",
    description: "Title when the user's account and data were erased (from this panel or elsewhere)",
  },
});

const bodies = defineMessages({
  NO_FACE: {
    defaultMessage:
      "We couldn't find a face. Use a well-lit photo where you face the camera, your whole face is visible and nothing covers it.",
    description: "Error: no face found in the photo, with tips for a good photo",
  },
  MULTIPLE_FACES: {
    defaultMessage: "We found more than one face. Crop the photo so only you are in it, then try again.",
    description: "Error: several faces in the photo",
  },
  FACE_TOO_SMALL: {
    defaultMessage:
      "Your face is too small in this photo. Use a closer photo, or crop it around your head and shoulders.",
    description: "Error: the face is too small in the photo",
  },
  SUBJECT_CROPPED: {
    defaultMessage:
      "This photo is cropped too close to make a headshot. A photo showing your head and shoulders, with some space around them, works best.",
    description:
      "Error: the photo is cropped so tightly (e.g. the chin touches the bottom edge) that no headshot can be framed; an example photo is shown below it",
  },
  UNSAFE_CONTENT: {
    defaultMessage:
      "This photo can't be used: it looks like it contains explicit content, which Canva doesn't allow. Use a different photo of yourself.",
    description: "Error: the safety check classified the photo as explicit",
  },
  LOW_RESOLUTION: {
    defaultMessage: "This photo is too small. Use a photo at least 400 pixels on its shortest side.",
    description: "Error: photo resolution too low",
  },
  CORRUPT_IMAGE: {
    defaultMessage:
      "This file couldn't be opened as an image. Export it again as a JPEG or PNG and try again.",
    description: "Error: the image file is damaged",
  },
  TOO_MANY_PIXELS: {
    defaultMessage: "This photo is too large (over 50 megapixels). Resize it and try again.",
    description: "Error: the image has too many pixels",
  },
  HEIC_UNSUPPORTED: {
    defaultMessage: "HEIC photos can't be read yet. Export the photo as a JPEG and try again.",
    description: "Error: HEIC file not supported",
  },
  PAYLOAD_TOO_LARGE: {
    defaultMessage:
      "This file is larger than 15 MB. Choose a smaller photo, or export it at a lower quality.",
    description: "Error: the photo file is too large",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    defaultMessage: "This file type isn't supported. Use a JPEG, PNG, WebP or HEIC photo.",
    description: "Error: the photo's file type is not supported",
  },
  UNPROCESSABLE: {
    defaultMessage: "We couldn't make headshots from this photo. Try a clear, well-lit photo of just you.",
    description: "Error: the photo could not be processed, generic",
  },
  INSUFFICIENT_CREDITS: {
    defaultMessage:
      "You need more Headshot Studio credits for this set of headshots. Buy more to keep going.",
    description: "Error: not enough credits for the chosen engine; next step is buying credits",
  },
  PREMIUM_ACTION_REQUIRED: {
    defaultMessage:
      "Generating headshots needs Canva Premium access for this app. Enable it when Canva asks, then try again.",
    description: "Error: Canva Premium billable action not enabled",
  },
  CONSENT_REQUIRED: {
    defaultMessage: "Please agree to photo processing and confirm you are 18 or older before generating.",
    description: "Error: consent is missing",
  },
  RESTRICTED: {
    defaultMessage:
      "Processing is paused for your account while a privacy request is open. Contact support if you'd like to resume.",
    description: "Error: the user restricted processing of their data",
  },
  ACCOUNT_ERASED: {
    defaultMessage:
      "Your account, headshots and credits were deleted at your request, so nothing is kept. To use Headshot Studio again, start again and agree to photo processing; you'll begin with a new, empty account.",
    description:
      "Error: the account was erased (e.g. Delete all data in another panel); the user may start a new account",
  },
  FORBIDDEN: {
    defaultMessage: "Your account can't do this. If you think that's wrong, contact support.",
    description: "Error: forbidden",
  },
  UNAUTHORIZED: {
    defaultMessage: "Your session may have expired. Close and reopen Headshot Studio, then try again.",
    description: "Error: token missing, expired or invalid",
  },
  NOT_FOUND: {
    defaultMessage:
      "We couldn't find this. It may have expired or been deleted. Start a new set of headshots.",
    description: "Error: resource not found",
  },
  CONFLICT: {
    defaultMessage: "This was changed at the same time somewhere else. Refresh and try again.",
    description: "Error: conflict",
  },
  BAD_REQUEST: {
    defaultMessage:
      "Something in the request wasn't right. Start again; if it keeps happening, contact support.",
    description: "Error: bad request",
  },
  RATE_LIMITED: {
    defaultMessage: "You're going a bit fast. Wait a few seconds and try again.",
    description: "Error: rate limited",
  },
  OVERLOADED: {
    defaultMessage:
      "Lots of people are making headshots right now. Try again in a minute; you weren't charged.",
    description: "Error: server overloaded",
  },
  UNAVAILABLE: {
    defaultMessage: "Headshot Studio is temporarily unavailable. Try again in a few minutes.",
    description: "Error: service unavailable",
  },
  ENGINE_FAILED: {
    defaultMessage: "Generating didn't finish. Your credit has been returned. Try again.",
    description: "Error: the generation job failed for a server-side reason and was refunded",
  },
  INTERNAL: {
    defaultMessage:
      "An unexpected error happened on our side. Try again; if it keeps happening, contact support.",
    description: "Error: internal server error",
  },
  NETWORK: {
    defaultMessage: "Check your internet connection, then try again.",
    description: "Error: network unreachable",
  },
  CREDITS_IN_BROWSER: {
    defaultMessage: "Headshot Studio credits can be bought in a web browser.",
    description:
      "Error: not enough credits, where Canva does not allow payment links (e.g. some mobile apps)",
  },
});

type Entry = Omit<ErrorDescription, "key">;

const photo = (body: MessageDescriptor, example?: PhotoExample): Entry => ({
  title: titles.photo,
  body,
  action: "choose_photo",
  ...(example && { example }),
  tone: "critical",
});

const BY_REASON: Record<string, Entry> = {
  NO_FACE: photo(bodies.NO_FACE),
  MULTIPLE_FACES: photo(bodies.MULTIPLE_FACES),
  FACE_TOO_SMALL: photo(bodies.FACE_TOO_SMALL),
  LOW_RESOLUTION: photo(bodies.LOW_RESOLUTION),
  SUBJECT_CROPPED: photo(bodies.SUBJECT_CROPPED, "head_and_shoulders"),
  UNSAFE_CONTENT: photo(bodies.UNSAFE_CONTENT),
  CORRUPT_IMAGE: photo(bodies.CORRUPT_IMAGE),
  TOO_MANY_PIXELS: photo(bodies.TOO_MANY_PIXELS),
  HEIC_UNSUPPORTED: photo(bodies.HEIC_UNSUPPORTED),
  AGE_NOT_CONFIRMED: {
    title: titles.access,
    body: bodies.CONSENT_REQUIRED,
    action: "start_over",
    tone: "critical",
  },
  RESTRICTED: { title: titles.access, body: bodies.RESTRICTED, tone: "critical" },
  ACCOUNT_ERASED: { title: titles.erased, body: bodies.ACCOUNT_ERASED, action: "start_over", tone: "warn" },
  PREMIUM_ACTION_REQUIRED: {
    title: titles.access,
    body: bodies.PREMIUM_ACTION_REQUIRED,
    action: "retry",
    tone: "warn",
  },
  ENGINE_UNAVAILABLE: { title: titles.generic, body: bodies.ENGINE_FAILED, action: "retry", tone: "warn" },
  TIMEOUT: { title: titles.generic, body: bodies.ENGINE_FAILED, action: "retry", tone: "warn" },
  INSTANCE_LOST: { title: titles.generic, body: bodies.ENGINE_FAILED, action: "retry", tone: "warn" },
};

const BY_CODE: Record<string, Entry> = {
  BAD_REQUEST: { title: titles.generic, body: bodies.BAD_REQUEST, action: "start_over", tone: "critical" },
  UNAUTHORIZED: { title: titles.signIn, body: bodies.UNAUTHORIZED, action: "retry", tone: "critical" },
  INSUFFICIENT_CREDITS: {
    title: titles.credits,
    body: bodies.INSUFFICIENT_CREDITS,
    action: "buy_credits",
    tone: "warn",
  },
  FORBIDDEN: { title: titles.access, body: bodies.FORBIDDEN, tone: "critical" },
  CONSENT_REQUIRED: {
    title: titles.access,
    body: bodies.CONSENT_REQUIRED,
    action: "start_over",
    tone: "critical",
  },
  NOT_FOUND: { title: titles.generic, body: bodies.NOT_FOUND, action: "start_over", tone: "critical" },
  METHOD_NOT_ALLOWED: {
    title: titles.generic,
    body: bodies.BAD_REQUEST,
    action: "start_over",
    tone: "critical",
  },
  // The photo arrived too slowly for the server's upload deadline: a connection problem.
  REQUEST_TIMEOUT: { title: titles.offline, body: bodies.NETWORK, action: "retry", tone: "warn" },
  CONFLICT: { title: titles.generic, body: bodies.CONFLICT, action: "retry", tone: "warn" },
  PAYLOAD_TOO_LARGE: photo(bodies.PAYLOAD_TOO_LARGE),
  UNSUPPORTED_MEDIA_TYPE: photo(bodies.UNSUPPORTED_MEDIA_TYPE),
  UNPROCESSABLE: photo(bodies.UNPROCESSABLE),
  RATE_LIMITED: { title: titles.busy, body: bodies.RATE_LIMITED, action: "retry", tone: "warn" },
  OVERLOADED: { title: titles.busy, body: bodies.OVERLOADED, action: "retry", tone: "warn" },
  UNAVAILABLE: { title: titles.busy, body: bodies.UNAVAILABLE, action: "retry", tone: "warn" },
  INTERNAL: { title: titles.generic, body: bodies.INTERNAL, action: "retry", tone: "critical" },
  NETWORK: { title: titles.offline, body: bodies.NETWORK, action: "retry", tone: "warn" },
};

export interface DescribeOptions {
  /**
   * False where no payment call-to-action may be shown (Canva's `canAcceptPayments`, or Canva
   * Premium mode): an out-of-credits error then says where to buy instead of offering to.
   */
  canBuyCredits?: boolean;
}

/** Code + reason of an API error, a failed job's `error`, or anything else thrown. */
export function describeError(
  error: unknown,
  { canBuyCredits = true }: DescribeOptions = {},
): ErrorDescription {
  const { code, reason } = codeOf(error);
  const key = (reason && BY_REASON[reason] && reason) || (BY_CODE[code] && code) || "INTERNAL";
  const entry = BY_REASON[key] ?? BY_CODE[key] ?? (BY_CODE.INTERNAL as Entry);
  if (entry.action === "buy_credits" && !canBuyCredits) {
    return { key, title: entry.title, body: bodies.CREDITS_IN_BROWSER, tone: entry.tone };
  }
  return { key, ...entry };
}

/** The account was erased: only a new consent starts a new one (the server refuses anything else). */
export function isErasedError(error: unknown): boolean {
  return codeOf(error).reason === "ACCOUNT_ERASED";
}

/** The errors that mean the server has no valid consent on record: the way out is the consent gate. */
export function isConsentError(error: unknown): boolean {
  const { code, reason } = codeOf(error);
  return code === "CONSENT_REQUIRED" || reason === "AGE_NOT_CONFIRMED";
}

function codeOf(error: unknown): { code: string; reason?: string | null | undefined } {
  if (error instanceof ApiError) return { code: error.code, reason: error.reason };
  if (typeof error === "object" && error != null && "code" in error && typeof error.code === "string") {
    const reason = "reason" in error && typeof error.reason === "string" ? error.reason : undefined;
    return { code: error.code, reason };
  }
  return { code: "INTERNAL" };
}
