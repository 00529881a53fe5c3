// Shows a photo that works under an error about the user's photo (SPEC §7.2.1: a photo cropped too
// close is answered with what to use instead). The images are small and inlined by the build.
import { Column, Columns, ImageCard, Text } from "@canva/app-ui-kit";
import { defineMessages, useIntl } from "react-intl";
import type { MessageDescriptor } from "react-intl";
import type { PhotoExample } from "./error-messages";
// Inlined on purpose: 6.7 KB, and it must show when the user's own photo has just failed, without
// a request to another host (examples/README.md has its origin).
// eslint-disable-next-line no-restricted-imports
import headAndShoulders from "./examples/head-and-shoulders.jpg";

const messages = defineMessages({
  headAndShouldersAlt: {
    defaultMessage: "Example: a photo showing head and shoulders",
    description: "Alt text of an example photo of a person's head and shoulders, shown after a photo error",
  },
  caption: {
    defaultMessage: "A photo like this works",
    description: "Caption beside an example of a good photo, shown after a photo error",
  },
});

const EXAMPLES: Record<PhotoExample, { url: string; aspectRatio: number; alt: MessageDescriptor }> = {
  head_and_shoulders: { url: headAndShoulders, aspectRatio: 160 / 200, alt: messages.headAndShouldersAlt },
};

export function GoodPhotoExample({ example }: { example: PhotoExample }) {
  const intl = useIntl();
  const { url, aspectRatio, alt } = EXAMPLES[example];
  return (
    <Columns spacing="2u" alignY="center">
      <Column width="1/3">
        <ImageCard
          thumbnailUrl={url}
          alt={intl.formatMessage(alt)}
          thumbnailAspectRatio={aspectRatio}
          borderRadius="standard"
        />
      </Column>
      <Column>
        <Text size="small" tone="secondary">
          {intl.formatMessage(messages.caption)}
        </Text>
      </Column>
    </Columns>
  );
}
