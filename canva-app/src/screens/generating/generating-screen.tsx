// Step 3: the job is running. One tile per style that fills in as its headshot arrives, the
// current stage, a progress bar, how long it usually takes, and Cancel.
import { Button, ProgressBar, Rows, Text, Title } from "@canva/app-ui-kit";
import type { Job, JobStage } from "@headshot/shared";
import { useEffect, useRef } from "react";
import { defineMessages, FormattedMessage, useIntl } from "react-intl";
import { useApi } from "../../api/api-context";
import { pollJob } from "./poll-job";
import type { Sleep } from "./poll-job";
import { StyleTiles } from "./style-tiles";
import { useTypicalWait } from "./typical-wait";

const stages = defineMessages({
  queued: { defaultMessage: "Waiting for a free studio…", description: "Job stage: queued" },
  validating: { defaultMessage: "Checking your photo…", description: "Job stage: validating the photo" },
  detecting: { defaultMessage: "Finding your face…", description: "Job stage: face detection" },
  framing: { defaultMessage: "Framing your headshot…", description: "Job stage: cropping around the face" },
  segmenting: {
    defaultMessage: "Separating you from the background…",
    description: "Job stage: segmentation",
  },
  rendering: { defaultMessage: "Lighting your studio styles…", description: "Job stage: rendering styles" },
  generating: {
    defaultMessage: "Photographing you in each studio…",
    description: "Job stage: the AI studio engine is generating each style",
  },
  storing: { defaultMessage: "Saving your headshots…", description: "Job stage: storing results" },
});

function stageMessage(job: Job) {
  return job.status === "queued" ? stages.queued : stages[job.stage satisfies JobStage];
}

export function GeneratingScreen({
  job,
  typicalSeconds,
  onUpdate,
  onEnd,
  onPollError,
  onCancel,
  canceling,
  wait,
}: {
  job: Job;
  /** How long a job on this engine usually takes (GET /v1/me), said while waiting. */
  typicalSeconds: number;
  onUpdate: (job: Job) => void;
  /** The job reached succeeded, failed or canceled. */
  onEnd: (job: Job) => void;
  /** Polling hit an error that won't pass by waiting. */
  onPollError: (error: unknown) => void;
  onCancel: () => void;
  canceling: boolean;
  /** Injected in tests instead of real timers. */
  wait?: Sleep;
}) {
  const intl = useIntl();
  const api = useApi();
  const typicalWait = useTypicalWait();
  const jobId = job.id;

  // The job id alone decides what is polled; the handlers are read fresh on each event.
  const handlers = useRef({ onUpdate, onEnd, onPollError });
  useEffect(() => {
    handlers.current = { onUpdate, onEnd, onPollError };
  });

  useEffect(() => {
    const controller = new AbortController();
    pollJob({
      jobId,
      getJob: api.getJob,
      onUpdate: (update) => handlers.current.onUpdate(update),
      signal: controller.signal,
      ...(wait && { wait }),
    }).then(
      (ended) => {
        if (!controller.signal.aborted) handlers.current.onEnd(ended);
      },
      (error: unknown) => {
        if (!controller.signal.aborted) handlers.current.onPollError(error);
      },
    );
    return () => controller.abort();
  }, [jobId, api, wait]);

  return (
    <Rows spacing="2u">
      <Title size="small">
        <FormattedMessage defaultMessage="Creating your headshots" description="Heading while generating" />
      </Title>
      <StyleTiles job={job} />
      <Text>{intl.formatMessage(stageMessage(job))}</Text>
      <ProgressBar
        value={Math.round(job.progress * 100)}
        ariaLabel={intl.formatMessage({
          defaultMessage: "Generation progress",
          description: "Progress bar label",
        })}
      />
      <Text size="small" tone="tertiary">
        <FormattedMessage
          defaultMessage="This usually takes {wait}. You can keep working on your design."
          description="Expected wait while generating; wait is e.g. 'a few seconds' or 'about a minute'"
          values={{ wait: typicalWait(typicalSeconds) }}
        />
      </Text>
      <Button variant="secondary" stretch loading={canceling} onClick={onCancel}>
        {intl.formatMessage({ defaultMessage: "Cancel", description: "Button: cancel generation" })}
      </Button>
    </Rows>
  );
}
