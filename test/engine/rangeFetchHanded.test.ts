/**
 * A range fetch that reads an answer it is handed (the probe's own, RangeFetch, issue 26): the
 * stream is the test's, so it can do what a socket rarely does on cue — close mid-answer, run past
 * its range, never report closing — and the fetch must still write only its range, at its offset,
 * and end with the right result.
 */
import { PassThrough } from 'node:stream';
import type { Dispatcher } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PartFile } from '../../main/engine/PartFile.ts';
import { RangeFetch, type FetchResult, type RangeFetchOptions } from '../../main/engine/RangeFetch.ts';
import type { ResponseBody } from '../../main/engine/RangeProbe.ts';

const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7) % 251));

/** The part file, in memory: every write's bytes at its position. */
class MemoryPart {
  readonly writes: Array<{ position: number; bytes: Buffer }> = [];
  /** Writes wait for this (a disk that is behind) when set. */
  gate: Promise<void> | null = null;

  async write(buffers: Buffer[], position: number): Promise<void> {
    if (this.gate) await this.gate;
    await new Promise((done) => setImmediate(done));
    this.writes.push({ position, bytes: Buffer.concat(buffers) });
  }

  /** The ranges written; each write must hold the file's bytes at its offset. */
  ranges(): Array<[number, number]> {
    return this.writes.map(({ position, bytes }) => {
      expect(bytes.equals(content.subarray(position, position + bytes.length))).toBe(true);
      return [position, position + bytes.length];
    });
  }
}

interface Handed {
  fetch: RangeFetch;
  part: MemoryPart;
  body: PassThrough;
  /** The size of each piece as the fetch counted it. */
  pieces: number[];
  /** How many times the fetch let go of the answer through its abort. */
  aborts: () => number;
}

/**
 * A fetch of bytes 100-199 that will read `body` (the probe's answer), not yet run; `hold` is what
 * the rate limit answers for each piece.
 */
function handed(body = new PassThrough(), over: Partial<RangeFetchOptions> = {}, hold = 0): Handed {
  const part = new MemoryPart();
  const pieces: number[] = [];
  let aborts = 0;
  const fetch = new RangeFetch({
    id: 1,
    lane: 'a',
    kind: 'chunk',
    dispatcher: {} as Dispatcher,
    url: new URL('http://127.0.0.1:9/file.bin'),
    start: 100,
    end: 200,
    expect: { size: 1000, validator: { etag: '"v1"', lastModified: null }, encoding: null },
    part: part as unknown as PartFile,
    onBytes: (_, bytes) => {
      pieces.push(bytes);
      return hold;
    },
    response: { body: body as unknown as ResponseBody, abort: () => void aborts++ },
    ...over,
  });
  return { fetch, part, body, pieces, aborts: () => aborts };
}

/** Resolves once the fetch has counted `n` bytes. */
async function received(h: Handed, n: number): Promise<void> {
  while (h.fetch.bytes < n) await new Promise((done) => setImmediate(done));
}

