// Credits (credits mode only, SPEC §8.2): the balance, attributed to the app by name, and the
// packs on sale. Packs and prices are shown only where Canva allows payment links
// (`canAcceptPayments`), and a link opens only from a click; elsewhere one disabled, price-less
// "Buy credits" button remains and we say where to buy instead.
import { Alert, Button, Rows, Text, Title } from "@canva/app-ui-kit";
import type { MeResponse } from "@headshot/shared";
import { useState } from "react";
import { FormattedMessage, useIntl } from "react-intl";
import { useApi } from "../../api/api-context";
import { canAcceptPayments, openExternalUrl } from "../../canva/payments";
import { ErrorAlert } from "../../errors/error-alert";
import { offerOf } from "../create/generation-choice";

type BuyState =
  | { status: "idle" }
  | { status: "opening"; packId: string }
  | { status: "opened" }
  | { status: "error"; error: unknown };

export function CreditsSection({ me }: { me: MeResponse }) {
  const intl = useIntl();
  const api = useApi();
  const [buy, setBuy] = useState<BuyState>({ status: "idle" });
  const paymentsAllowed = canAcceptPayments();
  const aiStudio = offerOf(me.engines, "generative");

  const buyPack = async (packId: string) => {
    setBuy({ status: "opening", packId });
    try {
      const status = await openExternalUrl(await api.checkout(packId));
      setBuy(status === "completed" ? { status: "opened" } : { status: "idle" });
    } catch (error) {
      setBuy({ status: "error", error });
    }
  };

  return (
    <Rows spacing="1.5u">
      <Title size="small">
        <FormattedMessage defaultMessage="Credits" description="Heading of the credits section" />
      </Title>
      <Text>
        {aiStudio ? (
          <FormattedMessage
            defaultMessage="You have {balance, plural, one {# Headshot Studio credit} other {# Headshot Studio credits}}. A set of headshots uses {studioCredits} with Instant studio, {aiStudioCredits} with AI studio."
            description="The user's credit balance, attributed to the app by name, and the price of each engine"
            values={{
              balance: me.credits.balance,
              studioCredits: offerOf(me.engines, "studio")?.credits ?? 1,
              aiStudioCredits: aiStudio.credits,
            }}
          />
        ) : (
          <FormattedMessage
            defaultMessage="You have {balance, plural, one {# Headshot Studio credit} other {# Headshot Studio credits}}. Each set of headshots uses 1."
            description="The user's credit balance, attributed to the app by name"
            values={{ balance: me.credits.balance }}
          />
        )}
      </Text>
      {me.billing.paymentsEnabled && !paymentsAllowed && (
        <Alert tone="info">
          {intl.formatMessage({
            defaultMessage: "Headshot Studio credits can be bought in a web browser.",
            description: "Shown where Canva does not allow payment links (e.g. some mobile apps)",
          })}
        </Alert>
      )}
      {me.billing.paymentsEnabled &&
        paymentsAllowed &&
        me.billing.packs.map((pack) => (
          <Button
            key={pack.id}
            variant="secondary"
            stretch
            loading={buy.status === "opening" && buy.packId === pack.id}
            onClick={() => void buyPack(pack.id)}
          >
            {intl.formatMessage(
              {
                defaultMessage: "Buy {credits, plural, one {# credit} other {# credits}} for {price}",
                description: "Button to buy a credit pack; price is formatted money",
              },
              {
                credits: pack.credits,
                price: intl.formatNumber(pack.priceCents / 100, {
                  style: "currency",
                  currency: pack.currency.toUpperCase(),
                }),
              },
            )}
          </Button>
        ))}
      {/* No prices and no working link where Canva forbids payment calls-to-action. */}
      {me.billing.paymentsEnabled && !paymentsAllowed && (
        <Button variant="secondary" stretch disabled>
          {intl.formatMessage({
            defaultMessage: "Buy credits",
            description:
              "Disabled button where payment links are not allowed; credits are bought in a browser",
          })}
        </Button>
      )}
      {!me.billing.paymentsEnabled && (
        <Text size="small" tone="tertiary">
          <FormattedMessage
            defaultMessage="Buying credits isn't available right now."
            description="Shown when the server sells no credit packs"
          />
        </Text>
      )}
      {buy.status === "opened" && (
        <Alert tone="info">
          {intl.formatMessage({
            defaultMessage: "Finish paying in your browser. Your balance updates here when you come back.",
            description: "After opening the checkout page",
          })}
        </Alert>
      )}
      {buy.status === "error" && <ErrorAlert error={buy.error} />}
    </Rows>
  );
}
