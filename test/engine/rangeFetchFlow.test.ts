/**
 * One range request while its answer flows (RangeFetch, issue 26), piece by piece from a loopback
 * server the test drives: what it counts for the watchdog and the rate (silence, bytes, the gaps
 * between pieces), when it pauses reading (a rate limit's hold, a disk that is behind), where it
 * stops (a steal, the user, a server that ends early or drops the connection, a failed write),
 * and the answers it may start from: a lead sent before the probe came back, or the probe's own.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PathwiseError } from '../../common/errors.ts';
import type { PartFile } from '../../main/engine/PartFile.ts';
import { RangeFetch, type FetchResult, type RangeFetchOptions } from '../../main/engine/RangeFetch.ts';
import { leadRange, type ResponseBody } from '../../main/engine/RangeProbe.ts';
import { Agent, request } from '../../main/network/undiciCore.ts';

const SIZE = 1000;
const content = Buffer.from(Array.from({ length: SIZE }, (_, i) => (i * 7) % 251));
const ETAG = '"v1"';
const COMPLETE: FetchResult = { status: 'complete' };
/** A moment well after anything here: how long a fetch has been silent by then. */
const LATER_MS = 60_000;

/** One request as the server sees it: the test answers it, piece by piece. */
interface Call {
  headers: IncomingHttpHeaders;
  res: ServerResponse;
  /** Resolves when the connection closed before the answer ended (the client let go). */
  gone: Promise<void>;
}

