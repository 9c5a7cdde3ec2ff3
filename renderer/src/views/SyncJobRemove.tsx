import { useEffect, useRef, useState } from 'react';
import type { SyncJobInfo } from '../../../common/contract.ts';
import { errorMessage } from '../../../common/errors.ts';

/**
 * "Remove the job?", asked before it goes: what goes (the job, its schedule, its journal) and
 * what stays (the files on both sides, both trash folders). "Keep it" has the focus; Escape too.
 */
export function SyncJobRemove({
  job,
  onRemove,
  onKeep,
}: {
  job: SyncJobInfo;
  onRemove: () => Promise<void>;
  onKeep: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => keep.current?.focus(), []);
  const remove = (): void => {
    setError(null);
    setBusy(true);
    onRemove().catch((e: unknown) => {
      setBusy(false);
      setError(errorMessage(e));
    });
  };
  return (
    <div
      className="plan-editor sync-editor"
      role="alertdialog"
      aria-labelledby={`${job.name}-remove-title`}
      aria-describedby={`${job.name}-remove-text`}
      onKeyDown={(e) => e.key === 'Escape' && onKeep()}
    >
      <p id={`${job.name}-remove-title`}>
        <strong>Remove the sync job {job.name}?</strong>
      </p>
      <p id={`${job.name}-remove-text`}>
        The files stay as they are on both sides, in {job.local} and on the server, and so do both trash
        folders. Only the job goes: its schedule, its journal and a password the app kept for it.
        {job.state === 'running' ? ' Its run in progress stops first.' : ''}
      </p>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={remove}>
          Yes, remove {job.name}
        </button>
        <button ref={keep} type="button" className="btn btn-ghost" onClick={onKeep}>
          Keep it
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
