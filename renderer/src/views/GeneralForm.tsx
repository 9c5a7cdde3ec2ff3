import { useState, type FormEvent } from 'react';
import type { Settings, SettingsPatch } from '../../../common/contract.ts';
import { FormActions } from '../components/FormActions.tsx';
import { TextField } from '../components/TextField.tsx';
import { FolderField } from './FolderField.tsx';
import { Section } from '../components/ViewHeader.tsx';
import { useFormDraft, type Checked, type FormErrors } from '../hooks/useFormDraft.ts';

/** The form as typed: the thresholds as "75%, 100%", the interval in seconds. */
type GeneralDraft = {
  thresholds: string;
  probeUrl: string;
  interval: string;
  downloadDir: string;
};

/** "75%, 100%" (or "75 100") as fractions, sorted and unique; or what is wrong with it. */
export function parseThresholds(text: string): number[] | string {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim().replace(/%$/, ''))
    .filter(Boolean);
  if (parts.length > 8) return 'Use at most 8 thresholds.';
  const values: number[] = [];
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isFinite(n) || n <= 0 || n > 200) return `"${part}" is not a percentage from 1 to 200.`;
    values.push(n / 100);
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function draftOf(settings: Settings): GeneralDraft {
  return {
    thresholds: settings.capThresholds.map((t) => `${Math.round(t * 100)}%`).join(', '),
    probeUrl: settings.probeUrl,
    interval: String(Math.round(settings.probeIntervalMs / 1000)),
    downloadDir: settings.downloadDir,
  };
}

/** The settings patch a draft makes, or what is wrong with it, field by field. */
function checkGeneral(draft: GeneralDraft): Checked<GeneralDraft, SettingsPatch> {
  const errors: FormErrors<GeneralDraft> = {};
  const thresholds = parseThresholds(draft.thresholds);
  if (typeof thresholds === 'string') errors.thresholds = thresholds;
  const url = draft.probeUrl.trim();
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    errors.probeUrl = 'Enter an http:// or https:// address that answers quickly, such as a 204 endpoint.';
  }
  const seconds = Number(draft.interval);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) {
    errors.interval = 'Check every 1 to 3600 seconds.';
  }
  const folder = draft.downloadDir.trim();
  if (!folder) errors.downloadDir = 'Choose the folder downloads are saved in.';
  else if (!isAbsolutePath(folder)) {
    errors.downloadDir =
      'Give the folder’s full path, from the root: /home/me/Downloads, or C:\\Users\\me\\Downloads on Windows.';
  }
  if (Object.keys(errors).length > 0 || typeof thresholds === 'string') return { errors };
  return {
    value: {
      capThresholds: thresholds,
      probeUrl: url,
      probeIntervalMs: Math.round(seconds * 1000),
      downloadDir: draft.downloadDir.trim(),
    },
  };
}

/** A path from the root, as the settings require it (`/…`, `C:\\…`, `\\\\server\\share`). */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

/** Cap alert thresholds, the connectivity check and the download folder, saved together. */
export function GeneralForm({
  settings,
  save,
}: {
  settings: Settings;
  save: (patch: SettingsPatch) => Promise<void>;
}) {
  const { draft, edit, errors, field, submit } = useFormDraft(() => draftOf(settings));
  // Addresses, numbers and folders, not words: no spelling marks under them.
  const setting = (key: keyof GeneralDraft, label: string, hint: string) => ({
    ...field(key, label, hint),
    spellCheck: false,
  });
  const [status, setStatus] = useState<string | null>(null);
  const onSubmit = (event: FormEvent): void => {
    setStatus(null);
    void submit(event, checkGeneral, async (patch) => {
      await save(patch);
      setStatus('Saved.');
    });
  };

  return (
    <Section title="Alerts, checks and downloads">
      <form className="settings-form" onSubmit={onSubmit} noValidate aria-label="General settings">
        <div className="form-grid">
          <TextField
            {...setting('thresholds', 'Cap alerts at', 'Percentages of each cap, e.g. 75%, 100%.')}
          />
          <TextField
            {...setting(
              'interval',
              'Check paths every (seconds)',
              'How often each path’s internet access is probed.',
            )}
            inputMode="numeric"
          />
          <TextField
            {...setting(
              'probeUrl',
              'Connectivity check address',
              'A small http(s) request made over each path to measure latency and find captive portals.',
            )}
            className="mono"
            wide
          />
          <FolderField
            field={setting('downloadDir', 'Download folder', 'New downloads are saved here: a full path.')}
            current={draft.downloadDir}
            onChosen={(downloadDir) => edit({ downloadDir })}
          />
        </div>
        <FormActions submit="Save changes" error={errors.form}>
          {status && (
            <span className="form-status" role="status">
              {status}
            </span>
          )}
        </FormActions>
      </form>
    </Section>
  );
}
