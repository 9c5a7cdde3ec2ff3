/**
 * Large uploads to a Nextcloud go up in chunks (chunking v2) and a cut one goes on from the
 * chunks the server has: after a path cut, after a kill -9, on another path within the run. A
 * local file changed between runs starts afresh (the old upload folder deleted), and a server
 * without chunked uploads gets the whole PUT. Against test/sync/nextcloudLab.ts, which checks
 * what a real Nextcloud checks, and rclone for a plain WebDAV server.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SyncJournal } from '../../main/sync/SyncJournal.ts';
import type { RunOutcome } from '../../main/sync/SyncRunner.ts';
import { describeNeeding } from '../support/rootOnly.ts';
import {
  makeJob,
  PASSWORD,
  pathInfo,
  rcloneNeeds,
  session,
  tempDir,
  treeHashes,
  USER,
  useDavFixture,
  write,
} from './davLab.ts';
import { startNextcloud, type NextcloudLab } from './nextcloudLab.ts';

const MiB = 1024 * 1024;
const SIZE = 40 * MiB;
const CHUNK = 10 * MiB;

let nc: NextcloudLab;
let local: string;
let journal: string;

beforeAll(async () => {
  nc = await startNextcloud();
});
afterAll(async () => nc?.close());
beforeEach(() => {
  // Each test starts with an empty server and no uploads under way.
  for (const dir of [nc.files, nc.uploadsDir]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  }
  local = tempDir();
  journal = tempDir('pw-journal-');
  nc.cuts.length = 0;
  nc.bodies.length = 0;
  nc.requests.length = 0;
  nc.violations.length = 0;
  nc.chunking.on = true;
});

const twoPaths = [pathInfo('a', '127.0.0.2'), pathInfo('b', '127.0.0.3')];

/** One run (a fresh session on the same journal, as the next run or a restarted app has). */
async function run(paths = [twoPaths[0]!]): Promise<RunOutcome | Error> {
  const s = session(makeJob(local, nc.url), journal, { paths: () => paths });
  try {
    return await s.run();
  } catch (error) {
    return error as Error;
  } finally {
    await s.close();
  }
}

const chunkPuts = () => nc.requests.filter((r) => r.method === 'PUT' && r.path.includes('/uploads/'));
const serverFile = (name: string) => readFileSync(join(nc.files, name));
const ended = (out: RunOutcome | Error): RunOutcome => {
  if (out instanceof Error) throw out;
  return out;
};

async function chunksALargeFile(): Promise<void> {
  const content = randomBytes(SIZE);
  write(local, 'big.bin', content);
  write(local, 'small.txt', 'small');
  const out = ended(await run());
  expect(out).toMatchObject({ converged: true, uploaded: 2, resentBytes: 0, keptBytes: 0 });
  expect(nc.violations).toEqual([]);
  expect(serverFile('big.bin').equals(content)).toBe(true);
  expect(treeHashes(local)).toEqual(treeHashes(nc.files));
  const mkcol = nc.requests.filter((r) => r.method === 'MKCOL' && r.path.includes('/uploads/'));
  expect(mkcol).toHaveLength(1);
  expect(mkcol[0]?.destination).toBe(`${nc.url}big.bin`);
  expect(chunkPuts().map((r) => r.path.split('/').pop())).toEqual(['00001', '00002', '00003', '00004']);
  expect(nc.requests.filter((r) => r.method === 'MOVE').map((r) => r.path.split('/').pop())).toEqual([
    '.file',
  ]);
  expect(nc.received()).toBe(SIZE + 5);
  expect(nc.uploadFolders()).toEqual([]);
  // Every byte is booked under its path.
  expect(out.bytes['a']?.up).toBeGreaterThanOrEqual(SIZE);
  expect(ended(await run())).toMatchObject({ converged: true, uploaded: 0, downloaded: 0 });
}

