// Step 2: which styles (all six by default), which shape, and what it costs — then Generate.
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
import type { Aspect, Rgb, StyleId } from "@headshot/shared";
import { FormattedMessage, useIntl } from "react-intl";
import { ErrorAlert } from "../../errors/error-alert";
import type { ErrorAction } from "../../errors/error-messages";
import type { Photo } from "./photo";
import { STYLE_NAMES } from "./style-names";

export interface StyleChoice {
  styles: StyleId[];
  aspect: Aspect;
}

export const DEFAULT_CHOICE: StyleChoice = { styles: STYLES.map((s) => s.id), aspect: "1:1" };

const hex = (rgb: Rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;

export function StylesScreen({
  photo,
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
  choice: StyleChoice;
  onChange: (choice: StyleChoice) => void;
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
            : intl.formatMessage({
                defaultMessage: "Canceled. Your Headshot Studio credit is back.",
                description: "Notice after the user canceled a generation: the credit was refunded",
              })}
        </Alert>
      )}
      <Button
        variant="primary"
        stretch
        disabled={choice.styles.length === 0}
        loading={submitting}
        onClick={onGenerate}
      >
        {intl.formatMessage(
          {
            defaultMessage: "{count, plural, one {Generate # headshot} other {Generate # headshots}}",
            description: "Button that starts generating; count is the number of chosen styles",
          },
          { count: choice.styles.length },
        )}
      </Button>
      {credits != null && (
        <Text size="small" tone="tertiary" alignment="center">
          {credits > 0 ? (
            <FormattedMessage
              defaultMessage="Uses 1 of {balance, plural, one {# Headshot Studio credit} other {# Headshot Studio credits}}"
              description="Cost of one generation, attributed to the app by name; balance is the user's credits"
              values={{ balance: credits }}
            />
          ) : (
            <FormattedMessage
              defaultMessage="You have no Headshot Studio credits left"
              description="Shown under Generate when the balance is zero"
            />
          )}
        </Text>
      )}
    </Rows>
  );
}
