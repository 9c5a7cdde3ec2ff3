/**
 * Server errors against rclone serve webdav behind the fault proxy (403, 404 on a parent, 5xx),
 * a corrupt journal, and a job added over trees that already match. Each run that fails must
 * name its cause, change nothing it should not, and the next run must converge.
 */
import { readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeNeeding } from '../support/rootOnly.ts';
import {
  exists,
  failure,
  rcloneNeeds,
  runOnce,
  treeHashes,
  useDavFixture,
  write,
  type DavFixture,
} from './davLab.ts';

/** The server's folder as the proxy sees it: the job's files live under /data/. */
const under = (path: string): string => `^/data/${path}`;

async function synced(fx: DavFixture, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) write(fx.local, name, content);
  expect(await runOnce(fx)).toMatchObject({ converged: true });
}

describeNeeding(rcloneNeeds())('a sync run and server errors: 403, 404 on a parent, 5xx', () => {
  const fx = useDavFixture();

  it('keeps going past a file the server forbids (403), naming it, and converges once allowed', async () => {
    write(fx.local, 'ok.txt', 'fine');
    write(fx.local, 'secret/forbidden.txt', 'no');
    fx.dav.rules.push({ method: 'PUT', path: 'forbidden\\.txt$', status: 403 });
    const out = await runOnce(fx);
    expect(out.converged).toBe(false);
    expect(out.errors.map((e) => [e.path, e.code])).toEqual([['secret/forbidden.txt', 'E_AUTH']]);
    expect(out.errors[0]?.message).toMatch(/forbids .*\(403\)/);
    expect(exists(join(fx.remote, 'ok.txt'))).toBe(true);
    fx.dav.rules.length = 0;
    expect(await runOnce(fx)).toMatchObject({ converged: true, uploaded: 1 });
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });

  it('never reads a server folder that answers 404 as "everything was deleted there"', async () => {
    await synced(fx, { 'a.txt': 'a', 'b.txt': 'b', 'sub/c.txt': 'c', 'sub/d.txt': 'd' });
    const before = treeHashes(fx.local);
    // The job's folder itself, then only a subfolder (removed between two listings).
    for (const path of ['$', 'sub/?$']) {
      fx.dav.rules.splice(0, 1, { method: 'PROPFIND', path: under(path), status: 404 });
      const error = await failure(runOnce(fx));
      expect(error.code).toBe('E_NOT_FOUND');
      expect(error.message).toMatch(/404/);
      expect(treeHashes(fx.local)).toEqual(before);
      expect(treeHashes(fx.remote)).toEqual(before);
    }
    fx.dav.rules.length = 0;
    expect(await runOnce(fx)).toMatchObject({ converged: true, deleted: 0, uploaded: 0, downloaded: 0 });
  });

  it('names an upload whose parent folder the server lost (409, 404) and puts it there next run', async () => {
    await synced(fx, { 'keep.txt': 'k' });
    write(fx.local, 'new/one.txt', 'one');
    write(fx.local, 'new/two.txt', 'two');
    fx.dav.rules.push({ method: 'MKCOL', path: under('new/?$'), status: 409 });
    const out = await runOnce(fx);
    expect(out.converged).toBe(false);
    expect(new Set(out.errors.map((e) => e.code))).toEqual(new Set(['E_NOT_FOUND']));
    expect(out.errors.map((e) => e.path).sort()).toEqual(['new/one.txt', 'new/two.txt']);
    fx.dav.rules.splice(0, 1, { method: 'PUT', path: under('new/'), status: 404 });
    expect((await runOnce(fx)).errors[0]?.message).toMatch(/no .*new\/.* \(404\)/);
    fx.dav.rules.length = 0;
    expect(await runOnce(fx)).toMatchObject({ converged: true, uploaded: 2 });
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });

  it('stops on a listing that fails (500) changing nothing, and retries files the server failed (502, 503)', async () => {
    await synced(fx, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    rmSync(join(fx.local, 'a.txt'));
    fx.dav.rules.push({ method: 'PROPFIND', path: '.*', status: 500 });
    const listing = await failure(runOnce(fx));
    expect(listing.code).toBe('E_SERVER');
    expect(listing.message).toMatch(/failed on PROPFIND .*\(500\)/);
    expect(exists(join(fx.remote, 'a.txt'))).toBe(true);

    fx.dav.rules.length = 0;
    write(fx.local, 'up.txt', 'up');
    write(fx.remote, 'down.bin', Buffer.alloc(300_000, 7));
    fx.dav.rules.push({ method: 'PUT', path: 'up\\.txt$', status: 502 });
    fx.dav.rules.push({ method: 'GET', path: 'down\\.bin$', status: 503 });
    const failed = await runOnce(fx);
    expect(failed.converged).toBe(false);
    expect(failed.deleted).toBe(1);
    const codes = Object.fromEntries(failed.errors.map((e) => [e.path, e.code]));
    expect(codes['up.txt']).toBe('E_SERVER');
    expect(codes['down.bin']).toMatch(/^E_(SERVER|HTTP_STATUS)$/);
    fx.dav.rules.length = 0;
    expect(await runOnce(fx)).toMatchObject({ converged: true, uploaded: 1, downloaded: 1 });
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });
});

describeNeeding(rcloneNeeds())('a sync journal that cannot be read', () => {
  const fx = useDavFixture();

  it('is moved aside; the job converges from scratch and no file of either side is lost', async () => {
    await synced(fx, { 'a.txt': 'a v1', 'b.txt': 'b', 'c.txt': 'c' });
    write(fx.remote, 'd.txt', 'd v1');
    expect(await runOnce(fx)).toMatchObject({ converged: true, downloaded: 1 });
    // Changes on both sides while the journal is lost: without it none of them can be judged.
    write(fx.local, 'a.txt', 'a v2 (local)', new Date(Date.now() - 20_000));
    write(fx.remote, 'd.txt', 'd v2 (remote)', new Date(Date.now() - 20_000));
    rmSync(join(fx.local, 'b.txt'));
    rmSync(join(fx.remote, 'c.txt'));
    write(fx.local, 'e.txt', 'new here');
    write(fx.remote, 'f.txt', 'new there');
    const contents = new Set([...texts(fx.local), ...texts(fx.remote)]);
    for (const suffix of ['', '-wal', '-shm'])
      rmSync(join(fx.journal, `journal.sqlite${suffix}`), { force: true });
    writeFileSync(join(fx.journal, 'journal.sqlite'), 'this is not a database '.repeat(200));

    const out = await runOnce(fx);
    expect(out.converged).toBe(true);
    expect(out.deleted).toBe(0);
    expect(readdirSync(fx.journal).some((n) => /^journal\.sqlite\.corrupt-\d+$/.test(n))).toBe(true);
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
    // Every version either side had is still there: deletions came back, differing files kept both.
    for (const text of contents) expect(texts(fx.local)).toContain(text);
    expect(out.conflicts.length).toBeGreaterThanOrEqual(1);
    expect(await runOnce(fx)).toMatchObject({ converged: true, rounds: 1, uploaded: 0, downloaded: 0 });
  });
});

describeNeeding(rcloneNeeds())('a job added over trees that already match', () => {
  const fx = useDavFixture();
  const files = Object.fromEntries(
    ['one', 'two', 'three', 'four'].map((n, i) => [`${n}.bin`, Buffer.alloc(400_000, i + 1)]),
  );
  const both = (): void => {
    for (const [name, data] of Object.entries(files)) {
      write(fx.local, name, data);
      write(fx.remote, `deep/${name}`, data);
      write(fx.local, `deep/${name}`, data);
      write(fx.remote, name, data);
    }
  };

  it("fetches nothing when the server gives each file's checksum (Nextcloud's oc:checksums)", async () => {
    both();
    fx.dav.checksums.on = true;
    const out = await runOnce(fx);
    expect(out).toMatchObject({ converged: true, uploaded: 0, downloaded: 0, conflicts: [] });
    // Listings only: far below the 3.2 MB the trees hold.
    expect(out.bytes['a']?.down).toBeLessThan(100_000);
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });

  it('leaves a local file alone when only its server entity tag moved (a touch there)', async () => {
    write(fx.local, 'same.txt', 'unchanged bytes');
    expect(await runOnce(fx)).toMatchObject({ converged: true, uploaded: 1 });
    const touched = new Date(Date.now() - 5_000);
    utimesSync(join(fx.remote, 'same.txt'), touched, touched);
    const out = await runOnce(fx);
    expect(out).toMatchObject({ converged: true, downloaded: 0, uploaded: 0 });
    expect(exists(join(fx.local, '.pathwise-sync', 'trash'))).toBe(false);
    expect(await runOnce(fx)).toMatchObject({ converged: true, downloaded: 0, rounds: 1 });
  });

  it('without checksums fetches each file once to compare, keeping one copy (no conflict copies)', async () => {
    both();
    const out = await runOnce(fx);
    expect(out).toMatchObject({ converged: true, uploaded: 0, downloaded: 0, conflicts: [] });
    expect(out.bytes['a']?.down).toBeGreaterThanOrEqual(3_200_000);
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });
});

/** The text of every file under a folder (the sync's own folders left out). */
function texts(root: string): string[] {
  return Object.keys(treeHashes(root)).map((name) => readFileSync(join(root, name), 'utf8'));
}
