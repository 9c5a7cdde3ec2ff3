import { useId, useState, type FormEvent } from 'react';
import type { PathInfo, StartTransfer, TransferMode } from '../../../common/contract.ts';
import { PathDot } from '../components/Bars.tsx';
import { Icon } from '../components/Icon.tsx';
import { Segmented } from '../components/Segmented.tsx';
import { errorMessage } from '../../../common/errors.ts';
import { formatBytesShort, parseByteSize } from '../../../common/format.ts';
import { atCapConsequence, pathsAtCap } from '../../../common/status.ts';
import { useDashboard } from '../hooks/useDashboard.ts';
import { valueOf } from '../hooks/useLive.ts';
import { preferenceMeaning, PREFERENCE_LABEL } from '../lib/pathChoice.ts';
import { urlProblem } from '../lib/urlProblem.ts';
import type { PathColors } from '../lib/pathColors.ts';
import { checkLogin, checkMirrors, SourceFields, type SourceDraft } from './SourceFields.tsx';
import './addTransfer.css';

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

/** A message per field (by the id suffix of its input), and `submit` for the core's refusal. */
type Errors = {
  url?: string;
  paths?: string;
  sha256?: string;
  caps?: string;
  mirrors?: string;
  login?: string;
  submit?: string;
};

/** What the user typed and ticked. */
interface Draft extends SourceDraft {
  url: string;
  mode: TransferMode;
  fileName: string;
  sha256: string;
  /** Paths unticked; every usable path not in it is chosen. */
  excluded: Set<string>;
  /** Per path, the most this download may take over it, as typed ("500 MB"); empty: no limit. */
  caps: Record<string, string>;
}

/** The request a draft makes, or what is wrong with it, field by field. */
function checkDraft(draft: Draft, usable: PathInfo[]): { errors: Errors } | { request: StartTransfer } {
  const errors: Errors = {};
  const urlError = urlProblem(draft.url);
  if (urlError) errors.url = urlError;
  const chosen = usable.filter((p) => !draft.excluded.has(p.name)).map((p) => p.name);
  if (usable.length > 0 && chosen.length === 0) errors.paths = 'Choose at least one path.';
  const sha256 = draft.sha256.trim();
  if (sha256 && !/^[0-9a-fA-F]{64}$/.test(sha256)) {
    errors.sha256 = 'A SHA-256 checksum is 64 hexadecimal characters.';
  }
  const caps = checkCaps(draft.caps, chosen);
  if (typeof caps === 'string') errors.caps = caps;
  const mirrors = checkMirrors(draft.mirrors, draft.url);
  if (typeof mirrors === 'string') errors.mirrors = mirrors;
  const login = checkLogin(draft.user, draft.password);
  if (typeof login === 'string') errors.login = login;
  if (
    Object.keys(errors).length > 0 ||
    typeof caps === 'string' ||
    typeof mirrors === 'string' ||
    typeof login === 'string'
  )
    return { errors };
  const request: StartTransfer = {
    url: draft.url.trim(),
    mode: draft.mode,
    // All paths ticked means "follow my preferences", which also covers paths that appear later.
    paths: draft.excluded.size === 0 ? null : chosen,
  };
  if (draft.fileName.trim()) request.fileName = draft.fileName.trim();
  if (sha256) request.sha256 = sha256.toLowerCase();
  if (Object.keys(caps).length > 0) request.caps = caps;
  if (mirrors.length > 0) request.mirrors = mirrors;
  if (login) request.login = login;
  return { request };
}

/** The typed limits of the chosen paths in bytes, or what is wrong with one. */
export function checkCaps(
  typed: Record<string, string>,
  chosen: readonly string[],
): Record<string, number> | string {
  const caps: Record<string, number> = {};
  for (const name of chosen) {
    const text = typed[name]?.trim();
    if (!text) continue;
    const bytes = parseByteSize(text);
    if (bytes === null) return `"${text}" is not a size: write it like 500 MB or 2 GB.`;
    caps[name] = Math.floor(bytes);
  }
  return caps;
}

