// Shows one error the way every screen does: a plain title, what to do next, an example of a photo
// that works where the error calls for one, and the one action that helps (when the screen offers it).
import { Alert, Button, Rows } from "@canva/app-ui-kit";
import { defineMessages, useIntl } from "react-intl";
import { canAcceptPayments } from "../canva/payments";
import { describeError } from "./error-messages";
import type { ErrorAction } from "./error-messages";
import { GoodPhotoExample } from "./good-photo-example";

const actionLabels = defineMessages({
  retry: { defaultMessage: "Try again", description: "Button after an error: retry" },
  choose_photo: { defaultMessage: "Choose another photo", description: "Button after a photo error" },
  buy_credits: { defaultMessage: "Buy credits", description: "Button after running out of credits" },
  start_over: { defaultMessage: "Start over", description: "Button after an error: start again" },
});

export function ErrorAlert({
  error,
  actions = {},
}: {
  error: unknown;
  /** Handlers for the actions this screen can take; an error's action without one shows no button. */
  actions?: Partial<Record<ErrorAction, () => void>>;
}) {
  const intl = useIntl();
  // A buy button only where Canva allows payment links and the screen can act on it (never in
  // Canva Premium mode, whose screens pass no buy_credits handler).
  const canBuyCredits = actions.buy_credits !== undefined && canAcceptPayments();
  const { title, body, action, example, tone } = describeError(error, { canBuyCredits });
  const onAction = action ? actions[action] : undefined;
  return (
    <Rows spacing="1u">
      <Alert tone={tone} title={intl.formatMessage(title)}>
        {intl.formatMessage(body)}
      </Alert>
      {example && <GoodPhotoExample example={example} />}
      {action && onAction && (
        <Button variant="secondary" onClick={onAction} stretch>
          {intl.formatMessage(actionLabels[action])}
        </Button>
      )}
    </Rows>
  );
}
