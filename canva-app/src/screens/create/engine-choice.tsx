// Which engine makes the headshots (SPEC §7.1), shown only when the server offers more than one:
// Instant studio restyles the photo itself, AI studio draws a new outfit and studio scene. Each
// option says what it costs and how long it takes before the click; AI studio adds the outfit.
import { RadioGroup, Rows, Text } from "@canva/app-ui-kit";
import type { Attire, EngineId, EngineOffer } from "@headshot/shared";
import { defineMessages, FormattedMessage, useIntl } from "react-intl";
import type { MessageDescriptor } from "react-intl";
import { useTypicalWait } from "../generating/typical-wait";
import type { GenerationChoice } from "./generation-choice";
import { PRICE } from "./price";

const engines: Record<EngineId, { name: MessageDescriptor; does: MessageDescriptor }> = {
  studio: defineMessages({
    name: {
      defaultMessage: "Instant studio",
      description: "Engine option: our fast restyle of the user's photo",
    },
    does: {
      defaultMessage: "Restyles your own photo with studio light and backdrop. Keeps your clothes.",
      description: "What the Instant studio engine does, under its name",
    },
  }),
  generative: defineMessages({
    name: { defaultMessage: "AI studio", description: "Engine option: AI-generated headshots" },
    does: {
      defaultMessage: "Creates a new outfit and studio scene with AI. Can draw shoulders a tight crop lacks.",
      description: "What the AI studio engine does, under its name",
    },
  }),
};

const attires: Record<Attire, MessageDescriptor> = defineMessages({
  business: { defaultMessage: "Business", description: "Outfit option: suit or blazer" },
  smart_casual: { defaultMessage: "Smart casual", description: "Outfit option: smart casual clothes" },
  own: { defaultMessage: "My own clothes", description: "Outfit option: keep the clothes in the photo" },
});

/** The default (business) first, the photo's own clothes last. */
const ATTIRE_ORDER: readonly Attire[] = ["business", "smart_casual", "own"];

export function EngineChoice({
  offers,
  choice,
  showCredits,
  onChange,
}: {
  offers: readonly EngineOffer[];
  choice: GenerationChoice;
  /** False in Canva Premium mode, where no credits exist. */
  showCredits: boolean;
  onChange: (choice: GenerationChoice) => void;
}) {
  const intl = useIntl();
  const typicalWait = useTypicalWait();
  const facts = (offer: EngineOffer) =>
    [
      ...(showCredits ? [intl.formatMessage(PRICE, { credits: offer.credits })] : []),
      typicalWait(offer.typicalSeconds),
    ].join(" · ");

  return (
    <Rows spacing="2u">
      <RadioGroup<EngineId>
        value={choice.engine}
        onChange={(engine) => onChange({ ...choice, engine })}
        options={offers.map((offer) => ({
          value: offer.id,
          label: (
            <Rows spacing="0.5u">
              <Text variant="bold">{intl.formatMessage(engines[offer.id].name)}</Text>
              <Text size="small" tone="secondary">
                {facts(offer)}
              </Text>
            </Rows>
          ),
          description: intl.formatMessage(engines[offer.id].does),
        }))}
      />
      {choice.engine === "generative" && (
        <Rows spacing="1u">
          <Text variant="bold">
            <FormattedMessage defaultMessage="Outfit" description="Label of the AI studio attire choice" />
          </Text>
          <RadioGroup<Attire>
            value={choice.attire}
            onChange={(attire) => onChange({ ...choice, attire })}
            options={ATTIRE_ORDER.map((attire) => ({
              value: attire,
              label: intl.formatMessage(attires[attire]),
            }))}
          />
        </Rows>
      )}
    </Rows>
  );
}
