/**
 * One file from several servers (issue 25): `pathwise get URL1 URL2 …` and Metalink mirrors. Each
 * test starts its own range servers on loopback — an honest mirror, one that serves another size,
 * one that dies mid-way, one that serves wrong bytes — and asserts what a user sees: the file's
 * own bytes and hash, the bytes each source sent, and a bad mirror dropped (with why) without the
 * download being lost.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferInfo } from '../../common/contract.ts';
import type { MirrorOptions } from '../../main/engine/MirrorSource.ts';
import type { TransferDone, TransferOutcome } from '../../main/engine/Transfer.ts';
import { Transfer } from '../../main/engine/Transfer.ts';
import { A, B, fileEquals, makeTransfer, tempDir, twoPaths, until } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
  type RangeServerBehaviour,
} from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 41);
const CHUNK = 256 << 10;
/** What a mirror that keeps times (rsync -t) says: the same Last-Modified as the primary. */
const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
const servers: RangeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(body: Buffer, behaviour: Partial<RangeServerBehaviour> = {}): Promise<RangeServer> {
  const server = await startRangeServer(body, { behaviour: { lastModified: LAST_MODIFIED, ...behaviour } });
  servers.push(server);
  return server;
}

/** A download of `primary` with `mirrors`, over two loopback paths, in chunks of 256 KiB. */
function download(primary: string, mirrors: MirrorOptions, extra: { sha256?: string; file?: string } = {}) {
  return makeTransfer({
    url: primary,
    mirrors,
    paths: twoPaths(),
    ...extra,
    tuning: { planner: { initialChunk: CHUNK, maxChunk: CHUNK, minChunk: CHUNK } },
  });
}

function done(outcome: TransferOutcome): TransferDone {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'done', sha256: sha256(content) });
  return outcome as TransferDone;
}

function sourceOf(info: TransferInfo, url: string): NonNullable<TransferInfo['sources']>[number] {
  const source = info.sources?.find((s) => s.url === url);
  expect(source, `${url} among ${JSON.stringify(info.sources)}`).toBeDefined();
  return source as NonNullable<typeof source>;
}

/**
 * Holds `primary`'s range answers (its probe goes through) until the download has judged
 * `mirror`'s probe (ready, or refused): the paths' first connections wait on the primary
 * meanwhile, so what comes after shows how the engine spreads work once both serve.
 */
function holdUntilJudged(primary: RangeServer, made: { transfer: Transfer }, mirror: string): void {
  const judged = until(
    () =>
      !['new', 'probing', undefined].includes(
        made.transfer.info().sources?.find((s) => s.url === mirror)?.state,
      ),
    20_000,
    `${mirror} judged`,
  );
  judged.catch(() => undefined);
  primary.behaviour.onRequest = (log) => (isProbe(log) ? undefined : judged);
}

