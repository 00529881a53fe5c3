// Says which styles an AI studio job couldn't make, and why, and what that means for the price
// (SPEC §7.3): a job with at least half its styles succeeds and keeps its charge; with fewer it
// fails and is refunded in full, so a results screen never shows a refunded job.
import { Alert, Rows, Text } from "@canva/app-ui-kit";
import type { MissingStyle } from "@headshot/shared";
import { useIntl } from "react-intl";
import { STYLE_NAMES } from "../create/style-names";
import { MISSING_REASONS } from "../generating/missing-reasons";

export function MissingStylesNotice({
  missing,
  showCredits,
}: {
  missing: readonly MissingStyle[];
  /** False in Canva Premium mode, where no credits are shown. */
  showCredits: boolean;
}) {
  const intl = useIntl();
  if (missing.length === 0) return null;
  return (
    <Alert
      tone="info"
      title={intl.formatMessage(
        {
          defaultMessage: "{count, plural, one {# style couldn't be made} other {# styles couldn't be made}}",
          description: "Title above the list of headshot styles an AI studio job could not make",
        },
        { count: missing.length },
      )}
    >
      <Rows spacing="0.5u">
        {missing.map(({ style, reason }) => (
          <Text key={style} size="small">
            {intl.formatMessage(
              {
                defaultMessage: "{style}: {reason}",
                description: "One style that couldn't be made and why, e.g. 'Warm beige: took too long'",
              },
              {
                style: intl.formatMessage(STYLE_NAMES[style]),
                reason: intl.formatMessage(MISSING_REASONS[reason]),
              },
            )}
          </Text>
        ))}
        {showCredits && (
          <Text size="small">
            {intl.formatMessage({
              defaultMessage:
                "At least half of your styles were made, so this set's credits aren't refunded. A set with fewer is refunded in full.",
              description: "Under the missing styles: why the credits of a partly made set were not refunded",
            })}
          </Text>
        )}
      </Rows>
    </Alert>
  );
}
