/**
 * One range request checked against what was asked (RangeFetch's check, issue 26), answer by
 * answer from a loopback server the test scripts: only a 206 for exactly the range asked, of the
 * pinned version, size and encoding, is written; everything else fails with its own error and
 * writes nothing. A shorter answer from the right start is taken and the rest handed back. A
 * stream (a server without ranges) must keep the pinned length.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Validator } from '../../main/engine/httpHeaders.ts';
import { PartFile } from '../../main/engine/PartFile.ts';
import { RangeFetch, type FetchKind, type FetchResult } from '../../main/engine/RangeFetch.ts';
import { Agent } from '../../main/network/undiciCore.ts';

const SIZE = 1000;
const content = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 7) % 251));
const ETAG = '"v1"';
const DATE = 'Wed, 21 Oct 2026 07:28:00 GMT';

/** What the server answers next: status, headers and the body (bytes of the file, or given). */
interface Answer {
  status: number;
  headers?: OutgoingHttpHeaders;
  /** [start, end) of the file, or a buffer; sent chunked when `chunked`. */
  body?: [number, number] | Buffer;
  chunked?: boolean;
}

let server: Server;
let base: URL;
let dispatcher: Dispatcher;
let next: Answer = { status: 500 };
let asked: IncomingHttpHeaders = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    asked = req.headers;
    const { status, body = Buffer.alloc(0), chunked = false } = next;
    // A header set to undefined is one the answer leaves out.
    const headers = Object.fromEntries(Object.entries(next.headers ?? {}).filter(([, v]) => v !== undefined));
    const bytes = Buffer.isBuffer(body) ? body : content.subarray(body[0], body[1]);
    res.writeHead(status, chunked ? headers : { 'content-length': bytes.length, ...headers });
    if (chunked) res.write(bytes);
    res.end(chunked ? undefined : bytes);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/file.bin`);
  dispatcher = new Agent() as unknown as Dispatcher;
});
afterAll(async () => {
  await dispatcher.close();
  await new Promise((done) => server.close(done));
});

interface Ask {
  kind?: FetchKind;
  start?: number;
  end?: number;
  size?: number | null;
  validator?: Validator;
  encoding?: string | null;
  withShortAnswer?: boolean;
  /** A steal lowered the end before the answer came. */
  truncateTo?: number;
}

interface Outcome {
  result: FetchResult;
  written: ReadonlyArray<readonly [number, number]>;
  shortAnswers: Array<[number, number]>;
  fetch: RangeFetch;
}

/** Asks for [start, end) (100-200 of the 1000-byte file, pinned by ETag "v1", by default) and runs the fetch to its end. */
async function fetchWith(answer: Answer, ask: Ask = {}): Promise<Outcome> {
  next = answer;
  const { kind = 'chunk', start = 100, end = 200, size = SIZE, encoding = null } = ask;
  const part = await PartFile.open(join(mkdtempSync(join(tmpdir(), 'pw-check-')), 'file.part'), size);
  const shortAnswers: Array<[number, number]> = [];
  const fetch = new RangeFetch({
    id: 1,
    lane: 'a',
    kind,
    dispatcher,
    url: base,
    start,
    end,
    expect: { size, validator: ask.validator ?? { etag: ETAG, lastModified: DATE }, encoding },
    part,
    onBytes: () => 0,
    ...(ask.withShortAnswer === false
      ? {}
      : {
          onShortAnswer: (_: RangeFetch, to: number, before: number) => void shortAnswers.push([to, before]),
        }),
  });
  if (ask.truncateTo !== undefined) fetch.truncate(ask.truncateTo);
  const result = await fetch.run();
  await part.drain();
  const written = part.done.toArray();
  await part.close();
  return { result, written, shortAnswers, fetch };
}

const range = (from: number, to: number, total: number | '*' = SIZE): string =>
  `bytes ${from}-${to}/${total}`;

/** A correct answer to the default ask, with `headers` on top. */
const right = (headers: OutgoingHttpHeaders = {}): Answer => ({
  status: 206,
  headers: { 'content-range': range(100, 199), etag: ETAG, 'last-modified': DATE, ...headers },
  body: [100, 200],
});

function failure(code: string, message: string): { result: FetchResult; written: [] } {
  return { result: { status: 'failed', error: expect.objectContaining({ code, message }) }, written: [] };
}

const changed = (what: string) =>
  failure(
    'E_CHANGED_ON_SERVER',
    `The file at ${base.href} changed on the server while downloading (${what}). Pathwise never mixes two versions; run the download again to fetch the new one.`,
  );

const broken = (what: string) =>
  failure(
    'E_BAD_RESPONSE',
    `The server sent a broken answer for ${base.href}: ${what}. Pathwise stopped rather than save wrong bytes.`,
  );

describe('a range answered right', () => {
  it('asks for its range of the pinned version, and writes exactly that range', async () => {
    const outcome = await fetchWith(right());
    expect(outcome).toMatchObject({
      result: { status: 'complete' },
      written: [[100, 200]],
      shortAnswers: [],
    });
    expect(asked).toMatchObject({ range: 'bytes=100-199', 'if-match': ETAG, 'if-range': ETAG });
  });

  it('takes an answer that names no validator, a weak ETag, no total size, or no Content-Length', async () => {
    for (const answer of [
      right({ etag: undefined, 'last-modified': undefined }),
      right({ etag: 'W/"v2"' }),
      right({ 'content-range': range(100, 199, '*') }),
      { ...right(), chunked: true },
    ]) {
      expect(await fetchWith(answer), JSON.stringify(answer)).toMatchObject({
        result: { status: 'complete' },
      });
    }
  });

  it('pinned by ETag, judges by the ETag alone (a new Last-Modified on the same ETag is the same file)', async () => {
    const outcome = await fetchWith(right({ 'last-modified': 'Thu, 22 Oct 2026 07:28:00 GMT' }));
    expect(outcome.result).toEqual({ status: 'complete' });
  });

  it('pinned by date only, takes an answer that adds an ETag or leaves the date out', async () => {
    const byDate = { validator: { etag: null, lastModified: DATE } };
    expect((await fetchWith(right({ etag: '"new"' }), byDate)).result).toEqual({ status: 'complete' });
    expect((await fetchWith(right({ etag: undefined, 'last-modified': undefined }), byDate)).result).toEqual({
      status: 'complete',
    });
  });

  it('pinned by nothing (the server named no version), takes an answer that now names a date', async () => {
    const outcome = await fetchWith(right({ etag: undefined }), {
      validator: { etag: null, lastModified: null },
    });
    expect(outcome).toMatchObject({ result: { status: 'complete' }, written: [[100, 200]] });
    expect(asked).not.toHaveProperty('if-range');
  });

  it('takes a total size when none was pinned', async () => {
    const outcome = await fetchWith(right({ 'content-range': range(100, 199, 5000) }), { size: null });
    expect(outcome.result).toEqual({ status: 'complete' });
  });
});

describe('an answer that means the file changed', () => {
  it.each([
    [412, 'the server says the pinned version is gone (412)'],
    [416, 'the file got shorter (416)'],
    [200, 'the server answered a range with the whole file (200)'],
  ])('%i', async (status, what) => {
    expect(await fetchWith({ status, body: [0, SIZE] })).toMatchObject(changed(what));
  });

  it('another ETag', async () => {
    expect(await fetchWith(right({ etag: '"v2"' }))).toMatchObject(changed(`ETag ${ETAG} became "v2"`));
  });

  it('another Last-Modified, when pinned by date', async () => {
    const later = 'Thu, 22 Oct 2026 07:28:00 GMT';
    const outcome = await fetchWith(right({ etag: undefined, 'last-modified': later }), {
      validator: { etag: null, lastModified: DATE },
    });
    expect(outcome).toMatchObject(changed(`Last-Modified went from ${DATE} to ${later}`));
  });

  it('another Content-Encoding, either way', async () => {
    expect(await fetchWith(right({ 'content-encoding': 'gzip' }))).toMatchObject(
      changed('Content-Encoding was identity and is now gzip'),
    );
    expect(await fetchWith(right(), { encoding: 'gzip' })).toMatchObject(
      changed('Content-Encoding was gzip and is now identity'),
    );
  });

  it('another total size', async () => {
    expect(await fetchWith(right({ 'content-range': range(100, 199, 2000) }))).toMatchObject(
      changed('its length went from 1000 to 2000 bytes'),
    );
  });
});

describe('an answer that is not this range', () => {
  it('no Content-Range, a malformed one, or an unsatisfied one', async () => {
    expect(await fetchWith(right({ 'content-range': undefined }))).toMatchObject(
      broken('a 206 with Content-Range "(none)"'),
    );
    for (const value of ['bytes 100-199', 'bytes */1000']) {
      expect(await fetchWith(right({ 'content-range': value }))).toMatchObject(
        broken(`a 206 with Content-Range "${value}"`),
      );
    }
  });

  it('another start, or an end past the one asked for', async () => {
    for (const [from, to] of [
      [101, 200],
      [99, 198],
      [100, 200],
    ] as const) {
      const outcome = await fetchWith({
        ...right({ 'content-range': range(from, to) }),
        body: [from, to + 1],
      });
      expect(outcome).toMatchObject(
        broken(`asked for bytes 100-199, got Content-Range "${range(from, to)}"`),
      );
    }
  });

  it('a Content-Length that disagrees with its Content-Range', async () => {
    const outcome = await fetchWith({ ...right({ 'content-range': range(100, 199) }), body: [100, 199] });
    expect(outcome).toMatchObject(
      broken(`Content-Length 99 does not match the 100 bytes of Content-Range "${range(100, 199)}"`),
    );
  });
});

describe('an answer that is no file at all', () => {
  it.each([300, 301, 302, 307, 308])(
    '%i: a redirect that was not there when the download started',
    async (status) => {
      const outcome = await fetchWith({ status, headers: { location: '/elsewhere.bin' } });
      expect(outcome).toMatchObject(
        failure(
          'E_REDIRECT',
          `${base.href} now redirects (${status}) although it did not when the download started; run it again.`,
        ),
      );
    },
  );

  it.each([204, 400, 404, 500])('%i: the status, as the server said it', async (status) => {
    const outcome = await fetchWith({ status });
    expect(outcome).toMatchObject({
      result: { status: 'failed', error: { code: 'E_HTTP_STATUS', status } },
      written: [],
    });
  });
});

describe('a shorter answer from the right start (a server that caps range sizes)', () => {
  const short = (): Answer => ({ ...right({ 'content-range': range(100, 149) }), body: [100, 150] });

  it('is written, and the rest handed back to be planned again', async () => {
    const outcome = await fetchWith(short());
    expect(outcome).toMatchObject({
      result: { status: 'complete' },
      written: [[100, 150]],
      shortAnswers: [[150, 200]],
    });
    expect(outcome.fetch.end).toBe(150);
    expect(outcome.fetch.answerEnd).toBe(150);
  });

  it('hands nothing back when a steal had already taken the rest', async () => {
    const outcome = await fetchWith(short(), { truncateTo: 150 });
    expect(outcome).toMatchObject({
      result: { status: 'complete' },
      written: [[100, 150]],
      shortAnswers: [],
    });
  });

  it('is taken also where nobody listens for the rest', async () => {
    const outcome = await fetchWith(short(), { withShortAnswer: false });
    expect(outcome).toMatchObject({ result: { status: 'complete' }, written: [[100, 150]] });
  });
});

describe('a stream (a server without ranges)', () => {
  const stream = { kind: 'stream', start: 0, end: SIZE } as const;

  it('takes a 200 of the pinned length, asking no range', async () => {
    const outcome = await fetchWith({ status: 200, body: [0, SIZE] }, stream);
    expect(outcome).toMatchObject({ result: { status: 'complete' }, written: [[0, SIZE]] });
    expect(asked.range).toBeUndefined();
  });

  it('takes a 200 that names no length (chunked) and brings the pinned one', async () => {
    const outcome = await fetchWith({ status: 200, body: [0, SIZE], chunked: true }, stream);
    expect(outcome).toMatchObject({ result: { status: 'complete' }, written: [[0, SIZE]] });
  });

  it('refuses a 200 of another length', async () => {
    const outcome = await fetchWith({ status: 200, body: [0, SIZE - 1] }, stream);
    expect(outcome).toMatchObject(changed(`its length went from ${SIZE} to ${SIZE - 1} bytes`));
  });

  it('learns its end from the Content-Length when the size was unknown, or from the end of the body', async () => {
    const open = { kind: 'stream', start: 0, end: Number.POSITIVE_INFINITY, size: null } as const;
    const told = await fetchWith({ status: 200, body: [0, 600] }, open);
    expect(told).toMatchObject({ result: { status: 'complete' }, written: [[0, 600]] });
    expect(told.fetch.end).toBe(600);
    const untold = await fetchWith({ status: 200, body: [0, 700], chunked: true }, open);
    expect(untold).toMatchObject({ result: { status: 'complete' }, written: [[0, 700]] });
    expect(untold.fetch.end).toBe(700);
  });

  it('keeps an end it knows although the server names a shorter length, and says the answer was cut', async () => {
    const outcome = await fetchWith({ status: 200, body: [0, 600] }, { ...stream, size: null });
    expect(outcome.result).toMatchObject({ status: 'failed', error: { code: 'E_TRUNCATED' } });
    expect(outcome.fetch.end).toBe(SIZE);
  });

  it.each([206, 416])('refuses a %i, which answers a range nobody asked for', async (status) => {
    const outcome = await fetchWith({ status, body: [0, SIZE] }, stream);
    expect(outcome).toMatchObject({ result: { status: 'failed', error: { code: 'E_HTTP_STATUS', status } } });
  });
});
