import type { SyncJobEdit, SyncJobInfo } from '../../../common/contract.ts';
import { formatBytes, parseByteSize, parseRate } from '../../../common/format.ts';
import type { Checked, FormErrors } from '../hooks/useFormDraft.ts';
import { isAbsolutePath } from './GeneralForm.tsx';

/** A sync job as the user types it: numbers stay text until checked; empty means "none". */
export type SyncDraft = {
  local: string;
  remote: string;
  user: string;
  /** A new password or app token; empty: keep the one the job has. */
  password: string;
  /** Minutes between runs; empty: by hand. */
  every: string;
  onPathChange: 'yes' | 'no';
  policy: SyncJobInfo['policy']['kind'];
  /** Cellular: the allowance on metered paths per billing cycle; empty: no limit. */
  allowance: string;
  /** Interfaces, comma-separated; empty: those the policy allows. */
  paths: string;
  rate: string;
  battery: string;
};

function sizeText(bytes: number | null): string {
  return bytes === null ? '' : formatBytes(bytes, 2).replace(/\.00 /, ' ');
}

export function draftOf(job: SyncJobInfo): SyncDraft {
  return {
    local: job.local,
    remote: job.remote,
    user: job.user ?? '',
    password: '',
    every: job.everyMinutes === null ? '' : String(job.everyMinutes),
    onPathChange: job.onPathChange ? 'yes' : 'no',
    policy: job.policy.kind,
    allowance: sizeText(job.policy.meteredBytes),
    paths: job.paths?.join(', ') ?? '',
    rate: job.rateBps === null ? '' : `${sizeText(job.rateBps)}/s`,
    battery: job.batteryMinPercent === null ? '' : String(job.batteryMinPercent),
  };
}

type Errors = FormErrors<SyncDraft>;

/** A whole number from `min` to `max`, null for empty, or undefined when it is neither. */
function wholeOrNone(text: string, min: number, max: number): number | null | undefined {
  if (text.trim() === '') return null;
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

function checkFolders(draft: SyncDraft, errors: Errors): { local: string; remote: string } {
  const local = draft.local.trim();
  const remote = draft.remote.trim();
  if (!isAbsolutePath(local))
    errors.local =
      'Give the folder’s full path, from the root: /home/me/Docs, or C:\\Users\\me\\Docs on Windows.';
  if (!URL.canParse(remote) || !/^https?:$/.test(new URL(remote).protocol))
    errors.remote = 'Enter the WebDAV folder’s http:// or https:// address.';
  else if (new URL(remote).username || new URL(remote).password)
    errors.remote = 'Leave the user and password out of the address: they have their own fields.';
  return { local, remote };
}

/** Everything but the folders and the login, checked. */
function checkSchedule(draft: SyncDraft, errors: Errors) {
  const every = wholeOrNone(draft.every, 1, 525_600);
  if (every === undefined) errors.every = 'A whole number of minutes, or empty to run by hand.';
  const battery = wholeOrNone(draft.battery, 1, 100);
  if (battery === undefined) errors.battery = 'A whole percentage from 1 to 100, or empty for any charge.';
  const allowance = draft.allowance.trim() === '' ? null : parseByteSize(draft.allowance);
  if (draft.policy === 'cellular' && draft.allowance.trim() !== '' && allowance === null)
    errors.allowance = 'A size such as 100 MB, or empty for no limit.';
  const rate = draft.rate.trim() === '' ? null : parseRate(draft.rate);
  if (draft.rate.trim() !== '' && rate === null)
    errors.rate = 'A rate such as 2 MB/s, or empty for no limit.';
  const paths = draft.paths
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return {
    everyMinutes: every ?? null,
    batteryMinPercent: battery ?? null,
    policy: { kind: draft.policy, meteredBytes: draft.policy === 'cellular' ? (allowance ?? null) : null },
    rateBps: rate,
    paths: paths.length > 0 ? paths : null,
    onPathChange: draft.onPathChange === 'yes',
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The change a draft makes to the job (only what differs), or what is wrong with it, field by
 * field. `movesFolders`: the change points the job at another folder pair (a fresh journal).
 */
export function checkSync(
  draft: SyncDraft,
  job: SyncJobInfo,
): Checked<SyncDraft, { change: SyncJobEdit; movesFolders: boolean }> {
  const errors: Errors = {};
  const folders = checkFolders(draft, errors);
  const rest = checkSchedule(draft, errors);
  if (Object.keys(errors).length > 0) return { errors };
  const next = { ...folders, ...rest, user: draft.user.trim() === '' ? null : draft.user.trim() };
  const change: SyncJobEdit = {};
  for (const key of Object.keys(next) as Array<keyof typeof next>) {
    if (!same(next[key], job[key])) Object.assign(change, { [key]: next[key] });
  }
  if (draft.password !== '') change.password = draft.password;
  const movesFolders = change.local !== undefined || change.remote !== undefined;
  return { value: { change, movesFolders } };
}
