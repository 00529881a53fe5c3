// The History tab: headshots not yet expired, newest first, each set with its expiry date; click
// or drag to reuse one, or delete a set now (after a confirmation) rather than waiting 30 days.
import { Button, LoadingIndicator, Rows, Text, Title } from "@canva/app-ui-kit";
import type { Job } from "@headshot/shared";
import { useCallback, useEffect, useState } from "react";
import { FormattedDate, FormattedMessage, useIntl } from "react-intl";
import { useApi } from "../../api/api-context";
import { ApiError } from "../../api/api-error";
import { addHeadshotToDesign } from "../../canva/insert";
import { ErrorAlert } from "../../errors/error-alert";
import { ConfirmDelete } from "../confirm-delete";
import { HeadshotGrid } from "../results/headshot-grid";

type HistoryState =
  | { status: "loading" }
  | { status: "error"; error: unknown }
  | { status: "ready"; jobs: Job[]; nextCursor: string | null; loadingMore: boolean };

export function HistoryScreen() {
  const intl = useIntl();
  const api = useApi();
  const [state, setState] = useState<HistoryState>({ status: "loading" });

  /** The first page (no cursor), or the next one appended to the sets listed by then. */
  const load = useCallback(
    async (cursor: string | null) => {
      try {
        const page = await api.listJobs(cursor);
        const fresh = page.jobs.filter((j) => j.outputs.length > 0);
        setState((s) => ({
          status: "ready",
          jobs: cursor && s.status === "ready" ? [...s.jobs, ...fresh] : fresh,
          nextCursor: page.nextCursor,
          loadingMore: false,
        }));
      } catch (error) {
        setState({ status: "error", error });
      }
    },
    [api],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const remove = async (job: Job) => {
    try {
      await api.deleteJob(job.id);
    } catch (error) {
      // Gone already (deleted from another device, or expired meanwhile): that is what was asked.
      if (!(error instanceof ApiError && error.code === "NOT_FOUND")) throw error;
    }
    setState((s) => (s.status === "ready" ? { ...s, jobs: s.jobs.filter((j) => j.id !== job.id) } : s));
  };

  if (state.status === "loading") return <LoadingIndicator />;
  if (state.status === "error") {
    return <ErrorAlert error={state.error} actions={{ retry: () => void load(null) }} />;
  }
  if (state.jobs.length === 0) {
    return (
      <Text>
        <FormattedMessage
          defaultMessage="Headshots you create appear here for 30 days."
          description="Empty history"
        />
      </Text>
    );
  }
  return (
    <Rows spacing="3u">
      {state.jobs.map((job) => (
        <Rows key={job.id} spacing="1u">
          <Title size="xsmall">
            <FormattedDate value={job.createdAt} dateStyle="medium" timeStyle="short" />
          </Title>
          <Text size="small" tone="tertiary">
            <FormattedMessage
              defaultMessage="Kept until {date}"
              description="When a set of headshots will be deleted automatically"
              values={{ date: intl.formatDate(earliestExpiry(job), { dateStyle: "medium" }) }}
            />
          </Text>
          <HeadshotGrid outputs={job.outputs} onUse={addHeadshotToDesign} />
          <DeleteSet count={job.outputs.length} onDelete={() => remove(job)} />
        </Rows>
      ))}
      {state.nextCursor && (
        <Button
          variant="secondary"
          stretch
          loading={state.loadingMore}
          onClick={() => {
            setState({ ...state, loadingMore: true });
            void load(state.nextCursor);
          }}
        >
          {intl.formatMessage({
            defaultMessage: "Show older headshots",
            description: "Button: load more history",
          })}
        </Button>
      )}
    </Rows>
  );
}

type DeleteState = { status: "idle" | "confirming" | "deleting" } | { status: "error"; error: unknown };

/** Deleting a set can't be undone, so the button asks first; a failure keeps the set and says so. */
function DeleteSet({ count, onDelete }: { count: number; onDelete: () => Promise<void> }) {
  const intl = useIntl();
  const [state, setState] = useState<DeleteState>({ status: "idle" });
  if (state.status === "idle") {
    return (
      <Button variant="tertiary" onClick={() => setState({ status: "confirming" })}>
        {intl.formatMessage({
          defaultMessage: "Delete these headshots now",
          description: "Button: delete one set of headshots before it expires",
        })}
      </Button>
    );
  }
  const confirm = async () => {
    setState({ status: "deleting" });
    try {
      await onDelete(); // on success the set leaves the list, and this control with it
    } catch (error) {
      setState({ status: "error", error });
    }
  };
  return (
    <Rows spacing="1u">
      <ConfirmDelete
        title={intl.formatMessage({
          defaultMessage: "Delete these headshots now?",
          description: "Title: confirm deleting one set of headshots",
        })}
        body={intl.formatMessage(
          {
            defaultMessage:
              "{count, plural, one {This headshot is} other {These # headshots are}} deleted right away and can't be recovered. Copies you already added to designs stay there.",
            description: "Body: confirm deleting one set of headshots",
          },
          { count },
        )}
        confirmLabel={intl.formatMessage({
          defaultMessage: "Yes, delete them",
          description: "Button: confirm deleting one set of headshots",
        })}
        keepLabel={intl.formatMessage({
          defaultMessage: "Keep them",
          description: "Button: cancel deleting one set of headshots",
        })}
        deleting={state.status === "deleting"}
        onConfirm={() => void confirm()}
        onKeep={() => setState({ status: "idle" })}
      />
      {state.status === "error" && <ErrorAlert error={state.error} />}
    </Rows>
  );
}

function earliestExpiry(job: Job): string {
  return job.outputs.map((o) => o.expiresAt).sort()[0] ?? job.createdAt;
}
