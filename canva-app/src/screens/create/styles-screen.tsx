// Step 2: which engine (where there is a choice), which styles (all six by default), which shape,
// and what it costs — then Generate.
import {
  Alert,
  Button,
  Checkbox,
  Column,
  Columns,
  ImageCard,
  Rows,
  SegmentedControl,
  Swatch,
  Text,
  Title,
} from "@canva/app-ui-kit";
import { STYLES } from "@headshot/shared";
import type { Aspect, EngineOffer, Rgb, StyleId } from "@headshot/shared";
import { FormattedMessage, useIntl } from "react-intl";
import { ErrorAlert } from "../../errors/error-alert";
import type { ErrorAction } from "../../errors/error-messages";
import { CreditLine } from "./credit-line";
import { EngineChoice } from "./engine-choice";
import { offerOf } from "./generation-choice";
import type { GenerationChoice } from "./generation-choice";
import type { Photo } from "./photo";
import { PRICE } from "./price";
import { STYLE_NAMES } from "./style-names";

const hex = (rgb: Rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;

export function StylesScreen({
  photo,
  offers,
  choice,
  onChange,
  credits,
  submitting,
  error,
  errorActions,
  canceled = false,
  onGenerate,
  onChangePhoto,
}: {
  photo: Photo;
  /** The engines on offer (GET /v1/me); a choice is shown only when there is more than one. */
  offers: readonly EngineOffer[];
  choice: GenerationChoice;
  onChange: (choice: GenerationChoice) => void;
  /** The balance in credits mode; `null` in Canva Premium mode, where no credits are shown. */
  credits: number | null;
  submitting: boolean;
  error?: unknown;
  errorActions: Partial<Record<ErrorAction, () => void>>;
  /** The user just canceled a generation: say that nothing was spent. */
  canceled?: boolean;
  onGenerate: () => void;
  onChangePhoto: () => void;
}) {
  const intl = useIntl();
  const engineChoice = offers.length > 1;
  // The chosen engine is always one on offer; 1 is the studio price, should a server list none.
  const cost = offerOf(offers, choice.engine)?.credits ?? 1;
  const toggle = (id: StyleId, on: boolean) =>
    onChange({
      ...choice,
      // Keep catalogue order whatever order the user clicks in.
      styles: STYLES.map((s) => s.id).filter((s) => (s === id ? on : choice.styles.includes(s))),
    });

  return (
    <Rows spacing="2u">
      <Columns spacing="2u" alignY="center">
        <Column width="1/4">
          <ImageCard
            thumbnailUrl={photo.previewUrl}
            alt={intl.formatMessage({
              defaultMessage: "Your photo",
              description: "Alt text of the user's photo",
            })}
            ariaLabel={intl.formatMessage({
              defaultMessage: "Your photo",
              description: "Alt text of the user's photo",
            })}
            thumbnailHeight={64}
          />
        </Column>
        <Column>
          <Button variant="tertiary" onClick={onChangePhoto}>
            {intl.formatMessage({
              defaultMessage: "Change photo",
              description: "Button: go back and pick another photo",
            })}
          </Button>
        </Column>
      </Columns>
      {engineChoice && (
        <>
          <Title size="small">
            <FormattedMessage
              defaultMessage="Choose your studio"
              description="Heading of the engine choice (Instant studio or AI studio)"
            />
          </Title>
          <EngineChoice offers={offers} choice={choice} showCredits={credits != null} onChange={onChange} />
        </>
      )}
      <Title size="small">
        <FormattedMessage defaultMessage="Choose your styles" description="Heading of the style step" />
      </Title>
      <Rows spacing="1u">
        {STYLES.map((style) => (
          <Columns key={style.id} spacing="1u" alignY="center">
            <Column width="content">
              <Swatch
                fill={[hex(style.backdrop.center), hex(style.backdrop.edge)]}
                active={choice.styles.includes(style.id)}
                onClick={() => toggle(style.id, !choice.styles.includes(style.id))}
                tooltipLabel={intl.formatMessage(STYLE_NAMES[style.id])}
              />
            </Column>
            <Column>
              <Checkbox
                checked={choice.styles.includes(style.id)}
                onChange={(_, checked) => toggle(style.id, checked)}
                label={intl.formatMessage(STYLE_NAMES[style.id])}
              />
            </Column>
          </Columns>
        ))}
      </Rows>
      <Text variant="bold">
        <FormattedMessage defaultMessage="Shape" description="Label of the aspect ratio choice" />
      </Text>
      <SegmentedControl<Aspect>
        value={choice.aspect}
        onChange={(aspect) => onChange({ ...choice, aspect })}
        options={[
          {
            value: "1:1",
            label: intl.formatMessage({ defaultMessage: "Square", description: "Aspect ratio option 1:1" }),
          },
          {
            value: "4:5",
            label: intl.formatMessage({
              defaultMessage: "Portrait 4:5",
              description: "Aspect ratio option 4:5",
            }),
          },
        ]}
      />
      {error !== undefined && <ErrorAlert error={error} actions={errorActions} />}
      {canceled && (
        <Alert tone="info">
          {credits == null
            ? intl.formatMessage({
                defaultMessage: "Canceled. Nothing was generated.",
                description: "Notice after the user canceled a generation (Canva Premium mode)",
              })
            : intl.formatMessage(
                {
                  defaultMessage:
                    "Canceled. {cost, plural, one {Your Headshot Studio credit is back.} other {Your # Headshot Studio credits are back.}}",
                  description:
                    "Notice after the user canceled a generation: the credits it cost (cost) were refunded",
                },
                { cost },
              )}
        </Alert>
      )}
      <Button
        variant="primary"
        stretch
        disabled={choice.styles.length === 0}
        loading={submitting}
        onClick={onGenerate}
      >
        {[
          intl.formatMessage(
            {
              defaultMessage: "{count, plural, one {Generate # headshot} other {Generate # headshots}}",
              description: "Button that starts generating; count is the number of chosen styles",
            },
            { count: choice.styles.length },
          ),
          // With an engine choice the price differs by engine: the button says it before the click.
          ...(engineChoice && credits != null ? [intl.formatMessage(PRICE, { credits: cost })] : []),
        ].join(" · ")}
      </Button>
      {credits != null && <CreditLine balance={credits} cost={cost} />}
    </Rows>
  );
}
