/**
 * A WebDAV server for sync tests on loopback: `rclone serve webdav` over a temp folder, behind the
 * fault proxy, and the helpers the tests share (jobs, sessions, trees compared by hash).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { PathInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import { createPathAgent } from '../../main/engine/pathAgent.ts';
import type { SyncJob } from '../../main/sync/SyncJobs.ts';
import { SyncSession, type SessionParts } from '../../main/sync/SyncSession.ts';
import { startFaultProxy, type FaultProxy, type FaultRule } from '../support/davFaults.ts';
import { file, type Need } from '../support/rootOnly.ts';

export const USER = 'sync-user';
export const PASSWORD = 'sync-secret-pw';

export function rcloneNeeds(): Need[] {
  return [file('rclone', '/usr/bin/rclone', '/usr/local/bin/rclone')];
}

export function tempDir(prefix = 'pw-sync-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`rclone exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`, { method: 'OPTIONS' }).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('rclone did not start');
}

export interface DavServer {
  root: string;
  url: string;
  rules: FaultRule[];
  /** Set true to have PROPFIND answers carry each file's SHA1, as Nextcloud's do. */
  checksums: { on: boolean };
  proxy: FaultProxy;
  close(): Promise<void>;
}

/** rclone serving a fresh folder on 127.0.0.1, behind the fault proxy (whose URL is `url`). */
export async function startDav(): Promise<DavServer> {
  const root = tempDir('pw-dav-');
  mkdirSync(join(root, 'data'));
  const port = await freePort();
  const child = spawn(
    'rclone',
    [
      'serve',
      'webdav',
      root,
      '--addr',
      `127.0.0.1:${port}`,
      '--user',
      USER,
      '--pass',
      PASSWORD,
      '--dir-cache-time',
      '0s',
    ],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort(port, child);
  const rules: FaultRule[] = [];
  const checksums = { on: false };
  const proxy = await startFaultProxy({
    host: '127.0.0.1',
    target: { host: '127.0.0.1', port },
    rules: () => rules,
    checksumRoot: () => (checksums.on ? root : null),
  });
  return {
    root,
    url: `http://127.0.0.1:${proxy.port}/data/`,
    rules,
    checksums,
    proxy,
    close: async () => {
      await proxy.close();
      child.kill('SIGKILL');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    },
  };
}

export function pathInfo(name: string, address: string, metered = false): PathInfo {
  return {
    name,
    type: metered ? 'cellular' : 'wifi',
    addresses: [address],
    up: true,
    metered,
    preference: 'always',
  };
}

export function makeJob(local: string, remote: string, change: Partial<SyncJob> = {}): SyncJob {
  return {
    name: 'test',
    local,
    remote,
    user: USER,
    password: null,
    everyMinutes: null,
    onPathChange: false,
    batteryMinPercent: null,
    policy: { kind: 'any', meteredBytes: null },
    paths: null,
    rateBps: null,
    maxDeleteShare: 0.5,
    keepDays: 30,
    paused: false,
    createdAt: Date.now(),
    ...change,
  };
}

/** A session on loopback paths (each a source address on lo), quick to decide a file is quiet. */
export function session(job: SyncJob, journalDir: string, more: Partial<SessionParts> = {}): SyncSession {
  const paths = [pathInfo('a', '127.0.0.2')];
  return new SyncSession({
    job,
    journalDir,
    password: PASSWORD,
    paths: () => paths,
    agentFactory: (p) => createPathAgent(p),
    plans: () => ({}),
    settings: { quietMs: 200 },
    tuning: { retryBaseMs: 100, giveUpMs: 5000, backoffBaseMs: 100, pushbackPatienceMs: 1500 },
    ...more,
  });
}

/** Every file under `root` (the sync's own folders left out) → its SHA-256. */
export function treeHashes(
  root: string,
  skip = ['.pathwise-sync', '.pathwise-trash'],
): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (!dir && skip.includes(entry.name)) continue;
      if (entry.isDirectory()) walk(rel);
      else
        out[rel] = createHash('sha256')
          .update(readFileSync(join(root, rel)))
          .digest('hex');
    }
  };
  walk('');
  return out;
}

export function write(root: string, rel: string, content: string | Buffer, mtime?: Date): void {
  const full = join(root, rel);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  // Old enough that the sync takes it at once (no second look).
  const at = mtime ?? new Date(Date.now() - 60_000);
  utimesSync(full, at, at);
}

export function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** One rclone per test group; each test gets empty folders on both sides, no faults, no checksums. */
export interface DavFixture {
  dav: DavServer;
  /** The served folder the job syncs with (the server's side, on disk). */
  remote: string;
  local: string;
  journal: string;
}

export function useDavFixture(): DavFixture {
  const fx = {} as DavFixture;
  beforeAll(async () => {
    fx.dav = await startDav();
    fx.remote = join(fx.dav.root, 'data');
  });
  afterAll(async () => fx.dav?.close());
  beforeEach(() => {
    rmSync(fx.remote, { recursive: true, force: true });
    mkdirSync(fx.remote);
    fx.local = tempDir();
    fx.journal = tempDir('pw-journal-');
    fx.dav.rules.length = 0;
    fx.dav.checksums.on = false;
  });
  return fx;
}

/** One run of a job over the fixture's server, its session closed after. */
export async function runOnce(
  fx: DavFixture,
  change: Partial<SyncJob> = {},
  more: Partial<SessionParts> = {},
): Promise<Awaited<ReturnType<SyncSession['run']>>> {
  const s = session(makeJob(fx.local, fx.dav.url, change), fx.journal, more);
  try {
    return await s.run();
  } finally {
    await s.close();
  }
}

/** The error a promise rejects with, which must be a PathwiseError. */
export async function failure(run: Promise<unknown>): Promise<PathwiseError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PathwiseError);
  return error as PathwiseError;
}
