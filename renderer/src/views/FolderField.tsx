import { useState, type ComponentProps } from 'react';
import { errorMessage } from '../../../common/errors.ts';
import { TextField } from '../components/TextField.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';

/**
 * The download folder: typed as a full path (the browser dashboard can't browse this machine's
 * folders), and in the desktop app also chosen in the OS's own folder dialog.
 */
export function FolderField({
  field,
  current,
  onChosen,
}: {
  field: Omit<ComponentProps<typeof TextField>, 'wide' | 'className'>;
  current: string;
  onChosen: (folder: string) => void;
}) {
  const { api, info } = useDashboard();
  const desktop = valueOf(info.data)?.shell === 'electron';
  const [problem, setProblem] = useState<string | null>(null);
  const choose = (): void => {
    setProblem(null);
    api
      .invoke('dialog.chooseFolder', current)
      .then((folder) => {
        if (folder) onChosen(folder);
      })
      .catch((error: unknown) => setProblem(errorMessage(error)));
  };
  return (
    <div className="field field-wide folder-field">
      <div className="folder-field-row">
        <TextField {...field} error={field.error ?? problem ?? undefined} className="mono" wide />
        {desktop && (
          <button type="button" className="btn" onClick={choose} aria-label="Choose the download folder">
            Choose…
          </button>
        )}
      </div>
    </div>
  );
}