describe('a file from two mirrors', () => {
  it('spreads its ranges over both, counts the bytes of each, and keeps the file whole', async () => {
    const primary = await serve(content);
    const mirror = await serve(content);
    const made = download(primary.url, { urls: [{ url: mirror.url }] });
    holdUntilJudged(primary, made, mirror.url);
    const outcome = done(await made.transfer.run());
    expect(await fileEquals(made.file, content)).toBe(true);
    const info = made.transfer.info();
    const fromPrimary = sourceOf(info, primary.url);
    const fromMirror = sourceOf(info, mirror.url);
    expect(fromMirror.bytes).toBeGreaterThan(0);
    expect(fromPrimary.bytes).toBeGreaterThan(0);
    // Every byte the paths carried came from one of the two sources.
    const carried = Object.values(outcome.paths).reduce((n, p) => n + p.bytes, 0);
    expect(fromPrimary.bytes + fromMirror.bytes).toBe(carried);
    expect(outcome.sources?.map((s) => s.state)).toEqual(['ready', 'ready']);
    // Each range the mirror served was asked with its own validator, as its probe pinned it.
    const ranged = mirror.rangeRequests();
    expect(ranged.length).toBeGreaterThan(0);
    expect(ranged.every((r) => r.headers['if-range'] === mirror.behaviour.etag)).toBe(true);
    // Both paths asked the mirror: each path's connections are spread over the sources.
    expect(new Set(ranged.map((r) => r.remoteAddress))).toEqual(new Set([A, B]));
  });

  it('drops a mirror that serves another size, saying why, and downloads from the others', async () => {
    const primary = await serve(content);
    const shorter = await serve(content.subarray(0, SIZE - 1000));
    const made = download(primary.url, { urls: [{ url: shorter.url }] });
    const outcome = done(await made.transfer.run());
    const dropped = sourceOf(made.transfer.info(), shorter.url);
    expect(dropped).toMatchObject({ state: 'dropped', bytes: 0 });
    expect(dropped.why).toMatch(/it serves 2999000 bytes, not 3000000/);
    expect(shorter.rangeRequests()).toEqual([]);
    expect(outcome.sources?.find((s) => s.url === primary.url)?.bytes).toBe(SIZE);
  });

  it('takes the ranges of a mirror that dies mid-way elsewhere', async () => {
    const primary = await serve(content);
    const mirror = await serve(content);
    let answered = 0;
    mirror.behaviour.onRequest = (log, s) => {
      if (isProbe(log) || typeof log.headers.range !== 'string') return;
      // Its second range is its last: the server goes away, its connections with it.
      if (++answered === 2) void s.close();
    };
    const made = download(primary.url, { urls: [{ url: mirror.url }] });
    holdUntilJudged(primary, made, mirror.url);
    done(await made.transfer.run());
    expect(await fileEquals(made.file, content)).toBe(true);
    const gone = sourceOf(made.transfer.info(), mirror.url);
    expect(gone.state).not.toBe('ready');
    expect(gone.why).toMatch(/refused|lost|ended|closed/i);
  });

  it('refuses, without a hash to decide, a mirror whose copy was modified at another time', async () => {
    const primary = await serve(content);
    const other = await serve(content, { lastModified: 'Wed, 02 Dec 2026 10:00:00 GMT' });
    const made = download(primary.url, { urls: [{ url: other.url }] });
    done(await made.transfer.run());
    const refused = sourceOf(made.transfer.info(), other.url);
    expect(refused.state).toBe('dropped');
    expect(refused.why).toMatch(/last modified Wed, 02 Dec 2026 10:00:00 GMT.*another version/);
  });

  it('uses that mirror when the file’s SHA-256 is given: the hash decides', async () => {
    const primary = await serve(content);
    const other = await serve(content, { lastModified: 'Wed, 02 Dec 2026 10:00:00 GMT' });
    const made = download(primary.url, { urls: [{ url: other.url }] }, { sha256: sha256(content) });
    holdUntilJudged(primary, made, other.url);
    done(await made.transfer.run());
    expect(sourceOf(made.transfer.info(), other.url)).toMatchObject({ state: 'ready' });
  });
});

