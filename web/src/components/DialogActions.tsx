import { ErrorText } from './ErrorText.tsx';

/** A dialog form's foot: its problem, if any, then Cancel and the submit button (off while busy). */
export function DialogActions({
  error,
  busy,
  submitLabel,
  onCancel,
}: {
  error: string | undefined;
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
}) {
  return (
    <>
      <ErrorText message={error} />
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="button primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}
