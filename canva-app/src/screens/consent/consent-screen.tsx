// First use: what happens to the photo — where it goes on each engine on offer (SPEC §7.3
// Privacy) — then photo-processing consent and the 18+ confirmation (SPEC §9). Nothing else in the
// panel is reachable until the server has recorded both.
import { Button, Checkbox, Rows, Text, Title } from "@canva/app-ui-kit";
import type { EngineOffer } from "@headshot/shared";
import { useState } from "react";
import { FormattedMessage, useIntl } from "react-intl";
import { useApi } from "../../api/api-context";
import { ErrorAlert } from "../../errors/error-alert";

type SubmitState = { status: "idle" } | { status: "saving" } | { status: "error"; error: unknown };

export function ConsentScreen({
  policyVersion,
  engines,
  onConsented,
}: {
  /** The policy version the server currently asks consent to (`/v1/me`), not a bundled one. */
  policyVersion: string;
  /** The engines on offer (`/v1/me`): AI studio is explained only where it is one of them. */
  engines: readonly EngineOffer[];
  onConsented: () => void;
}) {
  const intl = useIntl();
  const api = useApi();
  const [processing, setProcessing] = useState(false);
  const [adult, setAdult] = useState(false);
  const [submit, setSubmit] = useState<SubmitState>({ status: "idle" });
  const aiStudio = engines.find((engine) => engine.id === "generative");

  const agree = async () => {
    setSubmit({ status: "saving" });
    try {
      await api.giveConsent(policyVersion);
      onConsented();
    } catch (error) {
      setSubmit({ status: "error", error });
    }
  };

  return (
    <Rows spacing="2u">
      <Title size="small">
        <FormattedMessage
          defaultMessage="Studio headshots from one photo"
          description="Heading of the first-use screen"
        />
      </Title>
      <Text>
        <FormattedMessage
          defaultMessage="Give us one photo of yourself and get six professional headshots in seconds."
          description="What the app does, on the first-use screen"
        />
      </Text>
      <Rows spacing="1u">
        <Text variant="bold">
          <FormattedMessage
            defaultMessage="What happens to your photo"
            description="Heading above the privacy facts on the first-use screen"
          />
        </Text>
        {aiStudio ? (
          <>
            <Text>
              <FormattedMessage
                defaultMessage="Instant studio: your photo is processed in memory on our servers and never stored."
                description="Privacy fact: where the photo goes with the Instant studio engine"
              />
            </Text>
            <Text>
              {aiStudio.processedBy === "gpu_provider" ? (
                <FormattedMessage
                  defaultMessage="AI studio: a smaller copy of your photo, without your name or account, goes to our GPU provider, which deletes it within an hour. We never store it."
                  description="Privacy fact: where the photo goes with the AI studio engine run by a hosted GPU provider (one-hour retention)"
                />
              ) : (
                <FormattedMessage
                  defaultMessage="AI studio: a smaller copy of your photo, without your name or account, goes to our own GPU servers and is discarded once your headshots are made. We never store it."
                  description="Privacy fact: where the photo goes with the AI studio engine on our own GPU servers"
                />
              )}
            </Text>
          </>
        ) : (
          <Text>
            <FormattedMessage
              defaultMessage="Your photo is used only to make your headshots. It is never stored: we discard it as soon as they are made."
              description="Privacy fact: the uploaded photo is never stored"
            />
          </Text>
        )}
        <Text>
          <FormattedMessage
            defaultMessage="Your headshots are kept for 30 days so you can add them to designs, then deleted automatically. You can delete them sooner at any time."
            description="Privacy fact: results kept 30 days"
          />
        </Text>
        <Text>
          <FormattedMessage
            defaultMessage="We don't recognise or identify faces, and your photos are never used to train AI."
            description="Privacy fact: no face recognition, no training"
          />
        </Text>
      </Rows>
      <Rows spacing="1u">
        <Checkbox
          checked={processing}
          onChange={(_, checked) => setProcessing(checked)}
          label={intl.formatMessage({
            defaultMessage: "I agree to Headshot Studio processing my photo to create headshots",
            description: "Consent checkbox for photo processing",
          })}
        />
        <Checkbox
          checked={adult}
          onChange={(_, checked) => setAdult(checked)}
          label={intl.formatMessage({
            defaultMessage: "I am 18 or older",
            description: "Age confirmation checkbox",
          })}
        />
      </Rows>
      {submit.status === "error" && (
        <ErrorAlert error={submit.error} actions={{ retry: () => void agree() }} />
      )}
      <Button
        variant="primary"
        stretch
        disabled={!processing || !adult}
        loading={submit.status === "saving"}
        onClick={() => void agree()}
      >
        {intl.formatMessage({ defaultMessage: "Continue", description: "Button that records consent" })}
      </Button>
    </Rows>
  );
}
