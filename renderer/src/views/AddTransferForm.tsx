import { useId, useState, type FormEvent } from 'react';
import type { PathInfo, StartTransfer, TransferMode } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { Icon } from '../components/Icon.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { errorMessage } from '../../../common/errors.ts';
import type { PathColors } from '../lib/pathColors.ts';

export const MODE_OPTIONS: ReadonlyArray<{ value: TransferMode; label: string; title: string }> = [
  { value: 'aggregate', label: 'Aggregate', title: 'All Always and Secondary paths at once: fastest' },
  { value: 'handover', label: 'Handover', title: 'One path at a time, switching when it fails: thriftiest' },
  { value: 'interactive', label: 'Interactive', title: 'The lowest-latency path: for small files' },
];

const MODE_HINT: Record<TransferMode, string> = {
  aggregate: 'Splits the file across every allowed path at once.',
  handover: 'Uses the best path and switches only if it fails — no double cellular use.',
  interactive: 'Uses the lowest-latency path; best for small files.',
};

/** Why a URL can't be downloaded, in words; null when it can. */
export function urlProblem(text: string): string | null {
  const value = text.trim();
  if (value === '') return 'Enter the address of the file to download.';
  if (!URL.canParse(value))
    return 'That is not a web address. Paste a full link such as https://example.com/file.iso.';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `Pathwise downloads over http:// and https:// only, not ${url.protocol}//.`;
  }
  if (!url.hostname) return 'The address has no host name.';
  return null;
}

export function AddTransferForm({
  paths,
  colors,
  onStart,
}: {
  paths: PathInfo[];
  colors: PathColors;
  onStart: (request: StartTransfer) => Promise<void>;
}) {
  const id = useId();
  const usable = paths.filter((p) => p.preference !== 'never');
  const [url, setUrl] = useState('');
  const [mode, setMode] = useState<TransferMode>('aggregate');
  const [excluded, setExcluded] = useState<Set<string>>(new Set());
  const [fileName, setFileName] = useState('');
  const [sha256, setSha256] = useState('');
  const [errors, setErrors] = useState<{ url?: string; paths?: string; sha256?: string; submit?: string }>(
    {},
  );
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const next: typeof errors = {};
    const urlError = urlProblem(url);
    if (urlError) next.url = urlError;
    const chosen = usable.filter((p) => !excluded.has(p.name)).map((p) => p.name);
    if (usable.length > 0 && chosen.length === 0) next.paths = 'Choose at least one path.';
    if (sha256.trim() && !/^[0-9a-fA-F]{64}$/.test(sha256.trim())) {
      next.sha256 = 'A SHA-256 checksum is 64 hexadecimal characters.';
    }
    setErrors(next);
    if (Object.keys(next).length > 0) {
      document.getElementById(`${id}-${Object.keys(next)[0]}`)?.focus();
      return;
    }
    const request: StartTransfer = {
      url: url.trim(),
      mode,
      // All paths ticked means "follow my preferences", which also covers paths that appear later.
      paths: excluded.size === 0 ? null : chosen,
    };
    if (fileName.trim()) request.fileName = fileName.trim();
    if (sha256.trim()) request.sha256 = sha256.trim().toLowerCase();
    setBusy(true);
    try {
      await onStart(request);
      setUrl('');
      setFileName('');
      setSha256('');
    } catch (error) {
      setErrors({ submit: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="add-transfer" onSubmit={(e) => void submit(e)} noValidate aria-label="Add a download">
      <div className="add-transfer-row">
        <div className="field grow">
          <label htmlFor={`${id}-url`}>File address</label>
          <input
            id={`${id}-url`}
            type="url"
            inputMode="url"
            placeholder="https://example.com/file.iso"
            value={url}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={errors.url ? true : undefined}
            aria-describedby={errors.url ? `${id}-url-error` : undefined}
            onChange={(e) => setUrl(e.target.value)}
          />
          {errors.url && (
            <p className="field-error" id={`${id}-url-error`}>
              {errors.url}
            </p>
          )}
        </div>
        <button type="submit" className="btn btn-primary add-transfer-submit" disabled={busy}>
          <Icon name="transfers" size={16} /> {busy ? 'Starting…' : 'Download'}
        </button>
      </div>
      <div className="add-transfer-options">
        <div className="field">
          <Segmented label="Mode" hideLabel={false} value={mode} options={MODE_OPTIONS} onChange={setMode} />
          <p className="field-hint">{MODE_HINT[mode]}</p>
        </div>
        {usable.length > 0 && (
          <fieldset
            className="field path-choice"
            aria-describedby={errors.paths ? `${id}-paths-error` : undefined}
          >
            <legend>Paths</legend>
            <div className="path-choice-list">
              {usable.map((p, i) => (
                <label key={p.name} className="check">
                  <input
                    id={i === 0 ? `${id}-paths` : undefined}
                    type="checkbox"
                    checked={!excluded.has(p.name)}
                    onChange={(e) => {
                      const next = new Set(excluded);
                      if (e.target.checked) next.delete(p.name);
                      else next.add(p.name);
                      setExcluded(next);
                    }}
                  />
                  <PathDot color={colors(p.name)} />
                  {p.name}
                  {p.metered && <span className="badge badge-warn">Metered</span>}
                </label>
              ))}
            </div>
            {errors.paths && (
              <p className="field-error" id={`${id}-paths-error`}>
                {errors.paths}
              </p>
            )}
          </fieldset>
        )}
      </div>
      <details className="add-transfer-more">
        <summary>More options</summary>
        <div className="add-transfer-row">
          <div className="field grow">
            <label htmlFor={`${id}-name`}>Save as</label>
            <input
              id={`${id}-name`}
              value={fileName}
              placeholder="Name from the server"
              onChange={(e) => setFileName(e.target.value)}
            />
          </div>
          <div className="field grow">
            <label htmlFor={`${id}-sha256`}>Expected SHA-256</label>
            <input
              id={`${id}-sha256`}
              value={sha256}
              className="mono"
              placeholder="Optional: verified when the download finishes"
              spellCheck={false}
              aria-invalid={errors.sha256 ? true : undefined}
              aria-describedby={errors.sha256 ? `${id}-sha256-error` : undefined}
              onChange={(e) => setSha256(e.target.value)}
            />
            {errors.sha256 && (
              <p className="field-error" id={`${id}-sha256-error`}>
                {errors.sha256}
              </p>
            )}
          </div>
        </div>
      </details>
      {errors.submit && (
        <p className="form-error" role="alert">
          {errors.submit}
        </p>
      )}
    </form>
  );
}
