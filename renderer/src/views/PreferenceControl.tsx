import { useId, useState } from 'react';
import type { PathInfo, Preference } from '../../../common/contract.ts';
import { errorMessage } from '../../../common/errors.ts';
import { Segmented } from '../components/Segmented.tsx';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { preferenceMeaning, PREFERENCE_LABEL, preferenceText } from '../lib/pathChoice.ts';

export const PREFERENCE_OPTIONS: ReadonlyArray<{ value: Preference; label: string; title: string }> = [
  { value: 'always', label: 'Always', title: 'Use this path for every transfer' },
  { value: 'secondary', label: 'Secondary', title: 'Add this path when transfers aggregate' },
  { value: 'backup', label: 'Backup', title: 'Use only when no Always or Secondary path is up' },
  { value: 'never', label: 'Never', title: 'Pathwise never sends bytes over this path' },
];

/**
 * How Pathwise may use a path, chosen where it is explained: the line under the choice says what
 * it means among the other paths ("Backup: only if Wi-Fi drops"), a change is confirmed in words
 * once the core has saved it (or says why it was not), and the control keeps focus meanwhile.
 * Arrow keys move without saving each step (see Segmented's `saves`).
 */
export function PreferenceControl({
  path,
  onPreference,
}: {
  path: PathInfo;
  onPreference: (name: string, preference: Preference) => Promise<void>;
}) {
  const { paths } = useDashboard();
  const all = valueOf(paths.data) ?? [path];
  const id = useId();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const change = (preference: Preference): void => {
    setBusy(true);
    setOutcome(null);
    onPreference(path.name, preference)
      .then(() =>
        setOutcome({ ok: true, text: `Saved: ${path.name} is now ${PREFERENCE_LABEL[preference]}.` }),
      )
      .catch((e: unknown) => setOutcome({ ok: false, text: errorMessage(e) }))
      .finally(() => setBusy(false));
  };
  return (
    <div className="path-pref">
      <Segmented
        label={`How Pathwise uses ${path.name}`}
        size="sm"
        value={path.preference}
        options={PREFERENCE_OPTIONS}
        busy={busy}
        saves
        describedBy={`${id}-meaning`}
        onChange={change}
      />
      <p
        className="pref-meaning small"
        id={`${id}-meaning`}
        title={preferenceText(path, path.preference, all)}
      >
        <strong>{PREFERENCE_LABEL[path.preference]}:</strong> {preferenceMeaning(path, path.preference, all)}
        {busy && <span className="muted"> · saving…</span>}
      </p>
      <p className="pref-saved small" role="status">
        {outcome?.ok ? outcome.text : ''}
      </p>
      {outcome && !outcome.ok && (
        <p className="field-error" role="alert">
          {outcome.text}
        </p>
      )}
    </div>
  );
}
