interface Props {
  /** What went wrong with the last submit, said as an alert; null when nothing did. */
  readonly error: string | null;
  readonly onClose: () => void;
  readonly closeLabel: string;
  /** The dialog's submit button; null when there is nothing to submit. */
  readonly submit: { readonly label: string; readonly disabled: boolean } | null;
}

/** The end of a dialog's form: its error, then its close and submit buttons. */
export function DialogFooter({ error, onClose, closeLabel, submit }: Props) {
  return (
    <>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" class="quiet" onClick={onClose}>
          {closeLabel}
        </button>
        {submit && (
          <button type="submit" class="primary" disabled={submit.disabled}>
            {submit.label}
          </button>
        )}
      </div>
    </>
  );
}