/** The typed fields, empty: the form's start, and what it returns to once a download starts. */
const TYPED_EMPTY = { url: '', fileName: '', sha256: '', caps: {}, mirrors: '', user: '', password: '' };

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
  const [draft, setDraft] = useState<Draft>(() => ({
    ...TYPED_EMPTY,
    mode: 'aggregate',
    excluded: new Set(),
  }));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const edit = (change: Partial<Draft>): void => setDraft((current) => ({ ...current, ...change }));

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const checked = checkDraft(draft, usable);
    if ('errors' in checked) {
      setErrors(checked.errors);
      // The first field in error takes focus, so a keyboard or screen reader user lands on it.
      document.getElementById(`${id}-${Object.keys(checked.errors)[0]}`)?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await onStart(checked.request);
      // What was typed goes with this download only (the login too); the mode and paths stay.
      edit(TYPED_EMPTY);
    } catch (error) {
      setErrors({ submit: errorMessage(error) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="add-transfer" onSubmit={(e) => void submit(e)} noValidate aria-label="Add a download">
      <div className="add-transfer-row">
        <UrlField id={id} url={draft.url} error={errors.url} onChange={(url) => edit({ url })} />
        <button type="submit" className="btn btn-primary add-transfer-submit" disabled={busy}>
          <Icon name="transfers" size={16} /> {busy ? 'Starting…' : 'Download'}
        </button>
      </div>
      <div className="add-transfer-options">
        <ModeChoice mode={draft.mode} onChange={(mode) => edit({ mode })} />
        {usable.length > 0 && (
          <PathChoice
            id={id}
            usable={usable}
            colors={colors}
            excluded={draft.excluded}
            error={errors.paths}
            onChange={(excluded) => edit({ excluded })}
          />
        )}
      </div>
      <MoreOptions
        id={id}
        draft={draft}
        errors={errors}
        chosen={usable.filter((p) => !draft.excluded.has(p.name))}
        edit={edit}
      />
      {errors.submit && (
        <p className="form-error" role="alert">
          {errors.submit}
        </p>
      )}
    </form>
  );
}

/** The three ways to download, with a line on what the chosen one does. */
function ModeChoice({ mode, onChange }: { mode: TransferMode; onChange: (mode: TransferMode) => void }) {
  return (
    <div className="field">
      <Segmented label="Mode" hideLabel={false} value={mode} options={MODE_OPTIONS} onChange={onChange} />
      <p className="field-hint">{MODE_HINT[mode]}</p>
    </div>
  );
}

function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? (
    <p className="field-error" id={id}>
      {text}
    </p>
  ) : null;
}

