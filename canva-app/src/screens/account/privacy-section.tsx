// Your data (SPEC §9): what we hold, a copy of it, and erasure now — with a confirmation that
// says exactly what goes and what stays, and the receipt id afterwards.
import { Alert, Button, Rows, Text, Title } from "@canva/app-ui-kit";
import type { DeleteMeResponse, MeResponse } from "@headshot/shared";
import { useState } from "react";
import { defineMessages, FormattedMessage, useIntl } from "react-intl";
import { useApi } from "../../api/api-context";
import { openExternalUrl } from "../../canva/payments";
import { ErrorAlert } from "../../errors/error-alert";
import { ConfirmDelete } from "../confirm-delete";
import { summariseExport } from "./export-summary";
import type { ExportSummary } from "./export-summary";

type ExportState =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "ready"; summary: ExportSummary }
  | { status: "error"; error: unknown };

type DeleteState =
  | { status: "idle" }
  | { status: "confirming" }
  | { status: "deleting" }
  | { status: "deleted"; receipt: DeleteMeResponse }
  | { status: "error"; error: unknown };

export function PrivacySection({ me, onErased }: { me: MeResponse; onErased: () => void }) {
  const intl = useIntl();
  const api = useApi();
  const [exported, setExported] = useState<ExportState>({ status: "idle" });
  const [erase, setErase] = useState<DeleteState>({ status: "idle" });

  const download = async () => {
    setExported({ status: "loading" });
    try {
      setExported({ status: "ready", summary: summariseExport(await api.exportMyData()) });
    } catch (error) {
      setExported({ status: "error", error });
    }
  };

  const deleteEverything = async () => {
    setErase({ status: "deleting" });
    try {
      setErase({ status: "deleted", receipt: await api.deleteMe() });
    } catch (error) {
      setErase({ status: "error", error });
    }
  };

  if (erase.status === "deleted") {
    return (
      <Rows spacing="1.5u">
        <Alert
          tone="positive"
          title={intl.formatMessage({
            defaultMessage: "Your data has been deleted",
            description: "Title after erasure",
          })}
        >
          {intl.formatMessage(
            {
              defaultMessage: "Receipt: {receiptId}. Keep it if you contact support about this deletion.",
              description: "Erasure receipt id shown after deleting all data",
            },
            { receiptId: erase.receipt.receiptId },
          )}
        </Alert>
        <Button variant="secondary" stretch onClick={onErased}>
          {intl.formatMessage({ defaultMessage: "Done", description: "Button: leave the erasure receipt" })}
        </Button>
      </Rows>
    );
  }

  return (
    <Rows spacing="1.5u">
      <Title size="small">
        <FormattedMessage defaultMessage="Your data" description="Heading of the privacy section" />
      </Title>
      <Text size="small">
        <FormattedMessage
          defaultMessage="Your photos are never stored. Headshots are deleted automatically after 30 days."
          description="Privacy summary in the account tab"
        />
      </Text>
      <Text size="small" tone="tertiary">
        <FormattedMessage
          defaultMessage="Privacy reference: {reference}. Quote it if you email us about your data, so we can find it without asking for anything else."
          description="The user's privacy reference (their internal id), used by support to verify privacy requests"
          values={{ reference: me.user.id }}
        />
      </Text>
      <Button
        variant="secondary"
        stretch
        loading={exported.status === "loading"}
        onClick={() => void download()}
      >
        {intl.formatMessage({ defaultMessage: "Download my data", description: "Button: export my data" })}
      </Button>
      {exported.status === "ready" && <ExportResult summary={exported.summary} />}
      {exported.status === "error" && <ErrorAlert error={exported.error} />}

      {erase.status === "confirming" || erase.status === "deleting" ? (
        <ConfirmDelete
          title={intl.formatMessage({
            defaultMessage: "Delete all your data now?",
            description: "Erasure confirmation title",
          })}
          body={
            me.billing.mode === "credits"
              ? intl.formatMessage(
                  {
                    defaultMessage:
                      "This permanently deletes, right away: all your headshots and their files, your generation history, your consent record, and your {balance, plural, one {# remaining credit} other {# remaining credits}} with their history. Purchase records are kept for tax law, without anything linking them to you. This can't be undone.",
                    description: "Erasure confirmation in credits mode: exactly what is deleted and kept",
                  },
                  { balance: me.credits.balance },
                )
              : intl.formatMessage({
                  defaultMessage:
                    "This permanently deletes, right away: all your headshots and their files, your generation history and your consent record. This can't be undone.",
                  description: "Erasure confirmation in Canva Premium mode: exactly what is deleted",
                })
          }
          confirmLabel={intl.formatMessage({
            defaultMessage: "Yes, delete everything",
            description: "Button: confirm erasure",
          })}
          keepLabel={intl.formatMessage({
            defaultMessage: "Keep my data",
            description: "Button: cancel erasure",
          })}
          deleting={erase.status === "deleting"}
          onConfirm={() => void deleteEverything()}
          onKeep={() => setErase({ status: "idle" })}
        />
      ) : (
        <Button variant="secondary" stretch onClick={() => setErase({ status: "confirming" })}>
          {intl.formatMessage({ defaultMessage: "Delete my data", description: "Button: start erasure" })}
        </Button>
      )}
      {erase.status === "error" && <ErrorAlert error={erase.error} />}
    </Rows>
  );
}

/** What the export summary counts, in the order it lists them. */
const HELD = ["jobs", "outputs", "ledger", "consents"] as const;
const heldCounts = defineMessages({
  jobs: {
    defaultMessage: "{count, plural, one {# generation} other {# generations}}",
    description: "Data export summary: number of generation jobs held",
  },
  outputs: {
    defaultMessage: "{count, plural, one {# headshot} other {# headshots}}",
    description: "Data export summary: number of generated headshots held",
  },
  ledger: {
    defaultMessage: "{count, plural, one {# credit entry} other {# credit entries}}",
    description: "Data export summary: number of credit ledger entries held",
  },
  consents: {
    defaultMessage: "{count, plural, one {# consent record} other {# consent records}}",
    description: "Data export summary: number of consent records held",
  },
});

function ExportResult({ summary }: { summary: ExportSummary }) {
  const intl = useIntl();
  return (
    <Alert
      tone="info"
      title={intl.formatMessage({
        defaultMessage: "What we hold about you",
        description: "Export summary title",
      })}
    >
      <Rows spacing="1u">
        {HELD.map((kind) => (
          <Text key={kind} size="small">
            {intl.formatMessage(heldCounts[kind], { count: summary.counts[kind] })}
          </Text>
        ))}
        <Text size="small">
          {intl.formatMessage({
            defaultMessage:
              "That is everything Headshot Studio holds about you. Your photos are never stored.",
            description: "Data export summary: closing line",
          })}
        </Text>
        {summary.downloadUrl && (
          <Button
            variant="secondary"
            onClick={() => summary.downloadUrl && void openExternalUrl(summary.downloadUrl)}
          >
            {intl.formatMessage({
              defaultMessage: "Open the full export",
              description: "Button: open the machine-readable export in the browser",
            })}
          </Button>
        )}
      </Rows>
    </Alert>
  );
}
