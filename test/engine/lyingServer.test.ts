/**
 * Servers that answer the probe truthfully and misbehave later (issue 26). The probe checks its
 * own answer, so a server that lies to every request is refused before any range is fetched; only
 * a server that lies part-way through reaches the checks every later 206 must pass (RangeFetch:
 * Content-Range, Content-Length, validators, encoding, status). What a user sees is asserted: the
 * download completes with the file's own bytes, or fails with a stable code and a message that
 * names the cause, and in neither case is a byte of another range or version left on disk. A
 * wrong range (issue 25) is asked again, over another path first: only a server that keeps lying
 * fails the download, and only a path that keeps mangling answers leaves it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { PathwiseError } from '../../common/errors.ts';
import type { JournalState } from '../../main/engine/TransferJournal.ts';
import type { TransferOutcome } from '../../main/engine/Transfer.ts';
import { B, failureOf as failedWith, fileEquals, makeTransfer, twoPaths } from '../support/engineLab.ts';
import {
  deterministicContent,
  lieTo,
  sha256,
  startRangeServer,
  type Lie,
  type LieTarget,
  type RangeServer,
  type RangeServerBehaviour,
} from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 21);
/** Another version of the file, as a server mid-update has it. */
const other = deterministicContent(SIZE, 22);
const CHUNK = 256 << 10;
let server: RangeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Every range after the probe: a server that keeps lying. */
const EVERY_RANGE: LieTarget = {};

/** Serves `content`, telling `lie` to the requests `target` names (the third range by default). */
async function lyingServer(
  lie: Lie,
  target: LieTarget = { nthRange: 3 },
  behaviour: Partial<RangeServerBehaviour> = {},
): Promise<RangeServer> {
  server = await startRangeServer(content, { behaviour: { ...behaviour, lie: lieTo(target, lie) } });
  return server;
}

/**
 * A download over both paths in fixed chunks, without steals or endgame races: the third range is
 * a whole chunk from the middle of the file, asked for once.
 */
function chunkedDownload(url: string): ReturnType<typeof makeTransfer> {
  return makeTransfer({
    url,
    paths: twoPaths(),
    tuning: { planner: { initialChunk: CHUNK, maxChunk: CHUNK, minSteal: Infinity, marginMs: Infinity } },
  });
}

/** The lie was told: a test whose server never lied would prove nothing. */
function expectLied(s: RangeServer, kind: Lie['kind']): void {
  expect(s.requests.filter((r) => r.lied === kind).length).toBeGreaterThan(0);
}

function failureOf(outcome: TransferOutcome): PathwiseError {
  return failedWith(outcome, `the download should have failed (the file's SHA-256 is ${sha256(content)})`);
}

async function completesWithTheFile(made: ReturnType<typeof makeTransfer>): Promise<void> {
  expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
  expect(await fileEquals(made.file, content)).toBe(true);
}

/**
 * What a failed download leaves for a resume: every range the journal claims holds the file's own
 * bytes, and so does every byte written at all (a byte not written yet reads as zero).
 */
async function leftOnlyTheFilesBytes(file: string): Promise<void> {
  expect(existsSync(file)).toBe(false);
  const part = await readFile(`${file}.part`);
  const journal = JSON.parse(await readFile(`${file}.part.json`, 'utf8')) as JournalState;
  for (const [start, end] of journal.done) {
    expect(part.subarray(start, end).equals(content.subarray(start, end))).toBe(true);
  }
  let wrong = 0;
  for (let i = 0; i < part.length; i++) if (part[i] !== 0 && part[i] !== content[i]) wrong++;
  expect(wrong, 'bytes in the part file that are not the file’s own at that offset').toBe(0);
}

