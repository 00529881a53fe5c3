// The line under Generate in credits mode: what this set costs out of the user's balance, attributed
// to the app by name (SPEC §8.2). Too few credits is said here before the click; the server's
// INSUFFICIENT_CREDITS after it (the alert with Buy credits) stays the one enforcement.
import { Text } from "@canva/app-ui-kit";
import { FormattedMessage } from "react-intl";

export function CreditLine({ balance, cost }: { balance: number; cost: number }) {
  return (
    <Text size="small" tone="tertiary" alignment="center">
      {balance >= cost ? (
        <FormattedMessage
          defaultMessage="Uses {cost} of {balance, plural, one {# Headshot Studio credit} other {# Headshot Studio credits}}"
          description="Cost of one generation, attributed to the app by name; cost is its price, balance is the user's credits"
          values={{ cost, balance }}
        />
      ) : balance > 0 ? (
        <FormattedMessage
          defaultMessage="This needs {cost, plural, one {# Headshot Studio credit} other {# Headshot Studio credits}}. You have {balance}."
          description="Shown under Generate when the balance is above zero but below the price of the chosen engine"
          values={{ cost, balance }}
        />
      ) : (
        <FormattedMessage
          defaultMessage="You have no Headshot Studio credits left"
          description="Shown under Generate when the balance is zero"
        />
      )}
    </Text>
  );
}
