// A grid of finished headshots in catalogue order: click one to use it, or drag it into the
// design. Thumbnails keep the result's aspect ratio. Used by the results step and the history tab.
import { Alert, Grid, ImageCard, Rows } from "@canva/app-ui-kit";
import { STYLE_IDS, type Output } from "@headshot/shared";
import { useState } from "react";
import { useIntl } from "react-intl";
import { dragHeadshot } from "../../canva/insert";
import { STYLE_NAMES } from "../create/style-names";

export function useAltText() {
  const intl = useIntl();
  return (output: Output) =>
    intl.formatMessage(
      {
        defaultMessage: "Professional headshot, {style} style",
        description: "Alt text of a generated headshot",
      },
      { style: intl.formatMessage(STYLE_NAMES[output.style]) },
    );
}

type ClickState = { status: "idle" } | { status: "busy"; outputId: string } | { status: "error" };

export function HeadshotGrid({
  outputs,
  onUse,
}: {
  outputs: readonly Output[];
  /** What a click does (add to the design, or replace the selected image). */
  onUse: (output: Output, altText: string) => Promise<void>;
}) {
  const intl = useIntl();
  const altText = useAltText();
  const [click, setClick] = useState<ClickState>({ status: "idle" });

  const use = async (output: Output) => {
    if (click.status === "busy") return;
    setClick({ status: "busy", outputId: output.id });
    try {
      await onUse(output, altText(output));
      setClick({ status: "idle" });
    } catch {
      setClick({ status: "error" });
    }
  };

  return (
    <Rows spacing="1u">
      {click.status === "error" && (
        <Alert tone="critical" onDismiss={() => setClick({ status: "idle" })}>
          {intl.formatMessage({
            defaultMessage: "We couldn't add this headshot to your design. Try again in a moment.",
            description: "Error when inserting a headshot into the design failed",
          })}
        </Alert>
      )}
      <Grid columns={2} spacing="1u">
        {inCatalogueOrder(outputs).map((output) => (
          <ImageCard
            key={output.id}
            thumbnailUrl={output.thumbnailUrl}
            thumbnailAspectRatio={output.width / output.height}
            alt={altText(output)}
            ariaLabel={altText(output)}
            loading={click.status === "busy" && click.outputId === output.id}
            onClick={() => void use(output)}
            onDragStart={(event: React.DragEvent<HTMLElement>) => dragHeadshot(event, output)}
          />
        ))}
      </Grid>
    </Rows>
  );
}

/** Square before portrait, then the catalogue's style order, whatever order they finished in. */
function inCatalogueOrder(outputs: readonly Output[]): Output[] {
  return [...outputs].sort(
    (a, b) => a.aspect.localeCompare(b.aspect) || STYLE_IDS.indexOf(a.style) - STYLE_IDS.indexOf(b.style),
  );
}