let server: Server;
let base: URL;
let calls: Call[] = [];
let callWaiter: (() => void) | null = null;
let dispatcher: Dispatcher;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.on('error', () => undefined);
    const gone = new Promise<void>((done) => res.on('close', () => done()));
    calls.push({ headers: req.headers, res, gone });
    callWaiter?.();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/file.bin`);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});
beforeEach(() => {
  calls = [];
  dispatcher = new Agent() as unknown as Dispatcher;
});
afterEach(async () => {
  server.closeAllConnections();
  await dispatcher.destroy();
});

/** The `n`th request (from 1) once the server has it. */
async function call(n = 1): Promise<Call> {
  while (calls.length < n) await new Promise<void>((done) => (callWaiter = done));
  return calls[n - 1]!;
}

/** The headers of a right answer to bytes 100-199 of version "v1"; `over` may leave one out (undefined). */
function rightHeaders(over: Record<string, string | undefined> = {}): Record<string, string> {
  const all = { 'content-range': 'bytes 100-199/1000', 'content-length': '100', etag: ETAG, ...over };
  return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The part file, in memory: every write's bytes at its position, a disk that takes a moment. */
class MemoryPart {
  readonly writes: Array<{ position: number; bytes: Buffer }> = [];
  started = 0;
  finished = 0;
  /** Writes wait for this (a disk that is behind) when set. */
  gate: Promise<void> | null = null;
  /** Every write fails with this when set (a full disk). */
  failure: PathwiseError | null = null;

  async write(buffers: Buffer[], position: number): Promise<void> {
    this.started++;
    const bytes = Buffer.concat(buffers);
    if (this.gate) await this.gate;
    await new Promise((done) => setImmediate(done));
    if (this.failure) throw this.failure;
    this.writes.push({ position, bytes });
    this.finished++;
  }

  /** The ranges written, merged; each write must hold the file's bytes at its offset. */
  ranges(): Array<[number, number]> {
    const merged: Array<[number, number]> = [];
    for (const { position, bytes } of [...this.writes].sort((a, b) => a.position - b.position)) {
      expect(bytes.equals(content.subarray(position, position + bytes.length))).toBe(true);
      const last = merged.at(-1);
      if (last && last[1] === position) last[1] += bytes.length;
      else merged.push([position, position + bytes.length]);
    }
    return merged;
  }
}

interface Run {
  fetch: RangeFetch;
  part: MemoryPart;
  /** The fetch's result; writes still in flight when it came are counted in `unwrittenAtEnd`. */
  result: Promise<FetchResult>;
  unwrittenAtEnd: () => number;
  /** Each piece as the fetch counted it: when, its size, and the smoothed gap then. */
  pieces: Array<{ now: number; bytes: number; gapMs: number }>;
  /** Resolves once `n` bytes have come in. */
  got: (n: number) => Promise<void>;
}

/**
 * Starts a fetch of bytes 100-199 of version "v1" (unless `over` says otherwise); `hold` is what
 * the rate limit answers for the i-th piece.
 */
function begin(over: Partial<RangeFetchOptions> = {}, hold: (i: number) => number = () => 0): Run {
  const part = new MemoryPart();
  const pieces: Run['pieces'] = [];
  const waiters: Array<{ n: number; done: () => void }> = [];
  const fetch = new RangeFetch({
    id: 1,
    lane: 'a',
    kind: 'chunk',
    dispatcher,
    url: base,
    start: 100,
    end: 200,
    expect: { size: SIZE, validator: { etag: ETAG, lastModified: null }, encoding: null },
    part: part as unknown as PartFile,
    onBytes: (f, bytes, now) => {
      pieces.push({ now, bytes, gapMs: f.gapMs });
      for (const w of waiters.filter((x) => f.bytes >= x.n)) w.done();
      return hold(pieces.length - 1);
    },
    ...over,
  });
  let unwritten = -1;
  const result = fetch.run().then((r) => {
    unwritten = part.started - part.finished;
    return r;
  });
  const got = (n: number): Promise<void> =>
    fetch.bytes >= n ? Promise.resolve() : new Promise((done) => waiters.push({ n, done }));
  return { fetch, part, result, unwrittenAtEnd: () => unwritten, pieces, got };
}

/** Sends `ranges` of the file as pieces, each once the fetch has the one before. */
async function send(run: Run, c: Call, ranges: Array<[number, number]>): Promise<void> {
  for (const [from, to] of ranges) {
    c.res.write(content.subarray(from, to));
    await run.got(to - 100);
  }
}

/** Answers `c` with `headers` (a right 206 by default), then `ranges` as in `send`. */
async function answer(run: Run, c: Call, ranges: Array<[number, number]>, headers = rightHeaders()) {
  c.res.writeHead(206, headers);
  await send(run, c, ranges);
}

/** A right answer that names no length: only the fetch can end it early. */
const open = (): Record<string, string> => rightHeaders({ 'content-length': undefined });

/** A lead for bytes 100-199, sent without a validator. */
const lead = () => leadRange(base.href, { dispatcher, lane: 'a', start: 100, end: 200 });

/** Answers `c` with the whole range under `headers`, at once. */
function whole(c: Call, headers = rightHeaders(), body = content.subarray(100, 200)): void {
  c.res.writeHead(206, headers);
  c.res.end(body);
}

describe('what it counts while its answer comes', () => {
  it('waits for its answer counted as silence, open to a steal, neither receiving nor stopped', async () => {
    const run = begin();
    const c = await call();
    expect(run.fetch.silentFor(run.fetch.lastProgressAt + LATER_MS)).toBe(LATER_MS);
    expect([run.fetch.receiving, run.fetch.stopped, run.fetch.paired]).toEqual([false, false, false]);
    expect(run.fetch.url).toBe(base);
    expect(run.fetch.rate(performance.now())).toBe(0);
    await answer(run, c, [[100, 200]]);
    c.res.end();
    expect(await run.result).toEqual(COMPLETE);
    expect([run.fetch.receiving, run.fetch.stopped]).toEqual([true, false]);
    expect(run.part.ranges()).toEqual([[100, 200]]);
    expect(run.unwrittenAtEnd()).toBe(0);
  });

  it('counts each piece: its bytes, the first byte once, the rate, and the smoothed gap between pieces', async () => {
    let firstBytes = 0;
    const run = begin({ onFirstByte: () => firstBytes++ });
    const c = await call();
    await answer(run, c, [[100, 130]]);
    expect(run.fetch.rate(run.pieces[0]!.now)).toBeGreaterThan(0);
    await send(run, c, [
      [130, 160],
      [160, 200],
    ]);
    c.res.end();
    expect(await run.result).toEqual(COMPLETE);
    const [p1, p2, p3] = run.pieces;
    expect(run.pieces.map((p) => p.bytes)).toEqual([30, 30, 40]);
    expect([run.fetch.bytes, firstBytes]).toEqual([100, 1]);
    // No gap before the first piece; then each gap weighs a tenth against the ones before.
    expect(p1!.gapMs).toBe(0);
    expect(p2!.gapMs).toBeCloseTo(0.1 * (p2!.now - p1!.now), 9);
    expect(p3!.gapMs).toBeCloseTo(0.9 * p2!.gapMs + 0.1 * (p3!.now - p2!.now), 9);
    expect(p2!.gapMs).toBeGreaterThan(0);
  });
});

describe('when it pauses reading: a rate limit’s hold', () => {
  it('holds while the rate limit says so, even once the disk has caught up, and counts no silence', async () => {
    const run = begin({}, (i) => (i === 0 ? 600_000 : 0));
    const c = await call();
    await answer(run, c, [[100, 140]]);
    expect(run.fetch.silentFor(performance.now() + LATER_MS)).toBe(0);
    while (run.part.finished < 1) await new Promise((done) => setImmediate(done));
    await new Promise((done) => setImmediate(done));
    expect(run.fetch.silentFor(performance.now() + LATER_MS)).toBe(0);
    run.fetch.abort();
    expect(await run.result).toEqual({ status: 'stopped' });
    expect(run.part.ranges()).toEqual([[100, 140]]);
  });

  it('reads on when the hold is over, and counts silence again from then', async () => {
    const run = begin({}, (i) => (i === 0 ? 30 : 0));
    const c = await call();
    await answer(run, c, [[100, 140]]);
    // The next piece can only come once reading resumed.
    await send(run, c, [[140, 170]]);
    expect(run.fetch.silentFor(run.fetch.lastProgressAt + LATER_MS)).toBe(LATER_MS);
    c.res.end(content.subarray(170, 200));
    expect(await run.result).toEqual(COMPLETE);
    expect(run.part.ranges()).toEqual([[100, 200]]);
  });

  // Node's timers count from the event loop's cached clock, so a timer set late in a busy tick
  // fires before performance.now() says the hold is over: the hold must be set again, not lost.
  it('reads on although the hold’s timer fires before the hold is over by performance.now()', async () => {
    const real = performance.now.bind(performance);
    const lagging = vi.spyOn(performance, 'now');
    try {
      const run = begin({}, (i) => (i === 0 ? 20 : 0));
      const c = await call();
      await answer(run, c, [[100, 140]]);
      lagging.mockImplementation(() => real() - 200);
      c.res.end(content.subarray(140, 200));
      expect(await run.result).toEqual(COMPLETE);
      expect(run.part.ranges()).toEqual([[100, 200]]);
    } finally {
      lagging.mockRestore();
    }
  });
});

describe('when it pauses reading: a disk that is behind', () => {
  it('reports the range complete only once its bytes are written, not when they arrived', async () => {
    let release = (): void => undefined;
    const run = begin();
    run.part.gate = new Promise((done) => (release = done));
    let reported = false;
    void run.result.then(() => (reported = true));
    const c = await call();
    await answer(run, c, [[100, 200]]);
    c.res.end();
    // Turns of the event loop, not time: the answer's end is read while the disk holds the bytes.
    for (let turn = 0; turn < 10; turn++) await new Promise((done) => setImmediate(done));
    expect(reported).toBe(false);
    release();
    expect(await run.result).toEqual(COMPLETE);
    expect(run.part.ranges()).toEqual([[100, 200]]);
  });

  it('holds while more than 512 KiB wait for the disk, and ends only once every byte is written', async () => {
    const big = 2 << 20;
    const file = Buffer.alloc(big, 7);
    let release = (): void => undefined;
    const run = begin({
      kind: 'stream',
      start: 0,
      end: big,
      expect: { size: big, validator: { etag: null, lastModified: null }, encoding: null },
    });
    run.part.gate = new Promise((done) => (release = done));
    const c = await call();
    c.res.writeHead(200, { 'content-length': String(big) });
    c.res.end(file);
    await run.got((512 << 10) + 1);
    expect(run.fetch.silentFor(performance.now() + LATER_MS)).toBe(0);
    release();
    expect(await run.result).toEqual(COMPLETE);
    expect(run.unwrittenAtEnd()).toBe(0);
    const written = run.part.writes.reduce((sum, w) => sum + w.bytes.length, 0);
    expect(written).toBe(big);
  });
});

describe('where it stops: a steal or the user', () => {
  it('writes up to an end a steal lowered mid-answer, and closes the answer there', async () => {
    const run = begin();
    const c = await call();
    await answer(run, c, [[100, 130]], open());
    expect(run.fetch.truncate(150)).toBe(150);
    c.res.write(content.subarray(130, 200));
    await c.gone;
    expect(await run.result).toEqual(COMPLETE);
    expect(run.part.ranges()).toEqual([[100, 150]]);
    expect(run.fetch.bytes).toBe(50);
  });

  it('ends at once, complete, when a steal takes everything not yet received', async () => {
    const run = begin();
    const c = await call();
    await answer(run, c, [[100, 140]], open());
    expect(run.fetch.truncate(120)).toBe(140);
    await c.gone;
    expect(await run.result).toEqual(COMPLETE);
    expect(run.part.ranges()).toEqual([[100, 140]]);
  });

  it('stopped before its answer came: cancels the request and says stopped', async () => {
    const run = begin();
    const c = await call();
    run.fetch.abort();
    await c.gone;
    expect(await run.result).toEqual({ status: 'stopped' });
    expect(run.part.writes).toEqual([]);
  });

  it('stopped by the user: keeps what arrived, closes the answer, and says stopped for good', async () => {
    const run = begin();
    const c = await call();
    await answer(run, c, [[100, 140]]);
    run.fetch.abort();
    run.fetch.abort(new PathwiseError('E_STALLED', 'too late to count'));
    await c.gone;
    expect(await run.result).toEqual({ status: 'stopped' });
    expect(run.part.ranges()).toEqual([[100, 140]]);
    expect(run.fetch.stopped).toBe(true);
    expect(run.fetch.silentFor(performance.now() + LATER_MS)).toBe(0);
  });

  it('stopped with a reason (a stall, a lost path): fails with it and keeps what arrived', async () => {
    const run = begin();
    const c = await call();
    await answer(run, c, [[100, 140]]);
    const stall = new PathwiseError('E_STALLED', 'no byte for 10 s');
    run.fetch.abort(stall);
    expect(await run.result).toEqual({ status: 'failed', error: stall });
    expect(run.part.ranges()).toEqual([[100, 140]]);
  });
});

describe('where it stops: the server or the disk', () => {
  it('says how much came when the server ends the answer early', async () => {
    const run = begin();
    const c = await call();
    await answer(run, c, [[100, 140]], rightHeaders({ 'content-length': undefined }));
    c.res.end();
    expect(await run.result).toEqual({
      status: 'failed',
      error: expect.objectContaining({
        code: 'E_TRUNCATED',
        message: 'The server ended the answer early over a (40 of 100 bytes).',
      }),
    });
    expect(run.part.ranges()).toEqual([[100, 140]]);
  });

  it('names the server and the path when the connection drops mid-answer', async () => {
    const run = begin();
    const c = await call();
    await answer(run, c, [[100, 140]]);
    c.res.socket?.destroy();
    const result = await run.result;
    expect(result).toMatchObject({ status: 'failed', error: { code: 'E_CONNECTION_LOST' } });
    const { message } = (result as { error: PathwiseError }).error;
    expect(message.startsWith(`The connection to ${base.host} was lost over a (`)).toBe(true);
    expect(run.part.ranges()).toEqual([[100, 140]]);
  });

  it('stops reading when a write fails, and fails with the disk’s error', async () => {
    const run = begin();
    const full = new PathwiseError('E_DISK_FULL', 'The disk is full.');
    run.part.failure = full;
    const c = await call();
    await answer(run, c, [[100, 140]], open());
    await c.gone;
    expect(await run.result).toEqual({ status: 'failed', error: full });
  });

  it('fails with the disk’s error when a write fails, even with the whole range received', async () => {
    const run = begin();
    const full = new PathwiseError('E_DISK_FULL', 'The disk is full.');
    run.part.failure = full;
    const c = await call();
    c.res.writeHead(206, rightHeaders());
    c.res.end(content.subarray(100, 200));
    expect(await run.result).toEqual({ status: 'failed', error: full });
    expect(run.part.writes).toEqual([]);
  });
});

describe('a lead sent before the probe came back', () => {
  it('takes a lead that answers exactly its range of the pinned version, asking nothing more', async () => {
    const run = begin({ lead: lead() });
    const c = await call();
    expect([c.headers.range, c.headers['if-match']]).toEqual(['bytes=100-199', undefined]);
    whole(c);
    expect(await run.result).toEqual(COMPLETE);
    expect(run.part.ranges()).toEqual([[100, 200]]);
    expect([run.fetch.receiving, calls.length]).toEqual([true, 1]);
  });

  it('drops a lead whose answer names no version, and asks again for the pinned one', async () => {
    const run = begin({ lead: lead() });
    whole(await call(), rightHeaders({ etag: undefined }));
    const again = await call(2);
    expect([again.headers.range, again.headers['if-match']]).toEqual(['bytes=100-199', ETAG]);
    whole(again);
    expect(await run.result).toEqual(COMPLETE);
    expect(run.part.ranges()).toEqual([[100, 200]]);
  });

  it.each([429, 503])(
    'waits with its path when a lead is answered %i, asking nothing more',
    async (status) => {
      const run = begin({ lead: lead() });
      const c = await call();
      c.res.writeHead(status, { 'retry-after': '5' });
      c.res.end();
      expect(await run.result).toMatchObject({ status: 'failed', error: { code: 'E_HTTP_STATUS', status } });
      expect(calls).toHaveLength(1);
    },
  );
});

describe('over a single connection', () => {
  /** 8 MiB: more than undici reads ahead, so an answer left unread would hold its connection. */
  const huge = Buffer.alloc(8 << 20);
  beforeEach(async () => {
    await dispatcher.destroy();
    dispatcher = new Agent({ connections: 1 }) as unknown as Dispatcher;
  });

  /** A stream long enough to come in several reads. */
  const LONG = 300_000;

  it('leaves its connection to the next request once its answer is read in full, a stream’s too', async () => {
    const stream = begin({
      kind: 'stream',
      start: 0,
      end: Number.POSITIVE_INFINITY,
      expect: { size: null, validator: { etag: null, lastModified: null }, encoding: null },
    });
    const first = await call();
    first.res.writeHead(200, { 'content-length': String(LONG) });
    first.res.end(Buffer.alloc(LONG));
    expect(await stream.result).toEqual(COMPLETE);
    // Read to the end it named, not closed early as if a steal had taken the rest.
    expect(stream.fetch.stopped).toBe(false);
    for (const n of [2, 3]) {
      const range = begin();
      whole(await call(n));
      expect(await range.result).toEqual(COMPLETE);
    }
    expect(new Set(calls.map((c) => c.res.socket)).size).toBe(1);
  });

  it('throws away a refused answer, body and all, so the connection serves the next range', async () => {
    const refused = begin();
    whole(await call(), rightHeaders({ etag: '"v2"', 'content-length': undefined }), huge);
    expect(await refused.result).toMatchObject({
      status: 'failed',
      error: { code: 'E_CHANGED_ON_SERVER' },
    });
    const next = begin();
    whole(await call(2));
    expect(await next.result).toEqual(COMPLETE);
  });

  it('throws away a lead answered 503, body and all, so the connection serves the next range', async () => {
    const waiting = begin({ lead: lead() });
    const c = await call();
    c.res.writeHead(503, { 'retry-after': '5' });
    c.res.end(huge);
    expect(await waiting.result).toMatchObject({ status: 'failed', error: { status: 503 } });
    const next = begin();
    whole(await call(2));
    expect(await next.result).toEqual(COMPLETE);
  });

  it('throws away a lead of another version, body and all, to ask again', async () => {
    const run = begin({ lead: lead() });
    whole(await call(), rightHeaders({ etag: '"v2"', 'content-length': undefined }), huge);
    whole(await call(2));
    expect(await run.result).toEqual(COMPLETE);
    expect(run.part.ranges()).toEqual([[100, 200]]);
  });
});

describe('the probe’s answer, handed on', () => {
  it('reads the probe’s answer it is handed, receiving from the start', async () => {
    const controller = new AbortController();
    const pending = request(dispatcher, {
      origin: base.origin,
      path: base.pathname,
      method: 'GET',
      headers: { range: 'bytes=100-199' },
      signal: controller.signal,
    });
    whole(await call());
    const { body } = await pending;
    const run = begin({ response: { body, abort: () => controller.abort() } });
    expect(await run.result).toEqual(COMPLETE);
    expect(run.part.ranges()).toEqual([[100, 200]]);
    expect([run.fetch.receiving, calls.length]).toEqual([true, 1]);
  });

  it('fails as cut short when the answer it is handed closed before anyone read it', async () => {
    const body = new PassThrough();
    body.destroy();
    const run = begin({ response: { body: body as unknown as ResponseBody, abort: () => undefined } });
    expect(await run.result).toEqual({
      status: 'failed',
      error: expect.objectContaining({
        code: 'E_TRUNCATED',
        message: 'The connection over a closed before its answer was read.',
      }),
    });
  });

  it('learns a stream’s end from its Content-Length as soon as the answer starts', async () => {
    let endAtFirstByte = 0;
    const run = begin({
      kind: 'stream',
      start: 0,
      end: Number.POSITIVE_INFINITY,
      expect: { size: null, validator: { etag: null, lastModified: null }, encoding: null },
      onFirstByte: (f) => (endAtFirstByte = f.end),
    });
    const c = await call();
    c.res.writeHead(200, { 'content-length': '600' });
    c.res.end(content.subarray(0, 600));
    expect(await run.result).toEqual(COMPLETE);
    expect(endAtFirstByte).toBe(600);
    expect(run.part.ranges()).toEqual([[0, 600]]);
  });
});
