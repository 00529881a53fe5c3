// Step 4: the headshots. Click or drag one into the design; when the photo came from the design,
// it can instead replace that image in place. Styles an AI studio job couldn't make are listed
// with the reason. Then: generate again, or report a bad result.
import { Button, Link, Rows, SegmentedControl, Text, Title } from "@canva/app-ui-kit";
import type { Aspect, Job } from "@headshot/shared";
import type { ImageRef } from "@canva/asset";
import { useEffect, useState } from "react";
import { FormattedMessage, useIntl } from "react-intl";
import { addHeadshotToDesign, replaceSelectedImage } from "../../canva/insert";
import { openExternalUrl } from "../../canva/payments";
import { useSelectedImage } from "../../canva/selection";
import type { SelectedImage } from "../../canva/selection";
import type { Photo } from "../create/photo";
import { HeadshotGrid } from "./headshot-grid";
import { MissingStylesNotice } from "./missing-styles-notice";

type ClickMode = "add" | "replace";

export function ResultsScreen({
  job,
  aspect,
  photo,
  showCredits,
  onGenerateAgain,
  onNewPhoto,
}: {
  job: Job;
  aspect: Aspect;
  photo: Photo;
  /** False in Canva Premium mode, where no credits are shown. */
  showCredits: boolean;
  onGenerateAgain: () => void;
  onNewPhoto: () => void;
}) {
  const intl = useIntl();
  const selected = useSelectedImage();
  const [mode, setMode] = useState<ClickMode>("add");
  const sourceRef = photo.source.kind === "selection" ? photo.source.ref : null;
  // Which image is selected now: "Replace" is offered only while it is the one the photo came from.
  const [read, setRead] = useState<{ from: SelectedImage; ref: ImageRef | undefined } | null>(null);
  useEffect(() => {
    if (!sourceRef || selected.count !== 1) return;
    let live = true;
    selected.read().then(
      (draft) => {
        if (live) setRead({ from: selected, ref: draft.contents[0]?.ref });
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [selected, sourceRef]);
  const canReplace =
    sourceRef != null && selected.count === 1 && read?.from === selected && read.ref === sourceRef;
  const outputs = job.outputs.filter((o) => o.aspect === aspect);
  const reportUrl = `${REPORT_URL}?job=${encodeURIComponent(job.id)}`;

  const use = async (output: Job["outputs"][number], altText: string) => {
    if (canReplace && mode === "replace") {
      const draft = await selected.read();
      // Checked again at the click: never overwrite an image the photo did not come from.
      if (draft.contents.length === 1 && draft.contents[0]?.ref === sourceRef) {
        await replaceSelectedImage(output, draft);
        return;
      }
    }
    await addHeadshotToDesign(output, altText);
  };

  return (
    <Rows spacing="2u">
      <Title size="small">
        <FormattedMessage defaultMessage="Your headshots" description="Heading of the results step" />
      </Title>
      <Text>
        <FormattedMessage
          defaultMessage="Click a headshot to add it to your design, or drag it where you want it."
          description="How to use the results"
        />
      </Text>
      {canReplace && (
        <SegmentedControl<ClickMode>
          value={mode}
          onChange={setMode}
          options={[
            {
              value: "add",
              label: intl.formatMessage({
                defaultMessage: "Add to design",
                description: "Click mode: add a new image",
              }),
            },
            {
              value: "replace",
              label: intl.formatMessage({
                defaultMessage: "Replace selected image",
                description: "Click mode: replace the selected image in place",
              }),
            },
          ]}
        />
      )}
      <MissingStylesNotice missing={job.missing} showCredits={showCredits} />
      <HeadshotGrid outputs={outputs} onUse={use} />
      <Button variant="primary" stretch onClick={onGenerateAgain}>
        {intl.formatMessage({
          defaultMessage: "Generate again",
          description: "Button: back to styles, same photo",
        })}
      </Button>
      <Button variant="secondary" stretch onClick={onNewPhoto}>
        {intl.formatMessage({
          defaultMessage: "Use a different photo",
          description: "Button: start with a new photo",
        })}
      </Button>
      <Text size="small" tone="tertiary" alignment="center">
        <Link href={reportUrl} requestOpenExternalUrl={() => void openExternalUrl(reportUrl)}>
          {intl.formatMessage({
            defaultMessage: "Report a bad result",
            description: "Link to report a bad headshot",
          })}
        </Link>
      </Text>
    </Rows>
  );
}
