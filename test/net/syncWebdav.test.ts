/**
 * `pathwise sync` against a real `rclone serve webdav` in a two-path lab (wlan0 unmetered, wwan0
 * cellular), the CLI running in the client namespace as a user runs it. A fault proxy in front of
 * rclone injects 507 and 401 answers. Trees are compared by hash after every run.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UsageSummary } from '../../common/contract.ts';
import type { RunOutcome } from '../../main/sync/SyncRunner.ts';
import { PATHWISE_BIN, REPO_ROOT, runPathwise, testEnv, type CliResult } from '../support/cli.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, file, netnsNeeds } from '../support/rootOnly.ts';
import { treeHashes, write } from '../sync/davLab.ts';

const PASSWORD = 'net-lab-secret-7';
const DAV = `http://${SERVER_ADDRESS}:8080`;

/* The lab, its folders and helpers, shared by the steps below (they run in order). */
let lab: NetLab;
const base = mkdtempSync(join(tmpdir(), 'pw-sync-net-'));
const served = join(base, 'served');
const remote = join(served, 'team');
const local = join(base, 'local');
const dataDir = join(base, 'data');
const rules = join(base, 'rules.json');
const env = {
  PATHWISE_DATA_DIR: dataDir,
  PATHWISE_PROBE_URL: `${DAV}/generate_204`,
  PATHWISE_SYNC_QUIET_MS: '200',
  PW_SYNC_PASSWORD: PASSWORD,
};

const pathwise = (args: string[], timeoutMs = 90_000): Promise<CliResult> =>
  runPathwise(args, { netns: lab.client, env, timeoutMs });
const run = async (name: string, ...more: string[]): Promise<CliResult & { outcome: RunOutcome | null }> => {
  const result = await pathwise(['sync', 'run', name, '--json', ...more]);
  const last = result.stdout.trim().split('\n').pop() ?? '';
  return { ...result, outcome: last.startsWith('{') ? (JSON.parse(last) as RunOutcome) : null };
};
const same = (): void => expect(treeHashes(local)).toEqual(treeHashes(remote));
const old = (): Date => new Date(Date.now() - 60_000);

async function setUp(): Promise<void> {
  lab = await NetLab.create([
    { name: 'wlan0', downMbit: 48, upMbit: 48 },
    { name: 'wwan0', downMbit: 24, upMbit: 24 },
  ]);
  mkdirSync(remote, { recursive: true });
  mkdirSync(local, { recursive: true });
  writeFileSync(rules, '[]');
  const rclone = lab.spawnIn('server', 'rclone', [
    ...['serve', 'webdav', served, '--addr', '127.0.0.1:8081', '--dir-cache-time', '0s'],
    ...['--user', 'alice', '--pass', PASSWORD],
  ]);
  rclone.stderr?.resume();
  const proxy = lab.spawnIn(
    'server',
    process.execPath,
    [
      '--disable-warning=ExperimentalWarning',
      'test/support/davFaults.ts',
      SERVER_ADDRESS,
      '8080',
      '127.0.0.1',
      '8081',
      rules,
    ],
    { cwd: REPO_ROOT },
  );
  await new Promise((resolve, reject) => {
    proxy.stdout?.once('data', resolve);
    proxy.once('exit', (code) => reject(new Error(`fault proxy exited ${code}`)));
  });
  // rclone is up once it answers through the proxy.
  for (let i = 0; i < 100; i++) {
    const probe = await lab
      .inServer(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', `${DAV}/team/`])
      .catch(() => '');
    if (probe === '401') break;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function tearDown(): Promise<void> {
  await lab?.destroy();
  rmSync(base, { recursive: true, force: true });
}

async function addsJob(): Promise<void> {
  const added = await pathwise([
    ...['sync', 'add', 'team', '--local', local, '--remote', `${DAV}/team/`, '--user', 'alice'],
    ...['--password-env', 'PW_SYNC_PASSWORD', '--policy', 'any', '--paths', 'wlan0,wwan0', '--json'],
  ]);
  expect(added.code, added.stderr).toBe(0);
  expect(added.stdout).not.toContain(PASSWORD);
  expect(readFileSync(join(dataDir, 'syncs', 'jobs.json'), 'utf8')).not.toContain(PASSWORD);
  const listed = await pathwise(['sync', 'list', '--json']);
  expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'team', password: { env: 'PW_SYNC_PASSWORD' } }]);
}

