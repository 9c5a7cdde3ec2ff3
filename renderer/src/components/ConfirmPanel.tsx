import { useEffect, useRef, useState, type ReactNode } from 'react';
import { errorMessage } from '../../../common/errors.ts';

/**
 * A question asked in place before something that can't be taken back happens: its title, what
 * will and won't happen, the action and the way back. The focus starts on `focus` (the safe
 * button for a removal), Escape goes back, and a failed action says why and may be tried again.
 */
export function ConfirmPanel({
  id,
  title,
  children,
  confirmLabel,
  cancelLabel,
  focus,
  onConfirm,
  onCancel,
}: {
  /** Unique on the page: names the title and the text for assistive technology. */
  id: string;
  title: ReactNode;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  focus: 'confirm' | 'cancel';
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);
  useEffect(() => (focus === 'confirm' ? confirmButton : cancelButton).current?.focus(), [focus]);
  const confirm = (): void => {
    setError(null);
    setBusy(true);
    onConfirm().catch((e: unknown) => {
      setBusy(false);
      setError(errorMessage(e));
    });
  };
  return (
    <div
      className="plan-editor sync-editor"
      role="alertdialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <p id={`${id}-title`}>
        <strong>{title}</strong>
      </p>
      <p id={`${id}-text`}>{children}</p>
      <div className="form-actions">
        <button
          ref={confirmButton}
          type="button"
          className="btn btn-primary"
          disabled={busy}
          onClick={confirm}
        >
          {confirmLabel}
        </button>
        <button ref={cancelButton} type="button" className="btn btn-ghost" onClick={onCancel}>
          {cancelLabel}
        </button>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}
