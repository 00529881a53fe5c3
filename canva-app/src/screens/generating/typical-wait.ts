// How long a job usually takes, in words, from the engine's `typicalSeconds` (GET /v1/me): said
// before the click (the engine choice) and while waiting (the generating step).
import { defineMessages, useIntl } from "react-intl";

const messages = defineMessages({
  fewSeconds: {
    defaultMessage: "a few seconds",
    description: "How long a job usually takes, when it is under about 10 seconds",
  },
  seconds: {
    defaultMessage: "about {seconds} seconds",
    description: "How long a job usually takes, in seconds (more than 10, under a minute)",
  },
  minutes: {
    defaultMessage: "{minutes, plural, one {about a minute} other {about # minutes}}",
    description: "How long a job usually takes, in whole minutes",
  },
});

/** Under 10 s "a few seconds"; under a minute in seconds; otherwise in whole minutes. */
export function useTypicalWait(): (seconds: number) => string {
  const intl = useIntl();
  return (seconds) => {
    if (seconds <= 10) return intl.formatMessage(messages.fewSeconds);
    if (seconds < 60) return intl.formatMessage(messages.seconds, { seconds });
    return intl.formatMessage(messages.minutes, { minutes: Math.round(seconds / 60) });
  };
}