async function firstSync(): Promise<void> {
  write(local, 'docs/readme.md', '# hello\n', old());
  write(local, 'docs/data.csv', 'a,b\n'.repeat(50_000), old());
  write(remote, 'media/video.bin', Buffer.alloc(16_000_000, 9), old());
  write(remote, 'media/small.txt', 'small', old());
  const { code, stderr, outcome } = await run('team');
  expect(code, stderr).toBe(0);
  expect(outcome).toMatchObject({ converged: true, uploaded: 2, downloaded: 2 });
  same();
  console.log('first sync bytes per path', outcome?.bytes, `${outcome?.durationMs} ms`);
  expect(outcome?.bytes['wlan0']?.down).toBeGreaterThan(1_000_000);
  expect(outcome?.bytes['wwan0']?.down).toBeGreaterThan(1_000_000);
  // Every byte of the job is in the ledger under its path (the data home's ledger was empty).
  const usage = JSON.parse((await pathwise(['usage', '--json'])).stdout) as UsageSummary;
  for (const name of ['wlan0', 'wwan0']) {
    const job = (outcome?.bytes[name]?.up ?? 0) + (outcome?.bytes[name]?.down ?? 0);
    const booked = usage.paths.find((p) => p.name === name)?.appBytes ?? 0;
    expect(booked, name).toBeGreaterThanOrEqual(job);
    expect(booked, name).toBeLessThan(job + 100_000);
  }
}

async function changesConflictDelete(): Promise<void> {
  write(local, 'docs/readme.md', '# hello, edited here\n', old());
  write(remote, 'media/small.txt', 'small, edited there', old());
  write(local, 'docs/data.csv', 'mine\n', old());
  write(remote, 'docs/data.csv', 'theirs\n', new Date(Date.now() - 30_000));
  rmSync(join(remote, 'media/video.bin'));
  const { code, stderr, outcome } = await run('team');
  expect(code, stderr).toBe(0);
  expect(outcome).toMatchObject({ converged: true, deleted: 1 });
  expect(outcome?.conflicts).toHaveLength(1);
  expect(readFileSync(join(local, 'docs/data.csv'), 'utf8')).toBe('theirs\n');
  expect(readFileSync(join(remote, outcome?.conflicts[0] as string), 'utf8')).toBe('mine\n');
  expect(readFileSync(join(remote, 'docs/readme.md'), 'utf8')).toBe('# hello, edited here\n');
  const trash = join(local, '.pathwise-sync', 'trash');
  expect(
    readdirSync(trash).some((stamp) =>
      statSync(join(trash, stamp, 'media/video.bin'), { throwIfNoEntry: false }),
    ),
  ).toBe(true);
  same();
}

async function deleteShareStop(): Promise<void> {
  const names = readdirSync(join(local, 'docs'));
  for (const name of names) rmSync(join(local, 'docs', name));
  const stopped = await run('team');
  expect(stopped.code).toBe(1);
  expect(stopped.stderr).toMatch(/would delete \d+ of \d+ files.*\[E_SYNC_DELETES\]/s);
  expect(readdirSync(join(remote, 'docs')).sort()).toEqual(names.sort());
  const forced = await run('team', '--force');
  expect(forced.code, forced.stderr).toBe(0);
  same();
}

async function killMidDownload(): Promise<void> {
  write(remote, 'big/image.iso', Buffer.alloc(40_000_000, 5), old());
  const child = lab.spawnIn('client', PATHWISE_BIN, ['sync', 'run', 'team', '--json'], {
    env: testEnv(env),
  });
  const part = await partGrows(local, 4_000_000, child);
  child.kill('SIGKILL');
  await new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r),
  );
  expect(part).toBeGreaterThan(4_000_000);
  const again = await run('team');
  expect(again.code, again.stderr).toBe(0);
  console.log('after kill -9: resumed', again.outcome?.resumedBytes, 'bytes; this run', again.outcome?.bytes);
  expect(again.outcome?.resumedBytes).toBeGreaterThan(0);
  same();
}

