// The way on when the studio engine finds the photo cropped too close (SPEC §7.2.1): where AI
// studio is on offer it can draw the shoulders the photo lacks, from the same photo, at its price.
import { Button, Rows, Text } from "@canva/app-ui-kit";
import { FormattedMessage, useIntl } from "react-intl";

export function TryAiStudio({
  credits,
  onTry,
}: {
  /** AI studio's price; `null` in Canva Premium mode, where no credits are shown. */
  credits: number | null;
  onTry: () => void;
}) {
  const intl = useIntl();
  return (
    <Rows spacing="1u">
      <Text size="small">
        <FormattedMessage
          defaultMessage="Or keep this photo: AI studio can draw the shoulders it lacks, in a new outfit and studio."
          description="Offer under the 'cropped too close' error to use the AI studio engine with the same photo"
        />
      </Text>
      <Button variant="primary" stretch onClick={onTry}>
        {credits == null
          ? intl.formatMessage({
              defaultMessage: "Try AI studio",
              description:
                "Button: start the same photo on the AI studio engine (Canva Premium mode, no price)",
            })
          : intl.formatMessage(
              {
                defaultMessage: "Try AI studio ({credits, plural, one {# credit} other {# credits}})",
                description: "Button: start the same photo on the AI studio engine; credits is its price",
              },
              { credits },
            )}
      </Button>
    </Rows>
  );
}