async function resumesAfterACut(): Promise<void> {
  const content = randomBytes(SIZE);
  write(local, 'big.bin', content);
  const cutAt = 3 * MiB + 12_345;
  nc.cuts.push({ path: /\/00003$/, atByte: cutAt });
  const first = await run();
  expect(first instanceof Error || !first.converged).toBe(true);
  expect(nc.uploadFolders()).toHaveLength(1);
  const firstRun = nc.received();
  expect(firstRun).toBe(2 * CHUNK + cutAt);

  nc.bodies.length = 0;
  const out = ended(await run());
  expect(out).toMatchObject({ converged: true, uploaded: 1, keptBytes: 2 * CHUNK });
  expect(nc.received()).toBe(SIZE - 2 * CHUNK);
  expect(nc.bodies.map((b) => b.path.split('/').pop())).toEqual(['00003', '00004']);
  expect(serverFile('big.bin').equals(content)).toBe(true);
  expect(nc.violations).toEqual([]);
  const resent = firstRun + nc.received() - SIZE;
  console.log(
    `40 MiB upload cut in chunk 3: ${resent} bytes sent again in chunks; a whole PUT cut there sends ${firstRun} again`,
  );
  expect(resent).toBe(cutAt);
}

async function movesAChunkToAnotherPath(): Promise<void> {
  const content = randomBytes(SIZE);
  write(local, 'big.bin', content);
  nc.cuts.push({ path: /\/00002$/, atByte: 4 * MiB, from: '127.0.0.2' });
  const out = ended(await run(twoPaths));
  expect(out).toMatchObject({ converged: true, uploaded: 1 });
  expect(serverFile('big.bin').equals(content)).toBe(true);
  expect(nc.received()).toBe(SIZE + 4 * MiB);
  const retried = nc.bodies.filter((b) => b.path.endsWith('/00002'));
  expect(retried.map((b) => [b.from, b.complete])).toEqual([
    ['127.0.0.2', false],
    ['127.0.0.3', true],
  ]);
  // The client counts what it handed its socket: at least what arrived, at most the chunk.
  expect(out.resentBytes).toBeGreaterThanOrEqual(4 * MiB);
  expect(out.resentBytes).toBeLessThanOrEqual(CHUNK);
  expect((out.bytes['a']?.up ?? 0) + (out.bytes['b']?.up ?? 0)).toBeGreaterThanOrEqual(SIZE + 4 * MiB);
  expect(nc.violations).toEqual([]);
}

async function resumesAfterKill9(): Promise<void> {
  const content = randomBytes(SIZE);
  write(local, 'big.bin', content);
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, 'chunkedChild.ts'),
      JSON.stringify({ local, url: nc.url, journal, user: USER, rateBps: 16_000_000 }),
    ],
    { stdio: 'ignore', env: { ...process.env, PW_CHILD_PASSWORD: PASSWORD } },
  );
  const killed = new Promise<void>((resolve) => {
    nc.onBody.listener = (log) => {
      if (log.path.endsWith('/00003') && log.bytes > MiB) {
        nc.onBody.listener = null;
        child.kill('SIGKILL');
        resolve();
      }
    };
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await Promise.race([killed, exited]);
  } finally {
    nc.onBody.listener = null;
    child.kill('SIGKILL');
  }
  await exited;
  expect(child.signalCode).toBe('SIGKILL');
  expect(nc.bodies.filter((b) => b.complete).map((b) => b.path.split('/').pop())).toEqual(['00001', '00002']);

  nc.bodies.length = 0;
  const out = ended(await run());
  expect(out).toMatchObject({ converged: true, uploaded: 1, keptBytes: 2 * CHUNK });
  expect(nc.received()).toBe(SIZE - 2 * CHUNK);
  expect(serverFile('big.bin').equals(content)).toBe(true);
  expect(nc.violations).toEqual([]);
}

async function startsAfreshWhenChanged(): Promise<void> {
  write(local, 'big.bin', randomBytes(SIZE));
  nc.cuts.push({ path: /\/00002$/, atByte: MiB });
  await run();
  const [old] = nc.uploadFolders();
  expect(old).toBeDefined();
  appendFileSync(join(local, 'big.bin'), randomBytes(MiB));
  const later = new Date(Date.now() - 30_000);
  utimesSync(join(local, 'big.bin'), later, later);

  nc.bodies.length = 0;
  nc.requests.length = 0;
  const out = ended(await run());
  expect(out).toMatchObject({ converged: true, uploaded: 1, keptBytes: 0 });
  expect(nc.requests.find((r) => r.method === 'DELETE')?.path).toMatch(
    new RegExp(`/uploads/${USER}/${old}/?$`),
  );
  expect(nc.uploadFolders()).toEqual([]);
  expect(nc.received()).toBe(SIZE + MiB);
  expect(treeHashes(local)).toEqual(treeHashes(nc.files));
  expect(nc.violations).toEqual([]);
}