async function unmeteredPolicy(): Promise<void> {
  await pathwise(['sync', 'remove', 'team']);
  const added = await pathwise([
    ...['sync', 'add', 'wifi-only', '--local', local, '--remote', `${DAV}/team/`, '--user', 'alice'],
    ...['--password-env', 'PW_SYNC_PASSWORD', '--policy', 'unmetered'],
  ]);
  expect(added.code, added.stderr).toBe(0);
  write(remote, 'more/clip.bin', Buffer.alloc(12_000_000, 6), old());
  write(local, 'more/upload.bin', Buffer.alloc(6_000_000, 7), old());
  const before = await lab.settledCounters('wwan0');
  const { code, stderr, outcome } = await run('wifi-only');
  const after = await lab.counters('wwan0');
  expect(code, stderr).toBe(0);
  same();
  const cellular = after.rx - before.rx + (after.tx - before.tx);
  console.log(
    'unmetered policy: wwan0 interface bytes during the run',
    cellular,
    'job bytes',
    outcome?.bytes,
  );
  expect(outcome?.bytes['wwan0']).toBeUndefined();
  expect(outcome?.bytes['wlan0']?.down).toBeGreaterThan(12_000_000);
  // Probes and link chatter only: far below the 18 MB the run moved.
  expect(cellular).toBeLessThan(100_000);
}

async function serverErrors(): Promise<void> {
  write(local, 'more/after-quota.txt', 'quota', old());
  writeFileSync(rules, JSON.stringify([{ method: 'PUT', path: '.*', status: 507 }]));
  const full = await run('wifi-only');
  expect(full.code).toBe(4);
  expect(full.stderr).toMatch(/507.*\[E_QUOTA\]/s);
  writeFileSync(rules, JSON.stringify([{ method: '*', path: '.*', status: 401 }]));
  const refused = await run('wifi-only');
  expect(refused.code).toBe(4);
  expect(refused.stderr).toMatch(/\[E_AUTH\]/);
  expect(refused.stderr + refused.stdout).not.toContain(PASSWORD);
  writeFileSync(rules, '[]');
  const fixed = await run('wifi-only');
  expect(fixed.code, fixed.stderr).toBe(0);
  same();
  const status = await pathwise(['sync', 'status', 'wifi-only', '--json']);
  expect(JSON.parse(status.stdout)).toMatchObject({ lastRun: { ok: true } });
}

describeNeeding([...netnsNeeds(), file('rclone', '/usr/bin/rclone', '/usr/local/bin/rclone')])(
  'pathwise sync with a WebDAV server over two paths',
  () => {
    beforeAll(setUp);
    afterAll(tearDown);
    it('adds a job without storing or printing the password', addsJob);
    it('syncs both ways on first run, the large download over both paths', firstSync);
    it(
      'carries changes both ways, keeps both sides of a conflict, propagates a delete',
      changesConflictDelete,
    );
    it('stops before deleting more than half the files, and goes on when forced', deleteShareStop);
    it('converges after a kill -9 in the middle of a large download, resuming it', killMidDownload);
    it('with an unmetered policy sends no payload over the cellular path', unmeteredPolicy);
    it(
      'names a full server (507) and a refused login (401), then converges once they are fixed',
      serverErrors,
    );
  },
);

/** Waits until a download's journal in the sync's incoming folder records more than `bytes` on disk. */
async function partGrows(local: string, bytes: number, child: ChildProcess): Promise<number> {
  const incoming = join(local, '.pathwise-sync', 'incoming');
  const recorded = (name: string): number => {
    try {
      const state = JSON.parse(readFileSync(join(incoming, name), 'utf8')) as {
        done: Array<[number, number]>;
      };
      return state.done.reduce((sum, [from, to]) => sum + (to - from), 0);
    } catch {
      return 0;
    }
  };
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the sync ended (${child.exitCode}) before it was killed`);
    let names: string[] = [];
    try {
      names = readdirSync(incoming).filter((n) => n.endsWith('.part.json'));
    } catch {
      // Not there yet.
    }
    const biggest = Math.max(0, ...names.map(recorded));
    if (biggest > bytes) return biggest;
    await new Promise((r) => setTimeout(r, 50));
  }
}