describe('a server that lies about the range after the probe: Content-Range', () => {
  it('asks again for a range answered with another range, never writing the wrong one', async () => {
    const s = await lyingServer({ kind: 'other-range', startBy: -1000, endBy: -1000 });
    const made = chunkedDownload(s.url);
    await completesWithTheFile(made);
    const lied = s.requests.find((r) => r.lied === 'other-range');
    expect(lied, 'the server told its lie').toBeDefined();
    // The lied-about range was asked for again, and answered truthfully.
    const again = s.requests.filter((r) => r.headers.range === lied?.headers.range && r !== lied);
    expect(again.map((r) => [r.status, r.lied])).toEqual([[206, undefined]]);
    const info = made.transfer.info();
    expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
  });

  it('fails when the server keeps answering another range (shifted start), keeps only right bytes, and resumes', async () => {
    const s = await lyingServer({ kind: 'other-range', startBy: -1000, endBy: -1000 }, EVERY_RANGE);
    const made = chunkedDownload(s.url);
    const error = failureOf(await made.transfer.run());
    expectLied(s, 'other-range');
    expect(error.code).toBe('E_BAD_RESPONSE');
    expect(error.message).toMatch(/asked for bytes (\d+)-(\d+), got Content-Range "bytes \d+-\d+\/3000000"/);
    expect(error.message).toMatch(/Pathwise stopped rather than save wrong bytes/);
    await leftOnlyTheFilesBytes(made.file);

    // Run again once the server behaves: what was kept is used, the rest fetched.
    s.behaviour.lie = null;
    const again = await made.transfer.run();
    expect(again).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(again.status === 'done' && again.resumedBytes).toBeGreaterThan(0);
    expect(await fileEquals(made.file, content)).toBe(true);
  });

  it('refuses a range that ends past the end asked for (wrong end)', async () => {
    const s = await lyingServer({ kind: 'other-range', startBy: 0, endBy: 1000 }, EVERY_RANGE);
    const made = chunkedDownload(s.url);
    const error = failureOf(await made.transfer.run());
    expectLied(s, 'other-range');
    expect(error.code).toBe('E_BAD_RESPONSE');
    const told = /asked for bytes (\d+)-(\d+), got Content-Range "bytes (\d+)-(\d+)\/3000000"/.exec(
      error.message,
    );
    expect(told, error.message).not.toBeNull();
    const [asked, askedEnd, sent, sentEnd] = (told ?? []).slice(1).map(Number);
    expect([sent, sentEnd]).toEqual([asked, (askedEnd ?? 0) + 1000]);
    await leftOnlyTheFilesBytes(made.file);
  });

  it('refuses a range that starts elsewhere than asked, sent without a Content-Length', async () => {
    const s = await lyingServer({ kind: 'other-range', startBy: 1000, endBy: 0, chunked: true }, EVERY_RANGE);
    const made = chunkedDownload(s.url);
    const error = failureOf(await made.transfer.run());
    expectLied(s, 'other-range');
    expect(error.code).toBe('E_BAD_RESPONSE');
    expect(error.message).toMatch(/asked for bytes (\d+)-(\d+), got Content-Range "bytes (?!\1-)\d+-\2\//);
    await leftOnlyTheFilesBytes(made.file);
  });

  it('stops using a path that mangles every range (a middlebox), finishing over the other', async () => {
    const s = await lyingServer({ kind: 'other-range', startBy: -1000, endBy: -1000 }, { from: B });
    const made = chunkedDownload(s.url);
    await completesWithTheFile(made);
    expectLied(s, 'other-range');
    // Not a byte of b's answers was written; b left the download, saying why.
    expect(made.transfer.info().paths['b']?.bytes).toBe(0);
    const lost = made.events.filter((e) => e.kind === 'path-lost');
    expect(lost.map((e) => e.from)).toEqual(['b']);
    expect(lost[0]?.detail).toMatch(/got Content-Range .* b carries no more of this download\.$/);
  });
});

describe('a server that lies about the range after the probe: Content-Length and the body', () => {
  it.each([
    ['shorter', -1000],
    ['longer', 1000],
  ])('refuses a Content-Length %s than the Content-Range it sends, every time', async (_, by) => {
    const s = await lyingServer({ kind: 'content-length', by }, EVERY_RANGE);
    const made = chunkedDownload(s.url);
    const error = failureOf(await made.transfer.run());
    expectLied(s, 'content-length');
    expect(error.code).toBe('E_BAD_RESPONSE');
    expect(error.message).toMatch(
      new RegExp(`Content-Length ${CHUNK + by} does not match the ${CHUNK} bytes of Content-Range`),
    );
    await leftOnlyTheFilesBytes(made.file);
  });

  it('asks again for a range whose Content-Length disagreed once', async () => {
    const s = await lyingServer({ kind: 'content-length', by: -1000 });
    await completesWithTheFile(chunkedDownload(s.url));
    expectLied(s, 'content-length');
  });

  it('keeps the bytes of an answer cut short part-way and fetches only the rest', async () => {
    const s = await lyingServer({ kind: 'short-body', after: 100_000 });
    const made = chunkedDownload(s.url);
    await completesWithTheFile(made);
    expectLied(s, 'short-body');
    const info = made.transfer.info();
    expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
  });
});

describe('a server whose answers change part-way: status and redirects', () => {
  it('fails naming a redirect that appears mid-download, and follows none of it', async () => {
    const s = await lyingServer({ kind: 'status', status: 302, headers: { location: '/elsewhere.bin' } });
    const made = chunkedDownload(s.url);
    const error = failureOf(await made.transfer.run());
    expectLied(s, 'status');
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toBe(
      `${s.url} now redirects (302) although it did not when the download started; run it again.`,
    );
    expect(s.requests.some((r) => r.path === '/elsewhere.bin')).toBe(false);
    await leftOnlyTheFilesBytes(made.file);
  });

  it('takes a 416 to a range as "the file changed", starts over and completes', async () => {
    const s = await lyingServer({
      kind: 'status',
      status: 416,
      headers: { 'content-range': `bytes */${SIZE}` },
    });
    const made = chunkedDownload(s.url);
    await completesWithTheFile(made);
    expectLied(s, 'status');
    const restarts = made.events.filter((e) => e.kind === 'restart');
    expect(restarts).toHaveLength(1);
    expect(restarts[0]?.detail).toMatch(/changed on the server .*the file got shorter \(416\)/);
  });
});

/** Bytes as an encoding would send them: as many as the file's, none of them the file's. */
const encoded = (start: number, end: number): Buffer =>
  Buffer.from(content.subarray(start, end).map((b) => b ^ 0xff));

describe('a server whose answers change part-way: another encoding or version', () => {
  it('starts over when one answer comes in a new Content-Encoding, never saving its bytes', async () => {
    const lie: Lie = { kind: 'headers', headers: { 'content-encoding': 'gzip' }, body: encoded };
    const s = await lyingServer(lie);
    const made = chunkedDownload(s.url);
    await completesWithTheFile(made);
    expectLied(s, 'headers');
    const restarts = made.events.filter((e) => e.kind === 'restart');
    expect(restarts.map((e) => e.detail)).toEqual([
      expect.stringMatching(/Content-Encoding was identity and is now gzip\)\. Started over/),
    ]);
  });

  it('starts over when one answer is of another version (new ETag), never mixing the two', async () => {
    const body = (start: number, end: number): Buffer => other.subarray(start, end);
    const s = await lyingServer({ kind: 'headers', headers: { etag: '"another-version"' }, body });
    const made = chunkedDownload(s.url);
    await completesWithTheFile(made);
    expectLied(s, 'headers');
    const restarts = made.events.filter((e) => e.kind === 'restart');
    expect(restarts.map((e) => e.detail)).toEqual([
      expect.stringMatching(/ETag "[0-9a-f]+" became "another-version"\)\. Started over/),
    ]);
  });

  it('starts over when one answer names a new Last-Modified (no ETag), never mixing versions', async () => {
    const body = (start: number, end: number): Buffer => other.subarray(start, end);
    const lastModified = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
    const lie: Lie = { kind: 'headers', headers: { 'last-modified': lastModified }, body };
    const s = await lyingServer(lie, { nthRange: 3 }, { etag: null });
    const made = chunkedDownload(s.url);
    await completesWithTheFile(made);
    expectLied(s, 'headers');
    const restarts = made.events.filter((e) => e.kind === 'restart');
    expect(restarts.map((e) => e.detail)).toEqual([
      expect.stringMatching(new RegExp(`Last-Modified went from .* to ${lastModified}\\)\\. Started over`)),
    ]);
  });
});
