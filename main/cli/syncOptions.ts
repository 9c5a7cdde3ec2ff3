import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';
import { parseByteSize, parseRate } from '../../common/format.ts';
import type { JobChange } from '../sync/jobEdit.ts';
import { SYNC_NAME, type SyncJob, type SyncPolicy } from '../sync/SyncJobs.ts';
import { commandUsage, type ParsedArgs } from './args.ts';

/** `pathwise sync add` and `edit`: a job's options read from the command line. */

const usage = (message: string): Error => commandUsage('sync', message);

/** What `edit` takes to mean "none" for an option that may be unset (by hand, no limit…). */
const OFF = 'off';

/** "15m", "1h", "90s" or plain minutes → whole minutes. */
function minutes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|min|h|d)?$/i.exec(text.trim());
  if (!m) throw usage(`--every takes a duration such as 15m or 1h, not "${text}".`);
  const unit = { s: 1 / 60, m: 1, min: 1, h: 60, d: 1440 }[(m[2] ?? 'm').toLowerCase() as 's'] ?? 1;
  return Math.max(1, Math.round(Number(m[1]) * unit));
}

function policyOf(text: string | undefined): SyncPolicy {
  if (text === undefined || text === 'unmetered') return { kind: 'unmetered', meteredBytes: null };
  if (text === 'any') return { kind: 'any', meteredBytes: null };
  const m = /^cellular(?::(.+))?$/.exec(text);
  const bytes = m?.[1] === undefined ? null : parseByteSize(m[1]);
  if (!m || (m[1] !== undefined && bytes === null)) {
    throw usage(`--policy takes unmetered, cellular:SIZE (e.g. cellular:100MB) or any, not "${text}".`);
  }
  return { kind: 'cellular', meteredBytes: bytes };
}

function folderOf(local: string): string {
  const folder = resolve(local);
  if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
    throw new PathwiseError('E_DISK', `The local folder ${folder} does not exist; create it first.`);
  }
  return folder;
}

function remoteOf(remote: string): string {
  if (!URL.canParse(remote) || !/^https?:$/.test(new URL(remote).protocol)) {
    throw usage(`--remote takes an http or https URL, not "${remote}".`);
  }
  if (new URL(remote).username || new URL(remote).password) {
    throw usage('--remote takes the URL without a user or password in it: give --user and --password-file.');
  }
  return remote;
}

function passwordOf(args: ParsedArgs): SyncJob['password'] | undefined {
  const file = args.string('password-file');
  const envName = args.string('password-env');
  if (file && envName) throw usage('Give --password-file or --password-env, not both.');
  if (file && !existsSync(resolve(file)))
    throw new PathwiseError('E_DISK', `The password file ${resolve(file)} does not exist.`);
  return file ? { file: resolve(file) } : envName ? { env: envName } : undefined;
}

/** An option's value, `off` (null) or absent (undefined), read by `parse`. */
function unsettable<T>(args: ParsedArgs, name: string, parse: (text: string) => T): T | null | undefined {
  const text = args.string(name);
  if (text === undefined) return undefined;
  return text === OFF ? null : parse(text);
}

function rateOf(text: string): number {
  const bps = parseRate(text);
  if (bps === null) throw usage(`--rate takes a rate such as 2MB/s, not "${text}".`);
  return bps;
}

function batteryOf(text: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1 && n <= 100))
    throw usage('--battery-min takes a whole percentage from 1 to 100.');
  return n;
}

function shareOf(text: string): number {
  const share = Number(text);
  if (!(share >= 0 && share <= 100)) throw usage('--max-delete takes a percentage from 0 to 100.');
  return share / 100;
}

function keepOf(text: string): number {
  const keep = Number(text);
  if (!Number.isInteger(keep) || keep < 0) throw usage('--keep-days takes a whole number of days.');
  return keep;
}

function pathsOf(text: string): string[] {
  const paths = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.length === 0) throw usage('--paths takes interface names, e.g. wlan0,eth0 (edit: off for all).');
  return paths;
}

/** The options `edit` was given, as a change (only those given; `off` unsets what may be unset). */
export function changeFromArgs(args: ParsedArgs): JobChange {
  const change: JobChange = {};
  const local = args.string('local');
  const remote = args.string('remote');
  const user = args.string('user');
  const password = passwordOf(args);
  if (local !== undefined) change.local = folderOf(local);
  if (remote !== undefined) change.remote = remoteOf(remote);
  if (user !== undefined) change.user = user === '' ? null : user;
  if (password !== undefined) change.password = password;
  const every = unsettable(args, 'every', minutes);
  const battery = unsettable(args, 'battery-min', batteryOf);
  const paths = unsettable(args, 'paths', pathsOf);
  const rate = unsettable(args, 'rate', rateOf);
  if (every !== undefined) change.everyMinutes = every;
  if (battery !== undefined) change.batteryMinPercent = battery;
  if (paths !== undefined) change.paths = paths;
  if (rate !== undefined) change.rateBps = rate;
  const onPathChange = args.flag('on-path-change');
  if (onPathChange !== undefined) change.onPathChange = onPathChange;
  const policy = args.string('policy');
  if (policy !== undefined) change.policy = policyOf(policy);
  const share = args.string('max-delete');
  const keep = args.string('keep-days');
  if (share !== undefined) change.maxDeleteShare = shareOf(share);
  if (keep !== undefined) change.keepDays = keepOf(keep);
  if (Object.keys(change).length === 0)
    throw usage('"pathwise sync edit NAME" needs at least one option to change (see pathwise help sync).');
  return change;
}

/** The job `add` sets up from its options. */
export function jobFromArgs(name: string, args: ParsedArgs): SyncJob {
  if (!SYNC_NAME.test(name)) throw usage(`A job's name is letters, digits, ".", "_" and "-", not "${name}".`);
  const local = args.string('local');
  const remote = args.string('remote');
  if (!local || !remote) throw usage('"pathwise sync add" needs --local DIR and --remote URL.');
  const every = args.string('every');
  const rate = args.string('rate');
  const battery = args.string('battery-min');
  const paths = args.string('paths');
  return {
    name,
    local: folderOf(local),
    remote: remoteOf(remote),
    user: args.string('user') ?? null,
    password: passwordOf(args) ?? null,
    everyMinutes: every === undefined ? null : minutes(every),
    onPathChange: args.flag('on-path-change') ?? false,
    batteryMinPercent: battery === undefined ? null : batteryOf(battery),
    policy: policyOf(args.string('policy')),
    paths: paths ? pathsOf(paths) : null,
    rateBps: rate === undefined ? null : rateOf(rate),
    maxDeleteShare: shareOf(args.string('max-delete') ?? '50'),
    keepDays: keepOf(args.string('keep-days') ?? '30'),
    paused: false,
    createdAt: Date.now(),
  };
}
