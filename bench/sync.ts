/**
 * Sync benchmark (issue 21): `pathwise sync run` against `rclone bisync` on the same two-path
 * namespace lab and the same `rclone serve webdav`, in the same run.
 *
 *   npm run bench:sync                    # 1000 small files, and 10 large ones of 200 MiB in all
 *   npm run bench:sync -- --size 20       # the large tree 20 MiB in all: a smoke run
 *   npm run bench:sync -- --files 200 --rounds 3 --no-upload
 *
 * Each tree is synced into an empty folder on the other side (the first sync of a new job:
 * rclone bisync with --resync, Pathwise with no journal), server → laptop and laptop → server;
 * the small tree is then synced again unchanged (the steady state: both sides listed and
 * compared). Each tool runs in the client namespace under GNU time (wall, user+sys CPU, peak RSS);
 * bytes per path are the lab interfaces' own counters (rx+tx) over the run; every copy is
 * checked by hash. Needs root, rclone and /usr/bin/time. Figures go to
 * bench/results/sync-<time>.json; what they mean: bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PATHWISE_BIN, REPO_ROOT, runPathwise } from '../test/support/cli.ts';
import { canUseNetns, SERVER_ADDRESS } from '../test/support/netns.ts';
import { DAV, LAB_PASSWORD, syncNetLab, type SyncNetLab } from '../test/sync/netLab.ts';
import { makeFile } from './lab/testFile.ts';
import { runFailure, timed, type Timed } from './lab/timed.ts';
import { median, MiB } from './measure.ts';

type Tool = 'pathwise' | 'rclone';
type TreeName = 'small' | 'large';
type Direction = 'down' | 'up';

interface Row {
  tree: TreeName;
  dir: Direction;
  run: 'first' | 'again';
  tool: Tool;
  wallS: number;
  cpuS: number;
  rssMb: number;
  /** Interface bytes (rx + tx) per path over the run, MB (10⁶). */
  wlan0Mb: number;
  wwan0Mb: number;
  ok: boolean;
  failure: string | null;
}

interface Ctx {
  l: SyncNetLab;
  work: string;
  trees: Record<TreeName, string>;
  obscured: string;
  rcloneConfig: string;
  seq: number;
}

const PATHS = ['wlan0', 'wwan0'] as const;
/** Two paths of the same speed: a perfect split of the large tree is 2× one path. */
const LAB = PATHS.map((name) => ({ name, downMbit: 40, upMbit: 40 }));

