import { useState } from 'react';
import type { PathUsage, UsageAdjustment } from '../../../common/contract.ts';
import { errorMessage } from '../../../common/errors.ts';
import { formatBytes, formatDate, parseByteSize } from '../../../common/format.ts';
import { FormActions } from '../components/FormActions.tsx';
import { TextField } from '../components/TextField.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { useFormDraft, type Checked } from '../hooks/useFormDraft.ts';
import { formatSignedBytes } from '../lib/usageText.ts';

export function adjustedText(path: string, bytes: number, change: number): string {
  return `${path}: this cycle’s count is now ${formatBytes(bytes)} (an adjustment of ${formatSignedBytes(change)}; what Pathwise measured is kept).`;
}

/**
 * Below a path's row of the cycle table: set this cycle's count to the carrier's figure, or start
 * it from zero, through the same ledger doors as `pathwise usage --correct` and `--reset`. Both
 * say what they will store; the reset asks again before it does.
 */
export function UsageCorrection({
  usage,
  onDone,
  onClose,
}: {
  usage: PathUsage;
  /** The ledger's answer and a sentence saying what changed. */
  onDone: (result: UsageAdjustment, message: string) => void;
  onClose: () => void;
}) {
  return (
    <div className="correction" role="group" aria-label={`Correct ${usage.name}’s count`}>
      <CorrectForm usage={usage} onDone={onDone} onClose={onClose} />
      <ResetPart usage={usage} onDone={onDone} onClose={onClose} />
    </div>
  );
}

type Props = Parameters<typeof UsageCorrection>[0];

function checkFigure(draft: { figure: string }): Checked<{ figure: string }, number> {
  const bytes = parseByteSize(draft.figure);
  if (bytes === null) {
    return { errors: { figure: 'Write the figure as a size, such as 3.2 GB or 800 MB.' } };
  }
  return { value: bytes };
}

function CorrectForm({ usage, onDone, onClose }: Props) {
  const { api } = useDashboard();
  const { draft, field, errors, submit } = useFormDraft(() => ({ figure: '' }));
  const typed = parseByteSize(draft.figure);
  const save = async (bytes: number): Promise<void> => {
    const result = await api.invoke('usage.correct', { path: usage.name, bytes });
    onDone(result, adjustedText(usage.name, bytes, result.change));
  };
  return (
    <form
      className="correction"
      aria-label={`Correct ${usage.name} to the carrier’s figure`}
      onSubmit={(e) => void submit(e, checkFigure, save)}
      noValidate
    >
      <div className="form-grid">
        <TextField
          {...field(
            'figure',
            'Carrier’s figure for this cycle',
            `As your carrier’s app or bill shows the use since ${formatDate(usage.cycle.start)}, e.g. 3.2 GB. Later traffic adds to it.`,
          )}
          placeholder={formatBytes(usage.allBytes)}
        />
      </div>
      {typed !== null && (
        <p className="small" role="status">
          Pathwise counted {formatBytes(usage.allBytes)}; this stores a correction of{' '}
          {formatSignedBytes(typed - usage.allBytes)}.
        </p>
      )}
      <FormActions submit="Set to carrier’s figure" error={errors.form}>
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          Cancel
        </button>
      </FormActions>
    </form>
  );
}

/** "Reset this cycle", then the question, then the reset: never in one click. */
function ResetPart({ usage, onDone }: Props) {
  const { api } = useDashboard();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reset = (): void => {
    setError(null);
    setBusy(true);
    api.invoke('usage.reset', { path: usage.name }).then(
      (result) => onDone(result, adjustedText(usage.name, 0, result.change)),
      (e: unknown) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };
  if (!asking) {
    return (
      <div className="correction-reset">
        <p className="small">
          Or start this cycle’s count from zero:{' '}
          <button
            type="button"
            className="btn btn-sm"
            aria-label={`Reset this cycle for ${usage.name}`}
            onClick={() => setAsking(true)}
          >
            Reset this cycle
          </button>
        </p>
      </div>
    );
  }
  return (
    <div className="correction-reset" role="group" aria-label={`Reset ${usage.name}’s cycle`}>
      <p>
        Start {usage.name}’s count for this cycle (since {formatDate(usage.cycle.start)}) from zero? It now
        stands at {formatBytes(usage.allBytes)}. What Pathwise measured is kept; the reset is stored as a
        correction of {formatSignedBytes(-usage.allBytes)}.
      </p>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={reset}>
          Reset {usage.name}
        </button>
        <button type="button" className="btn btn-ghost" onClick={() => setAsking(false)}>
          Cancel
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
