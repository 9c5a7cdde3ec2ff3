import type { LocalFile } from './localScan.ts';
import { planDirs, type DirAction } from './reconcileDirs.ts';
import type { JournalEntry } from './SyncJournal.ts';
import type { RemoteFile } from './WebDavClient.ts';

/**
 * What a run does to one file. Every rule is two-way and loses nothing:
 * - new or changed on one side only → copied to the other (the version it replaces goes to the
 *   trash first);
 * - changed (or new) on both sides → `conflict`: both versions are kept (the executor first
 *   checks whether they are the same bytes, which is no conflict at all);
 * - deleted on one side → deleted on the other only if that side is unchanged since the last
 *   sync (into the trash); a changed file wins over a deletion and is copied back.
 * Folders follow the same rules (reconcileDirs.ts), so an empty one is synced too.
 */
export type FileAction =
  | { kind: 'upload'; path: string; local: LocalFile; replaces: RemoteFile | null }
  | { kind: 'download'; path: string; remote: RemoteFile; replaces: LocalFile | null }
  | { kind: 'deleteLocal'; path: string; local: LocalFile }
  | { kind: 'deleteRemote'; path: string; remote: RemoteFile }
  | { kind: 'conflict'; path: string; local: LocalFile; remote: RemoteFile }
  | { kind: 'forget'; path: string };

export type SyncAction = FileAction | DirAction;

const DIR_KINDS: ReadonlySet<string> = new Set([
  'mkdirLocal',
  'mkdirRemote',
  'deleteLocalDir',
  'deleteRemoteDir',
]);

export function isDirAction(action: SyncAction): action is DirAction {
  return DIR_KINDS.has(action.kind);
}

export interface SyncPlan {
  actions: SyncAction[];
  /** Files and folders the run would delete, on either side. */
  deletes: number;
  /** Files and folders both sides had in step at the last sync (what the delete share is taken of). */
  known: number;
  /** The files alone: deleting many files of a tree with many folders is a share of the files. */
  files: { deletes: number; known: number };
  /** Local files still being written: left for a later run. */
  waiting: string[];
  /** The journal's folders: those both sides have now that it lacks, and those neither has. */
  dirs: { inStep: string[]; gone: string[] };
}

export interface PlanInput {
  local: Map<string, LocalFile>;
  remote: Map<string, RemoteFile>;
  journal: Map<string, JournalEntry>;
  /** Local files that changed between two looks (being written). */
  busy?: ReadonlySet<string>;
  localDirs?: ReadonlySet<string>;
  remoteDirs?: ReadonlySet<string>;
  /** The folders both sides had at the last sync. */
  journalDirs?: ReadonlySet<string>;
}

export function localChanged(local: LocalFile, entry: JournalEntry): boolean {
  return local.size !== entry.localSize || local.mtimeMs !== entry.localMtimeMs;
}

/** The entity tag decides when both have one; else size and modification time. */
export function remoteChanged(remote: RemoteFile, entry: JournalEntry): boolean {
  if (remote.etag !== null && entry.remoteEtag !== null) return remote.etag !== entry.remoteEtag;
  return remote.size !== entry.remoteSize || remote.mtimeMs !== entry.remoteMtimeMs;
}

function decide(
  path: string,
  local: LocalFile | undefined,
  remote: RemoteFile | undefined,
  entry: JournalEntry | undefined,
): FileAction | null {
  if (!entry) {
    if (local && remote) return { kind: 'conflict', path, local, remote };
    if (local) return { kind: 'upload', path, local, replaces: null };
    if (remote) return { kind: 'download', path, remote, replaces: null };
    return null;
  }
  const lChanged = local !== undefined && localChanged(local, entry);
  const rChanged = remote !== undefined && remoteChanged(remote, entry);
  if (local && remote) {
    if (lChanged && rChanged) return { kind: 'conflict', path, local, remote };
    if (lChanged) return { kind: 'upload', path, local, replaces: remote };
    if (rChanged) return { kind: 'download', path, remote, replaces: local };
    return null;
  }
  if (local)
    return lChanged ? { kind: 'upload', path, local, replaces: null } : { kind: 'deleteLocal', path, local };
  if (remote)
    return rChanged
      ? { kind: 'download', path, remote, replaces: null }
      : { kind: 'deleteRemote', path, remote };
  return { kind: 'forget', path };
}

const NO_DIRS: ReadonlySet<string> = new Set();

/**
 * The run's plan: one action per file that is not in step, in a stable order (by path), then
 * the folders' (made, then removed: a local folder is removed once the files in it are gone).
 */
export function reconcile(input: PlanInput): SyncPlan {
  const { local, remote, journal, busy = NO_DIRS } = input;
  const paths = [...new Set([...local.keys(), ...remote.keys(), ...journal.keys()])].sort();
  const files: FileAction[] = [];
  const waiting: string[] = [];
  let deletes = 0;
  for (const path of paths) {
    const action = decide(path, local.get(path), remote.get(path), journal.get(path));
    if (!action) continue;
    // A file being written is neither uploaded, replaced nor judged against the other side yet.
    if (busy.has(path) && action.kind !== 'forget') {
      waiting.push(path);
      continue;
    }
    if (action.kind === 'deleteLocal' || action.kind === 'deleteRemote') deletes++;
    files.push(action);
  }
  const journalDirs = input.journalDirs ?? NO_DIRS;
  const dirs = planDirs({
    localDirs: input.localDirs ?? NO_DIRS,
    remoteDirs: input.remoteDirs ?? NO_DIRS,
    journalDirs,
    localFiles: local.keys(),
    remoteFiles: remote.keys(),
    fileKinds: new Map(files.map((a) => [a.path, a.kind])),
    waiting: new Set(waiting),
  });
  const actions = [
    ...files.filter((a) => !(a.kind === 'deleteRemote' && dirs.folded.has(a.path))),
    ...dirs.actions,
  ];
  return {
    actions,
    deletes: deletes + dirs.deletes,
    known: journal.size + journalDirs.size,
    files: { deletes, known: journal.size },
    waiting,
    dirs: { inStep: dirs.inStep, gone: dirs.gone },
  };
}

/**
 * Whether the plan deletes more than `maxShare` of the files known at the last sync (rclone
 * bisync's --max-delete), or of the files and folders together: such a run stops before it
 * changes anything and asks. The files are judged alone too, so the folders a tree has (which
 * stay when only their files go) never water the share down.
 */
export function tooManyDeletes(plan: SyncPlan, maxShare: number): boolean {
  return deleteShare(plan, maxShare) !== null;
}

/** The share over the limit, as the message says it ("3 of 4 files"); null when within it. */
export function deleteShare(
  plan: SyncPlan,
  maxShare: number,
): { deletes: number; known: number; of: 'files' | 'files and folders'; share: number } | null {
  if (plan.deletes === 0) return null;
  const files = { ...plan.files, of: 'files' as const };
  const all = { deletes: plan.deletes, known: plan.known, of: 'files and folders' as const };
  for (const count of [files, all]) {
    const share = count.deletes / Math.max(1, count.known);
    if (share > maxShare) return { ...count, share };
  }
  return null;
}
