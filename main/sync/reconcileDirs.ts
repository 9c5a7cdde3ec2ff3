/**
 * The two-way rules for folders, so that an empty one is synced too. A folder carries no content
 * of its own: what it holds decides.
 * - on one side only and new (not in the journal) → made on the other side, unless a file copied
 *   into it makes it anyway;
 * - on one side only but known (the other side removed it) → removed here too if nothing under it
 *   stays on this side after the run (every file in it is deleted as unchanged, every folder in
 *   it removed); else it is kept and made again on the other side — a change wins over a deletion;
 * - on both sides → in step (the journal learns it); on neither → forgotten.
 * On the server one MOVE into the trash takes a removed folder with what is in it (the files'
 * own deletions are folded into it); locally each file goes to the trash as it does alone, then
 * the emptied folders are removed, deepest first.
 */

export type DirAction =
  | { kind: 'mkdirLocal'; path: string }
  | { kind: 'mkdirRemote'; path: string }
  | { kind: 'deleteLocalDir'; path: string }
  /** `files` and `dirs`: what the folder held, deleted with it (their journal entries go too). */
  | { kind: 'deleteRemoteDir'; path: string; files: string[]; dirs: string[] };

export interface DirInput {
  localDirs: ReadonlySet<string>;
  remoteDirs: ReadonlySet<string>;
  journalDirs: ReadonlySet<string>;
  localFiles: Iterable<string>;
  remoteFiles: Iterable<string>;
  /** What the run does to each file it acts on (files in step have none). */
  fileKinds: ReadonlyMap<string, string>;
  /** Local files still being written: they stay where they are this run. */
  waiting: ReadonlySet<string>;
}

export interface DirPlan {
  actions: DirAction[];
  /** Server files whose deletion a folder's deletion carries out. */
  folded: Set<string>;
  /** Folders the run removes, on either side (the delete share counts them). */
  deletes: number;
  /** Folders on both sides the journal does not know yet. */
  inStep: string[];
  /** Folders the journal knows that neither side has any more. */
  gone: string[];
}

type Side = 'local' | 'remote';

const other = (side: Side): Side => (side === 'local' ? 'remote' : 'local');

/** Every folder above `path` ("a/b/c" → "a/b", "a"), into `into`. */
function addParents(into: Set<string>, path: string): Set<string> {
  for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1))
    into.add(path.slice(0, slash));
  return into;
}

const under = (dir: string) => (path: string) => path.startsWith(`${dir}/`);

export function planDirs(input: DirInput): DirPlan {
  const dirs = { local: input.localDirs, remote: input.remoteDirs };
  const files = { local: [...input.localFiles], remote: [...input.remoteFiles] };
  const removes = { local: 'deleteLocal', remote: 'deleteRemote' };
  // kept[side]: folders with something under them that is still on that side after the run;
  // made[side]: folders the run's file copies make on that side.
  const kept = { local: new Set<string>(), remote: new Set<string>() };
  const made = { local: new Set<string>(), remote: new Set<string>() };
  for (const side of ['local', 'remote'] as const) {
    for (const path of files[side]) {
      const kind = input.fileKinds.get(path);
      if (input.waiting.has(path) || kind !== removes[side]) addParents(kept[side], path);
    }
  }
  for (const [path, kind] of input.fileKinds) {
    if (kind === 'upload') addParents(made.remote, path);
    if (kind === 'download') addParents(made.local, path);
  }
  const plan: DirPlan = { actions: [], folded: new Set(), deletes: 0, inStep: [], gone: [] };
  const removed = { local: [] as string[], remote: [] as string[] };
  const all = [...new Set([...dirs.local, ...dirs.remote, ...input.journalDirs])].sort().reverse();
  // Deepest first: a folder's contents are judged before the folder.
  for (const path of all) {
    const onLocal = dirs.local.has(path);
    const onRemote = dirs.remote.has(path);
    const known = input.journalDirs.has(path);
    if (onLocal && onRemote) {
      if (!known) plan.inStep.push(path);
      addParents(kept.local, path);
      addParents(kept.remote, path);
      continue;
    }
    if (!onLocal && !onRemote) {
      if (known) plan.gone.push(path);
      continue;
    }
    const side: Side = onLocal ? 'local' : 'remote';
    if (known && !kept[side].has(path)) {
      removed[side].push(path);
      continue;
    }
    addParents(kept[side], path);
    const missing = other(side);
    if (!made[missing].has(path))
      plan.actions.push({ kind: missing === 'local' ? 'mkdirLocal' : 'mkdirRemote', path });
    addParents(made[missing], path);
  }
  plan.actions.reverse();
  plan.deletes = removed.local.length + removed.remote.length;
  const gone = new Set(removed.remote);
  for (const path of [...removed.remote].reverse()) {
    if ([...addParents(new Set(), path)].some((dir) => gone.has(dir))) continue;
    const inside = files.remote.filter(under(path));
    for (const file of inside) plan.folded.add(file);
    plan.actions.push({
      kind: 'deleteRemoteDir',
      path,
      files: inside,
      dirs: removed.remote.filter(under(path)),
    });
  }
  for (const path of removed.local) plan.actions.push({ kind: 'deleteLocalDir', path });
  return plan;
}