/** The trees, made once: `files` small files (1–32 KiB) in 20 folders, 10 large ones of `sizeMiB` in all. */
async function makeTrees(work: string, files: number, sizeMiB: number): Promise<Record<TreeName, string>> {
  const small = join(work, 'src-small');
  const large = join(work, 'src-large');
  for (let i = 0; i < files; i++) {
    const dir = join(small, `folder-${String(i % 20).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `note-${i}.txt`), randomBytes(1024 + ((i * 7919) % (31 * 1024))));
  }
  mkdirSync(join(large, 'media'), { recursive: true });
  const each = Math.round((sizeMiB * MiB) / 10);
  for (let i = 0; i < 10; i++) await makeFile(join(large, 'media', `take-${i}.bin`), each);
  // Files that stand still, as a tree to sync does: no tool waits to see whether they grow.
  const old = new Date(Date.now() - 3_600_000);
  for (const root of [small, large]) for (const file of walk(root)) utimesSync(join(root, file), old, old);
  return { small, large };
}

function walk(root: string, dir = ''): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (!dir && (e.name === '.pathwise-sync' || e.name === '.pathwise-trash')) return [];
    return e.isDirectory() ? walk(root, rel) : [rel];
  });
}

function treeHash(root: string): string {
  const hash = createHash('sha256');
  for (const file of walk(root).sort()) hash.update(file).update(readFileSync(join(root, file)));
  return hash.digest('hex');
}

/** A fresh pair of folders for one run: the tree on one side, the other side empty. */
function folders(ctx: Ctx, tree: TreeName, dir: Direction): { local: string; folder: string } {
  const folder = `run-${++ctx.seq}`;
  const local = join(ctx.work, `local-${ctx.seq}`);
  const remote = join(ctx.l.served, folder);
  cpSync(ctx.trees[tree], dir === 'down' ? remote : local, { recursive: true, preserveTimestamps: true });
  mkdirSync(local, { recursive: true });
  mkdirSync(remote, { recursive: true });
  return { local, folder };
}

async function interfaceBytes(l: SyncNetLab): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of PATHS) {
    const c = await l.lab.settledCounters(name, 200);
    out[name] = c.rx + c.tx;
  }
  return out;
}

/** A Pathwise job for the folders (in a data home of its own), run by `timed`. */
async function pathwiseRun(ctx: Ctx, local: string, folder: string, dataDir: string): Promise<Timed> {
  const env = { ...ctx.l.env, PATHWISE_DATA_DIR: dataDir };
  if (!readdirSync(dataDir).includes('syncs')) {
    const added = await runPathwise(
      [
        ...['sync', 'add', 'bench', '--local', local, '--remote', `${DAV}/${folder}/`],
        ...['--user', 'alice', '--password-env', 'PW_SYNC_PASSWORD', '--policy', 'any'],
        ...['--paths', PATHS.join(','), '--max-delete', '100'],
      ],
      { netns: ctx.l.lab.client, env },
    );
    if (added.code !== 0) throw new Error(`pathwise sync add failed: ${added.stderr}`);
  }
  return timed(ctx.l.lab, PATHWISE_BIN, ['sync', 'run', 'bench', '--json'], { env });
}

/** rclone bisync of the same folders over wlan0 (bound to its address); --resync the first time. */
function rcloneRun(ctx: Ctx, local: string, folder: string, workdir: string, first: boolean): Promise<Timed> {
  return timed(ctx.l.lab, 'rclone', [
    ...['bisync', local, `:webdav:${folder}`, '--workdir', workdir, '--config', ctx.rcloneConfig],
    ...['--webdav-url', `${DAV}/`, '--webdav-vendor', 'owncloud'],
    ...['--webdav-user', 'alice', '--webdav-pass', ctx.obscured],
    ...['--bind', ctx.l.lab.path('wlan0').clientAddress, ...(first ? ['--resync'] : [])],
  ]);
}

async function measure(
  ctx: Ctx,
  what: Pick<Row, 'tree' | 'dir' | 'run' | 'tool'>,
  go: () => Promise<Timed>,
  check: () => boolean,
): Promise<Row> {
  const before = await interfaceBytes(ctx.l);
  const t = await go();
  const after = await interfaceBytes(ctx.l);
  const ok = t.code === 0 && check();
  const failure = runFailure(t, ok);
  if (failure) console.error(`${what.tool} ${what.tree} ${what.dir}: ${failure}\n${t.stderr.slice(-2000)}`);
  return {
    ...what,
    wallS: t.wallS,
    cpuS: t.cpuS,
    rssMb: t.maxRssMb,
    wlan0Mb: ((after['wlan0'] ?? 0) - (before['wlan0'] ?? 0)) / 1e6,
    wwan0Mb: ((after['wwan0'] ?? 0) - (before['wwan0'] ?? 0)) / 1e6,
    ok,
    failure,
  };
}

/** One tool's first sync of a tree in one direction, and for the small tree its unchanged second run. */
async function runTool(ctx: Ctx, tool: Tool, tree: TreeName, dir: Direction): Promise<Row[]> {
  const { local, folder } = folders(ctx, tree, dir);
  const state = mkdtempSync(join(ctx.work, `${tool}-state-`));
  const remote = join(ctx.l.served, folder);
  const same = (): boolean => treeHash(local) === treeHash(remote);
  const once = (first: boolean) =>
    tool === 'pathwise'
      ? pathwiseRun(ctx, local, folder, state)
      : rcloneRun(ctx, local, folder, state, first);
  const rows = [await measure(ctx, { tree, dir, run: 'first', tool }, () => once(true), same)];
  if (tree === 'small')
    rows.push(await measure(ctx, { tree, dir, run: 'again', tool }, () => once(false), same));
  rmSync(local, { recursive: true, force: true });
  rmSync(remote, { recursive: true, force: true });
  return rows;
}

function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function printTable(rows: Row[]): void {
  const columns = ['tree', 'dir', 'run', 'tool', 'wall s', 'cpu s', 'rss MB', 'wlan0 MB', 'wwan0 MB', 'ok'];
  const cells = rows.map((r) => [
    ...[r.tree, r.dir, r.run, r.tool, fmt(r.wallS), fmt(r.cpuS), fmt(r.rssMb, 0)],
    ...[fmt(r.wlan0Mb, 1), fmt(r.wwan0Mb, 1), r.ok ? 'yes' : (r.failure ?? 'no')],
  ]);
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(columns));
  for (const row of cells) console.log(line(row));
}

interface Verdict {
  target: string;
  ratio: number;
  goal: number;
  verdict: 'MET' | 'MISS' | 'UNDECIDED';
}

/** rclone's median wall time over Pathwise's, per tree, direction and run; the goals where there is one. */
function ratios(rows: Row[]): Verdict[] {
  const keys = [...new Set(rows.map((r) => `${r.tree} ${r.dir} ${r.run}`))];
  return keys.map((key) => {
    const of = (tool: Tool) => rows.filter((r) => `${r.tree} ${r.dir} ${r.run}` === key && r.tool === tool);
    const ok = (tool: Tool) => of(tool).every((r) => r.ok);
    const ratio = median(of('rclone').map((r) => r.wallS)) / median(of('pathwise').map((r) => r.wallS));
    const goal = key.startsWith('large down') ? 1.8 : key.startsWith('small') ? 1 : 0;
    const verdict = !ok('pathwise')
      ? 'MISS'
      : !ok('rclone') || !Number.isFinite(ratio)
        ? 'UNDECIDED'
        : ratio >= goal
          ? 'MET'
          : 'MISS';
    return { target: key, ratio, goal, verdict };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '200' },
      files: { type: 'string', default: '1000' },
      rounds: { type: 'string', default: '1' },
      'no-upload': { type: 'boolean', default: false },
    },
  });
  const [sizeMiB, files, rounds] = [Number(values.size), Number(values.files), Number(values.rounds)];
  if (!(sizeMiB > 0) || !(files > 0) || !Number.isInteger(rounds) || rounds < 1)
    throw new Error('--size (MiB), --files and --rounds take positive numbers');
  if (!canUseNetns()) {
    console.error('The sync bench builds network namespaces: run it as root (with iproute2 and rclone).');
    process.exitCode = 2;
    return;
  }
  const work = mkdtempSync('/dev/shm/pw-bench-sync-');
  const load = loadavg();
  console.log(
    `Pathwise sync bench — ${new Date().toISOString()}, load ${load.map((x) => x.toFixed(2)).join(' ')}; ` +
      `${files} small files, 10 large of ${sizeMiB} MiB in all; wlan0 + wwan0 at 40 Mbit/s each way; ${rounds} round(s)`,
  );
  const l = await syncNetLab(LAB, { direct: true, under: work });
  const rows: Row[] = [];
  try {
    const rcloneConfig = join(work, 'rclone.conf');
    writeFileSync(rcloneConfig, '');
    const obscured = execFileSync('rclone', ['obscure', LAB_PASSWORD], { encoding: 'utf8' }).trim();
    const ctx: Ctx = {
      l,
      work,
      trees: await makeTrees(work, files, sizeMiB),
      obscured,
      rcloneConfig,
      seq: 0,
    };
    const dirs: Direction[] = values['no-upload'] ? ['down'] : ['down', 'up'];
    for (const tree of ['small', 'large'] as const)
      for (const dir of dirs)
        for (let round = 0; round < rounds; round++)
          for (const tool of (round % 2 === 0 ? ['pathwise', 'rclone'] : ['rclone', 'pathwise']) as Tool[])
            rows.push(...(await runTool(ctx, tool, tree, dir)));
  } finally {
    await l.destroy();
    rmSync(work, { recursive: true, force: true });
  }
  report(rows, load, { sizeMiB, files, rounds });
}

function report(rows: Row[], load: number[], settings: Record<string, number>): void {
  console.log(
    `\n## sync — ${SERVER_ADDRESS}: rclone serve webdav; first sync into an empty side, then (small) unchanged`,
  );
  printTable(rows);
  const verdicts = ratios(rows);
  console.log('\nrclone bisync wall time ÷ pathwise sync run wall time (medians):');
  for (const v of verdicts) {
    const goal = v.goal > 0 ? ` (goal ≥ ${v.goal}) ${v.verdict}` : '';
    console.log(`  ${v.target.padEnd(16)} ${fmt(v.ratio)}×${goal}`);
  }
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `sync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), loadavg: load, settings, rows, verdicts }, null, 2),
  );
  console.log(`\nFigures: ${file}`);
}

await main();