describe('an answer it is handed', () => {
  it('neither writes nor counts the bytes an answer sends past its range', async () => {
    const h = handed();
    const result = h.fetch.run();
    h.body.write(content.subarray(100, 200));
    await received(h, 100);
    h.body.write(content.subarray(200, 250));
    h.body.end();
    expect(await result).toEqual({ status: 'complete' } satisfies FetchResult);
    expect(h.pieces).toEqual([100]);
    expect(h.fetch.bytes).toBe(100);
    expect(h.part.ranges()).toEqual([[100, 200]]);
  });

  it('fails as cut short when the answer is closed mid-way, keeping what came', async () => {
    const h = handed();
    const result = h.fetch.run();
    h.body.write(content.subarray(100, 140));
    await received(h, 40);
    h.body.destroy();
    expect(await result).toEqual({
      status: 'failed',
      error: expect.objectContaining({
        code: 'E_TRUNCATED',
        message: 'The server ended the answer early over a (40 of 100 bytes).',
      }),
    });
    expect(h.part.ranges()).toEqual([[100, 140]]);
  });

  it('stopped mid-way, ends as stopped even when the answer never reports closing', async () => {
    const h = handed(new PassThrough({ emitClose: false }));
    const result = h.fetch.run();
    h.body.write(content.subarray(100, 140));
    await received(h, 40);
    h.fetch.abort();
    expect(await result).toEqual({ status: 'stopped' } satisfies FetchResult);
    expect(h.part.ranges()).toEqual([[100, 140]]);
    expect([h.body.destroyed, h.aborts()]).toEqual([true, 1]);
  });

  it('reads to its end an answer that never reports closing', async () => {
    const h = handed(new PassThrough({ emitClose: false }));
    const result = h.fetch.run();
    h.body.end(content.subarray(100, 200));
    expect(await result).toEqual({ status: 'complete' } satisfies FetchResult);
    expect(h.part.ranges()).toEqual([[100, 200]]);
  });

  it('stopped while it counts a piece, takes nothing more of what the answer already holds', async () => {
    const h = handed(new PassThrough(), {
      onBytes: (f) => {
        f.abort();
        return 0;
      },
    });
    h.body.write(content.subarray(100, 120));
    h.body.write(content.subarray(120, 150));
    expect(await h.fetch.run()).toEqual({ status: 'stopped' } satisfies FetchResult);
    expect([h.fetch.bytes, h.fetch.pos]).toEqual([20, 120]);
    expect(h.part.ranges()).toEqual([[100, 120]]);
  });

  it('stopped before it ran, lets go of the answer unread and says stopped', async () => {
    const h = handed();
    h.body.write(content.subarray(100, 200));
    h.fetch.abort();
    expect(await h.fetch.run()).toEqual({ status: 'stopped' } satisfies FetchResult);
    expect(h.part.writes).toEqual([]);
    expect([h.body.destroyed, h.aborts(), h.fetch.bytes]).toEqual([true, 1, 0]);
  });
});

// The only timers here are the fetch's own: the answer is a stream in memory, the disk a Map.
describe('the timers a rate limit’s hold sets', () => {
  afterEach(() => vi.restoreAllMocks());

  it('sets none when nothing holds the reading', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const h = handed();
    const result = h.fetch.run();
    h.body.write(content.subarray(100, 150));
    await received(h, 50);
    h.body.end(content.subarray(150, 200));
    expect(await result).toEqual({ status: 'complete' } satisfies FetchResult);
    expect(h.part.ranges()).toEqual([
      [100, 150],
      [150, 200],
    ]);
    expect(timers).not.toHaveBeenCalled();
  });

  // A timer left running would keep a finished `pathwise get` from exiting until it fired.
  it('sets one for the hold, and none after a stop while a write was still running', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    const h = handed(new PassThrough(), {}, 600_000);
    let release = (): void => undefined;
    h.part.gate = new Promise((done) => (release = done));
    const result = h.fetch.run();
    h.body.write(content.subarray(100, 140));
    await received(h, 40);
    expect(timers.mock.calls.map(([, ms]) => ms)).toEqual([expect.closeTo(600_000, -1)]);
    expect(h.fetch.silentFor(performance.now() + 60_000)).toBe(0);
    h.fetch.abort();
    release();
    expect(await result).toEqual({ status: 'stopped' } satisfies FetchResult);
    expect(h.part.ranges()).toEqual([[100, 140]]);
    expect(timers).toHaveBeenCalledTimes(1);
    expect(cleared).toHaveBeenCalledWith(timers.mock.results[0]!.value);
  });
});

describe('a disk that is behind', () => {
  it('holds reading once more than 512 KiB wait to be written, not at 512 KiB', async () => {
    const limit = 512 << 10;
    const h = handed(new PassThrough(), {
      start: 0,
      end: 2 * limit,
      expect: { size: 2 * limit, validator: { etag: null, lastModified: null }, encoding: null },
    });
    let release = (): void => undefined;
    h.part.gate = new Promise((done) => (release = done));
    const result = h.fetch.run();
    h.body.write(Buffer.alloc(limit));
    await received(h, limit);
    expect(h.fetch.silentFor(h.fetch.lastProgressAt + 60_000)).toBe(60_000);
    h.body.write(Buffer.alloc(1));
    await received(h, limit + 1);
    expect(h.fetch.silentFor(h.fetch.lastProgressAt + 60_000)).toBe(0);
    h.fetch.abort();
    release();
    expect(await result).toEqual({ status: 'stopped' } satisfies FetchResult);
    expect(h.part.writes.reduce((sum, w) => sum + w.bytes.length, 0)).toBe(limit + 1);
  });
});
