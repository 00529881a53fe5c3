// The step every irreversible delete in the panel goes through: what goes, then "Yes" (busy while
// the request runs) or a way to keep it.
import { Alert, Button, Rows } from "@canva/app-ui-kit";

export function ConfirmDelete({
  title,
  body,
  confirmLabel,
  keepLabel,
  deleting,
  onConfirm,
  onKeep,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  keepLabel: string;
  deleting: boolean;
  onConfirm: () => void;
  onKeep: () => void;
}) {
  return (
    <Rows spacing="1u">
      <Alert tone="critical" title={title}>
        {body}
      </Alert>
      <Button variant="primary" stretch loading={deleting} onClick={onConfirm}>
        {confirmLabel}
      </Button>
      <Button variant="secondary" stretch disabled={deleting} onClick={onKeep}>
        {keepLabel}
      </Button>
    </Rows>
  );
}
