// Step 1: where the photo comes from — a file, or the image selected in the design (Canva asks
// apps to offer both). Type and size are checked here, before anything is uploaded.
import { Button, FileInput, Rows, Text, Title } from "@canva/app-ui-kit";
import { useState } from "react";
import type { ReactNode } from "react";
import { FormattedMessage, useIntl } from "react-intl";
import { ApiError } from "../../api/api-error";
import { downloadImage, useSelectedImage } from "../../canva/selection";
import { ErrorAlert } from "../../errors/error-alert";
import { ACCEPTED_TYPES, photoFrom } from "./photo";
import type { Photo } from "./photo";

type InputState = { status: "idle" } | { status: "reading" } | { status: "error"; error: unknown };

export function PhotoInputScreen({
  onPhoto,
  initialError,
  alternative,
}: {
  onPhoto: (photo: Photo) => void;
  /** An error from a later step that sent the user back here (e.g. no face found). */
  initialError?: unknown;
  /** Another way on than a new photo, shown under that error (e.g. AI studio for a tight crop). */
  alternative?: ReactNode;
}) {
  const intl = useIntl();
  const selected = useSelectedImage();
  const [state, setState] = useState<InputState>(
    initialError ? { status: "error", error: initialError } : { status: "idle" },
  );

  const useFile = (files: File[]) => {
    const file = files[0];
    if (!file) return;
    try {
      onPhoto(photoFrom(file, file.name, { kind: "file" }));
    } catch (error) {
      setState({ status: "error", error });
    }
  };

  const useSelection = async () => {
    setState({ status: "reading" });
    try {
      const draft = await selected.read();
      const content = draft.contents[0];
      if (!content) throw new Error("No image is selected.");
      const blob = await downloadImage(content.ref);
      onPhoto(photoFrom(blob, "selected-image", { kind: "selection", ref: content.ref }));
    } catch (error) {
      setState({ status: "error", error });
    }
  };

  return (
    <Rows spacing="2u">
      <Title size="small">
        <FormattedMessage
          defaultMessage="Add a photo of yourself"
          description="Heading of the photo input step"
        />
      </Title>
      <Text>
        <FormattedMessage
          defaultMessage="Use a clear, well-lit photo of just you, facing the camera. JPEG, PNG, WebP or HEIC, up to 15 MB."
          description="Tips for a good photo, with accepted formats"
        />
      </Text>
      {state.status === "error" && <ErrorAlert error={state.error} />}
      {state.status === "error" && state.error === initialError && alternative}
      <FileInput
        accept={[...ACCEPTED_TYPES, ".heic", ".heif"]}
        stretchButton
        onDropAcceptedFiles={useFile}
        onDropRejectedFiles={() =>
          setState({
            status: "error",
            error: new ApiError("UNSUPPORTED_MEDIA_TYPE", "File type not accepted"),
          })
        }
      />
      <Button
        variant="secondary"
        stretch
        disabled={selected.count !== 1}
        loading={state.status === "reading"}
        onClick={() => void useSelection()}
        tooltipLabel={
          selected.count === 1
            ? undefined
            : intl.formatMessage({
                defaultMessage: "Select one image in your design first",
                description: "Tooltip when 'Use selected image' is unavailable",
              })
        }
      >
        {intl.formatMessage({
          defaultMessage: "Use selected image",
          description: "Button: use the image selected in the design",
        })}
      </Button>
    </Rows>
  );
}