function UrlField({
  id,
  url,
  error,
  onChange,
}: {
  id: string;
  url: string;
  error: string | undefined;
  onChange: (url: string) => void;
}) {
  return (
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
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-url-error` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      <FieldError id={`${id}-url-error`} text={error} />
    </div>
  );
}

/**
 * What ticking a path means for this download, said where it is ticked (issue 24): with every box
 * ticked the preferences decide, so each path says what its preference means among the others
 * ("Backup: only if Wi-Fi drops", as on its card); once one is unticked the download uses the
 * ticked ones as chosen, whatever their preferences. A path at its cap says so, and what its plan
 * does there.
 */
function choiceMeaning(
  path: PathInfo,
  all: readonly PathInfo[],
  excluded: ReadonlySet<string>,
): { label: string | null; text: string } {
  if (excluded.size === 0) {
    return { label: PREFERENCE_LABEL[path.preference], text: preferenceMeaning(path, path.preference, all) };
  }
  if (excluded.has(path.name)) return { label: null, text: 'Not used by this download' };
  return {
    label: null,
    text: `Chosen for this download: its ${PREFERENCE_LABEL[path.preference]} preference is set aside`,
  };
}

/** A box per usable path, all ticked at first, each saying what ticking it means. */
function PathChoice({
  id,
  usable,
  colors,
  excluded,
  error,
  onChange,
}: {
  id: string;
  usable: PathInfo[];
  colors: PathColors;
  excluded: Set<string>;
  error: string | undefined;
  onChange: (excluded: Set<string>) => void;
}) {
  const { paths, usage, settings } = useDashboard();
  // Every path, as the cards explain a preference among them (preferenceMeaning skips lo and virtual).
  const all = valueOf(paths.data) ?? usable;
  const atCap = new Map(pathsAtCap(valueOf(usage.data)).map((u) => [u.name, u]));
  const plans = valueOf(settings.data)?.plans;
  const toggle = (name: string, checked: boolean): void => {
    const next = new Set(excluded);
    if (checked) next.delete(name);
    else next.add(name);
    onChange(next);
  };
  return (
    <fieldset className="field path-choice" aria-describedby={error ? `${id}-paths-error` : undefined}>
      <legend>Paths</legend>
      <div className="path-choice-list">
        {usable.map((p, i) => {
          const meaning = choiceMeaning(p, all, excluded);
          const capped = atCap.get(p.name);
          const key = `${id}-path-${i}`;
          // Named by its name and badges (each its own word); the line under them describes it.
          const names = [`${key}-name`, p.metered && `${key}-metered`, capped && `${key}-cap`];
          return (
            <label key={p.name} className="check path-check">
              <span className="path-check-head">
                <input
                  id={i === 0 ? `${id}-paths` : undefined}
                  type="checkbox"
                  checked={!excluded.has(p.name)}
                  aria-labelledby={names.filter(Boolean).join(' ')}
                  aria-describedby={`${key}-why`}
                  onChange={(e) => toggle(p.name, e.target.checked)}
                />
                <PathDot color={colors(p.name)} />
                <span id={`${key}-name`}>{p.name}</span>
                {p.metered && (
                  <span className="badge badge-warn" id={`${key}-metered`}>
                    Metered
                  </span>
                )}
                {capped && (
                  <span className="badge badge-bad" id={`${key}-cap`}>
                    At its cap
                  </span>
                )}
              </span>
              <span className="path-check-why small" id={`${key}-why`}>
                {meaning.label && <strong>{meaning.label}:</strong>} {meaning.text}
                {capped &&
                  `. At its ${formatBytesShort(capped.capBytes as number)} cap: ${atCapConsequence(plans?.[p.name]?.atCap)}.`}
              </span>
            </label>
          );
        })}
      </div>
      <FieldError id={`${id}-paths-error`} text={error} />
    </fieldset>
  );
}

/** The file's name, expected checksum, mirrors, login and limits, folded away: most downloads need none. */
function MoreOptions({
  id,
  draft,
  errors,
  chosen,
  edit,
}: {
  id: string;
  draft: Draft;
  errors: Errors;
  chosen: PathInfo[];
  edit: (change: Partial<Draft>) => void;
}) {
  const error = errors.sha256;
  return (
    <details className="add-transfer-more">
      <summary>More options</summary>
      <div className="add-transfer-row">
        <div className="field grow">
          <label htmlFor={`${id}-name`}>Save as</label>
          <input
            id={`${id}-name`}
            value={draft.fileName}
            placeholder="Name from the server"
            onChange={(e) => edit({ fileName: e.target.value })}
          />
        </div>
        <div className="field grow">
          <label htmlFor={`${id}-sha256`}>Expected SHA-256</label>
          <input
            id={`${id}-sha256`}
            value={draft.sha256}
            className="mono"
            placeholder="Optional: verified when the download finishes"
            spellCheck={false}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-sha256-error` : undefined}
            onChange={(e) => edit({ sha256: e.target.value })}
          />
          <FieldError id={`${id}-sha256-error`} text={error} />
        </div>
      </div>
      <SourceFields
        id={id}
        draft={draft}
        errors={{ mirrors: errors.mirrors, login: errors.login }}
        onChange={edit}
      />
      {chosen.length > 0 && (
        <CapFields
          id={id}
          paths={chosen}
          caps={draft.caps}
          error={errors.caps}
          onChange={(caps) => edit({ caps })}
        />
      )}
    </details>
  );
}

/** A limit per chosen path for this download alone (its plan's cap still holds too). */
function CapFields({
  id,
  paths,
  caps,
  error,
  onChange,
}: {
  id: string;
  paths: PathInfo[];
  caps: Record<string, string>;
  error: string | undefined;
  onChange: (caps: Record<string, string>) => void;
}) {
  return (
    <fieldset className="field add-transfer-caps" aria-describedby={`${id}-caps-hint`}>
      <legend>Data limit for this download</legend>
      <p className="field-hint" id={`${id}-caps-hint`}>
        The most it may take over each path, e.g. 500 MB on a metered one; empty means no limit.
      </p>
      <div className="add-transfer-row">
        {paths.map((p, i) => (
          <div className="field" key={p.name}>
            <label htmlFor={i === 0 ? `${id}-caps` : `${id}-cap-${p.name}`}>Limit on {p.name}</label>
            <input
              id={i === 0 ? `${id}-caps` : `${id}-cap-${p.name}`}
              value={caps[p.name] ?? ''}
              placeholder="No limit"
              inputMode="decimal"
              spellCheck={false}
              aria-invalid={error ? true : undefined}
              onChange={(e) => onChange({ ...caps, [p.name]: e.target.value })}
            />
          </div>
        ))}
      </div>
      <FieldError id={`${id}-caps-error`} text={error} />
    </fieldset>
  );
}