describe('sources that fail from the start', () => {
  it('downloads from a mirror when the primary is down, named after the primary’s URL', async () => {
    const down = await serve(content);
    const url = down.url.replace('/file.bin', '/wanted.iso');
    await down.close();
    servers.splice(servers.indexOf(down), 1);
    const mirror = await serve(content);
    const transfer = new Transfer({
      url,
      mirrors: { urls: [{ url: mirror.url }] },
      paths: twoPaths(),
      directory: tempDir(),
    });
    const outcome = done(await transfer.run());
    expect(outcome.file).toMatch(/\/wanted\.iso$/);
    expect(await fileEquals(outcome.file, content)).toBe(true);
    expect(outcome.sources?.find((s) => s.url === mirror.url)?.bytes).toBe(SIZE);
    expect(sourceOf(transfer.info(), url).state).not.toBe('ready');
  });

  it('fails only when no source is left, naming each', async () => {
    const gone = await serve(content, { status: 404 });
    const alsoGone = await serve(content, { status: 410 });
    const made = download(gone.url, { urls: [{ url: alsoGone.url }] });
    const outcome = await made.transfer.run();
    expect(outcome.status).toBe('failed');
    const error = (outcome as Extract<TransferOutcome, { status: 'failed' }>).error;
    expect(error.code).toBe('E_HTTP_STATUS');
    expect(error.message).toMatch(/None of this file's sources could serve it/);
    expect(error.message).toContain(`${gone.url}: The server answered 404`);
    expect(error.message).toContain(`${alsoGone.url}: The server answered 410`);
    expect(gone.rangeRequests()).toEqual([]);
  });
});

/** The file's piece hashes, as a Metalink lists them. */
function piecesOf(data: Buffer, length: number): NonNullable<MirrorOptions['pieces']> {
  const sha256s: string[] = [];
  for (let at = 0; at < data.length; at += length) {
    sha256s.push(
      createHash('sha256')
        .update(data.subarray(at, at + length))
        .digest('hex'),
    );
  }
  return { length, sha256: sha256s };
}

describe('a mirror that serves wrong bytes under the right headers', () => {
  it('is caught by the Metalink’s piece hashes and dropped; its pieces are fetched again', async () => {
    const primary = await serve(content);
    const other = deterministicContent(SIZE, 42);
    // The liar: right status, Content-Range and length, another file's bytes.
    const liar = await serve(content, {
      lie: (log) =>
        isProbe(log) || typeof log.headers.range !== 'string'
          ? null
          : { kind: 'headers', headers: {}, body: (start, end) => other.subarray(start, end) },
    });
    const made = download(primary.url, {
      urls: [{ url: liar.url }],
      size: SIZE,
      pieces: piecesOf(content, CHUNK),
    });
    holdUntilJudged(primary, made, liar.url);
    done(await made.transfer.run());
    expect(await fileEquals(made.file, content)).toBe(true);
    const dropped = sourceOf(made.transfer.info(), liar.url);
    expect(dropped.state).toBe('dropped');
    expect(dropped.why).toMatch(/failed the Metalink's SHA-256/);
    expect(liar.requests.some((r) => r.lied === 'headers')).toBe(true);
  });

  it('blames a piece two servers wrote on the one whose bytes were wrong, not the honest one', async () => {
    const primary = await serve(content);
    const honest = await serve(content);
    const other = deterministicContent(SIZE, 43);
    const liar = await serve(content, {
      lie: (log) =>
        isProbe(log) || typeof log.headers.range !== 'string'
          ? null
          : { kind: 'headers', headers: {}, body: (start, end) => other.subarray(start, end) },
    });
    // Pieces of two chunks: most are written by two servers.
    // (The liar preferred to the honest mirror: it is asked early.)
    const made = download(primary.url, {
      urls: [
        { url: honest.url, priority: 2 },
        { url: liar.url, priority: 1 },
      ],
      size: SIZE,
      pieces: piecesOf(content, 2 * CHUNK),
    });
    holdUntilJudged(primary, made, liar.url);
    done(await made.transfer.run());
    expect(await fileEquals(made.file, content)).toBe(true);
    const info = made.transfer.info();
    expect(sourceOf(info, liar.url).state).toBe('dropped');
    expect(sourceOf(info, honest.url).state).toBe('ready');
    expect(sourceOf(info, primary.url).state).toBe('ready');
  });
});

describe('pieces an earlier run left on disk', () => {
  it('finds a bad one, and fetches it again', async () => {
    const primary = await serve(content);
    const mirror = await serve(content);
    const pieces = piecesOf(content, CHUNK);
    // The first run gets the first six pieces: both servers keep the rest back.
    const half = 6 * CHUNK;
    const later = new Promise<void>(() => undefined);
    for (const server of [primary, mirror]) {
      server.behaviour.onRequest = (log) => {
        const from = /bytes=(\d+)-/.exec(String(log.headers.range ?? ''))?.[1];
        return from !== undefined && Number(from) >= half ? later : undefined;
      };
    }
    const first = download(primary.url, { urls: [{ url: mirror.url }], size: SIZE, pieces });
    void first.transfer.run();
    await until(() => first.transfer.info().received >= half, 20_000, 'the first six pieces');
    await first.transfer.pause();
    for (const server of [primary, mirror]) server.behaviour.onRequest = null;
    // A byte of the first piece goes bad on disk (a crash mid-write, a disk error).
    const { open } = await import('node:fs/promises');
    const part = await open(`${first.file}.part`, 'r+');
    await part.write(Buffer.from([(content[10] as number) ^ 0xff]), 0, 1, 10);
    await part.close();
    const again = download(
      primary.url,
      { urls: [{ url: mirror.url }], size: SIZE, pieces },
      { file: first.file },
    );
    const outcome = done(await again.transfer.run());
    expect(outcome.resumedBytes).toBeGreaterThan(0);
    expect(await fileEquals(again.file, content)).toBe(true);
  });
});