async function sendsWholeWithoutChunking(): Promise<void> {
  nc.chunking.on = false;
  const one = randomBytes(12 * MiB);
  write(local, 'one.bin', one);
  write(local, 'two.bin', randomBytes(11 * MiB));
  expect(ended(await run())).toMatchObject({ converged: true, uploaded: 2 });
  expect(nc.requests.filter((r) => r.path.includes('/uploads/'))).toHaveLength(1);
  expect(nc.bodies.map((b) => b.path)).toEqual(
    expect.arrayContaining([expect.stringMatching(/one\.bin\..*\.pathwise-upload$/)]),
  );
  expect(serverFile('one.bin').equals(one)).toBe(true);
  expect(treeHashes(local)).toEqual(treeHashes(nc.files));
}

function migratesAnOldJournal(): void {
  const dir = tempDir('pw-journal-old-');
  const db = new DatabaseSync(join(dir, 'journal.sqlite'));
  db.exec(
    `CREATE TABLE files (path TEXT PRIMARY KEY, l_size INTEGER NOT NULL, l_mtime REAL NOT NULL, r_etag TEXT,
       r_size INTEGER NOT NULL, r_mtime REAL, synced_at INTEGER NOT NULL) WITHOUT ROWID;
     CREATE TABLE usage (path TEXT NOT NULL, day INTEGER NOT NULL, rx INTEGER NOT NULL DEFAULT 0,
       tx INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (path, day)) WITHOUT ROWID;
     CREATE TABLE runs (started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL, ok INTEGER NOT NULL,
       error_code TEXT, error_message TEXT, uploaded INTEGER NOT NULL, downloaded INTEGER NOT NULL,
       deleted INTEGER NOT NULL, conflicts TEXT NOT NULL);
     CREATE TABLE dirs (path TEXT PRIMARY KEY, synced_at INTEGER NOT NULL) WITHOUT ROWID;
     INSERT INTO files VALUES ('a.txt', 1, 1000, 'e1', 1, NULL, 1);
     PRAGMA user_version = 2;`,
  );
  db.close();
  const j = new SyncJournal(dir);
  expect(j.warning).toBeNull();
  expect(j.get('a.txt')).toMatchObject({ remoteEtag: 'e1' });
  const upload = {
    path: 'big.bin',
    uploadId: 'pathwise-1',
    chunkBytes: CHUNK,
    localSize: SIZE,
    localMtimeMs: 5,
  };
  j.putUpload(upload);
  j.close();
  const again = new SyncJournal(dir);
  expect(again.upload('big.bin')).toEqual(upload);
  again.close();
}

describe('chunked uploads to a Nextcloud (chunking v2)', () => {
  it('sends a large file in chunks a Nextcloud accepts, and a small one whole', chunksALargeFile);
  it('after a path cut in chunk 3, the next run sends only chunks 3 and 4', resumesAfterACut);
  it(
    'moves a chunk to the other path when its path fails in the middle, within the run',
    movesAChunkToAnotherPath,
  );
  it(
    'goes on after a kill -9 with a fresh runner on the same journal, sending only what was missing',
    resumesAfterKill9,
  );
  it(
    'starts afresh when the local file changed between runs, deleting the old upload folder',
    startsAfreshWhenChanged,
  );
  it(
    'sends files whole where the server refuses chunked uploads, asking once per run',
    sendsWholeWithoutChunking,
  );
  it('opens a journal from before chunked uploads and keeps an upload in it', migratesAnOldJournal);
});

describeNeeding(rcloneNeeds())('large uploads to a plain WebDAV server (rclone)', () => {
  const fx = useDavFixture();

  it('sends a large file whole, asking for no chunked upload', async () => {
    write(fx.local, 'big.bin', randomBytes(12 * MiB));
    const s = session(makeJob(fx.local, fx.dav.url), fx.journal);
    try {
      expect(await s.run()).toMatchObject({ converged: true, uploaded: 1, keptBytes: 0 });
    } finally {
      await s.close();
    }
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });
});
