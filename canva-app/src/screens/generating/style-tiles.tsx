// One tile per chosen style while a job runs, labelled with the style's name: a placeholder until
// that style's headshot arrives in the polled job (AI studio delivers them one at a time), then its
// thumbnail; a style the job lists as missing says it couldn't be made, and why.
import { Box, Grid, ImageCard, Placeholder, Rows, Text } from "@canva/app-ui-kit";
import { ASPECTS } from "@headshot/shared";
import type { Job, StyleId } from "@headshot/shared";
import { useIntl } from "react-intl";
import { STYLE_NAMES } from "../create/style-names";
import { useAltText } from "../results/headshot-grid";
import { MISSING_REASONS } from "./missing-reasons";

export function StyleTiles({ job }: { job: Job }) {
  const intl = useIntl();
  const altText = useAltText();
  // The panel asks for one shape; the tiles take it (thumbnails keep the result's aspect).
  const aspect = job.aspects[0] ?? "1:1";
  const { width, height } = ASPECTS[aspect];

  const tile = (style: StyleId) => {
    const output = job.outputs.find((o) => o.style === style && o.aspect === aspect);
    if (output) {
      return (
        <ImageCard
          thumbnailUrl={output.thumbnailUrl}
          thumbnailAspectRatio={width / height}
          alt={altText(output)}
          ariaLabel={altText(output)}
          borderRadius="standard"
        />
      );
    }
    const missing = job.missing.find((m) => m.style === style);
    if (missing) {
      // Outlined, so it doesn't read as one more placeholder still loading.
      return (
        <Box
          border="ui"
          borderRadius="large"
          padding="1u"
          display="flex"
          alignItems="center"
          justifyContent="center"
        >
          <Text size="small" tone="secondary" alignment="center">
            {intl.formatMessage(
              {
                defaultMessage: "Couldn't be made: {reason}",
                description: "In place of a headshot style that failed; reason says why (e.g. took too long)",
              },
              { reason: intl.formatMessage(MISSING_REASONS[missing.reason]) },
            )}
          </Text>
        </Box>
      );
    }
    return <Placeholder shape="rectangle" />;
  };

  return (
    <Grid columns={2} spacing="1u">
      {job.styles.map((style) => (
        <Rows key={style} spacing="0.5u">
          <div data-aspect={aspect} style={{ aspectRatio: `${width} / ${height}`, display: "grid" }}>
            {tile(style)}
          </div>
          <Text size="small" tone="tertiary">
            {intl.formatMessage(STYLE_NAMES[style])}
          </Text>
        </Rows>
      ))}
    </Grid>
  );
}
