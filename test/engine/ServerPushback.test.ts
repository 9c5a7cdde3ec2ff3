/**
 * How long a path waits when a server pushes back, and how many connections it keeps to a server
 * that limits them (issue 25): the arithmetic alone, on a clock the test sets, with the jitter's
 * dice loaded. The downloads that use it are in pushback.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../main/engine/httpHeaders.ts';
import { ServerPushback } from '../../main/engine/ServerPushback.ts';
import { DEFAULT_TUNING } from '../../main/engine/TransferOptions.ts';
import { httpStatusError, isPushBack } from '../../main/engine/transferErrors.ts';

const URL_A = 'http://files.example/file.bin';
const ORIGIN = 'http://files.example';

function pushback(random = 1): ServerPushback {
  return new ServerPushback(DEFAULT_TUNING, () => random);
}

describe('Retry-After (RFC 9110 §10.2.3)', () => {
  it('reads delay-seconds and an HTTP-date, and nothing else', () => {
    const now = Date.parse('Sun, 06 Nov 1994 08:49:37 GMT');
    expect(retryAfterMs({ 'retry-after': '30' }, now)).toBe(30_000);
    expect(retryAfterMs({ 'retry-after': ' 0 ' }, now)).toBe(0);
    expect(retryAfterMs({ 'retry-after': 'Sun, 06 Nov 1994 08:50:07 GMT' }, now)).toBe(30_000);
    // A date already past: ask again now.
    expect(retryAfterMs({ 'retry-after': 'Sun, 06 Nov 1994 08:00:00 GMT' }, now)).toBe(0);
    expect(retryAfterMs({}, now)).toBeNull();
    expect(retryAfterMs({ 'retry-after': '-5' }, now)).toBeNull();
    expect(retryAfterMs({ 'retry-after': '1.5' }, now)).toBeNull();
    expect(retryAfterMs({ 'retry-after': 'soon' }, now)).toBeNull();
  });

  it('travels with the status error, which counts as a push-back for 429 and 503 only (or a 5xx that says when)', () => {
    const error = httpStatusError(429, URL_A, { 'retry-after': '12' });
    expect(error).toMatchObject({ code: 'E_HTTP_STATUS', status: 429, url: URL_A, retryAfterMs: 12_000 });
    expect(isPushBack(error)).toBe(true);
    expect(isPushBack(httpStatusError(503, URL_A))).toBe(true);
    expect(isPushBack(httpStatusError(502, URL_A))).toBe(false);
    expect(isPushBack(httpStatusError(502, URL_A, { 'retry-after': '5' }))).toBe(true);
    expect(isPushBack(httpStatusError(403, URL_A, { 'retry-after': '5' }))).toBe(false);
  });
});

describe('ServerPushback: waits', () => {
  it('waits as long as Retry-After asks, per path and server, and says so', () => {
    const p = pushback();
    const wait = p.pushBack('a', httpStatusError(429, URL_A, { 'retry-after': '30' }), 1000);
    expect(wait).toBe(30_000);
    expect(p.waitFor('a', ORIGIN, 1000)).toBe(30_000);
    expect(p.waitFor('a', ORIGIN, 28_000)).toBe(3000);
    // Another path, or another server, is not held back.
    expect(p.waitFor('b', ORIGIN, 1000)).toBe(0);
    expect(p.waitFor('a', 'http://other.example', 1000)).toBe(0);
    expect(p.reason('a', 4000)).toBe('files.example asked to wait 30 s (429 Too Many Requests), 27 s left');
    expect(p.reason('b', 4000)).toBeNull();
    expect(p.reason('a', 31_000)).toBeNull();
  });

  it('never asks again in a tight loop, whatever Retry-After says', () => {
    const p = pushback();
    const zero = (at: number): number =>
      p.pushBack('a', httpStatusError(429, URL_A, { 'retry-after': '0' }), at);
    expect([zero(0), zero(1), zero(2), zero(3)]).toEqual([500, 1000, 2000, 4000]);
  });

  it('cuts a Retry-After longer than backoffMaxMs to it, and says so', () => {
    const p = new ServerPushback({ ...DEFAULT_TUNING, backoffMaxMs: 600_000 });
    const wait = p.pushBack('a', httpStatusError(503, URL_A, { 'retry-after': '7200' }), 0);
    expect(wait).toBe(600_000);
    expect(p.reason('a', 0)).toBe(
      'files.example asked to wait 2 h (503 Service Unavailable); trying again in 10 min',
    );
  });

  it('without Retry-After, doubles from backoffBaseMs with jitter (half fixed, half random), up to a minute', () => {
    const waits = (random: number): number[] => {
      const p = pushback(random);
      return Array.from({ length: 9 }, (_, i) => p.pushBack('a', httpStatusError(503, URL_A), i));
    };
    expect(waits(1)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(waits(0)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    const p = pushback(0.5);
    p.pushBack('a', httpStatusError(503, URL_A), 0);
    expect(p.reason('a', 0)).toBe('files.example is busy (503 Service Unavailable); trying again in 1 s');
  });

  it('starts over from the first wait once the path is answered after its wait', () => {
    const p = pushback();
    p.pushBack('a', httpStatusError(503, URL_A), 0);
    p.pushBack('a', httpStatusError(503, URL_A), 1000);
    // An answer to a request sent before the wait does not end it…
    p.answered('a', ORIGIN, 1500);
    expect(p.waitFor('a', ORIGIN, 1500)).toBe(1500);
    // …one after it does, and the next push-back waits the first wait again.
    p.answered('a', ORIGIN, 3000);
    expect(p.pushBack('a', httpStatusError(503, URL_A), 3000)).toBe(1000);
  });

  it('runs out of patience only when nothing but push-backs came for pushbackPatienceMs', () => {
    const p = new ServerPushback({ ...DEFAULT_TUNING, pushbackPatienceMs: 10_000 });
    p.pushBack('a', httpStatusError(503, URL_A), 0);
    expect(p.patienceSpent(9000)).toBe(false);
    p.answered('b', ORIGIN, 9000);
    p.pushBack('a', httpStatusError(503, URL_A), 12_000);
    expect(p.patienceSpent(20_000)).toBe(false);
    expect(p.patienceSpent(22_001)).toBe(true);
    expect(p.giveUpError()).toMatchObject({
      code: 'E_HTTP_STATUS',
      status: 503,
      message:
        'files.example answered nothing but 503 Service Unavailable for 10 s; Pathwise stopped waiting. What arrived is kept: run the download again later to resume.',
    });
  });
});

describe('ServerPushback: connection limits', () => {
  it('keeps a path to the connections that worked when the server turns one away', () => {
    const p = pushback();
    expect(p.connections('a', ORIGIN, 4, 0)).toBe(4);
    p.limitHit('a', ORIGIN, 2, 0);
    expect(p.connections('a', ORIGIN, 4, 1000)).toBe(2);
    expect(p.limitOf('a', ORIGIN)).toBe(2);
    // Other paths (other clients, to the server) and other servers keep theirs.
    expect(p.connections('b', ORIGIN, 4, 1000)).toBe(4);
    expect(p.connections('a', 'http://other.example', 4, 1000)).toBe(4);
    // Never below one, and never raised by a later hit.
    p.limitHit('a', ORIGIN, 0, 2000);
    expect(p.connections('a', ORIGIN, 4, 2000)).toBe(1);
    p.limitHit('a', ORIGIN, 3, 3000);
    expect(p.connections('a', ORIGIN, 4, 3000)).toBe(1);
  });

  it('tries one more connection every 30 s without a refusal, until it no longer holds anything back', () => {
    const p = pushback();
    p.limitHit('a', ORIGIN, 1, 0);
    expect(p.connections('a', ORIGIN, 2, 29_999)).toBe(1);
    expect(p.connections('a', ORIGIN, 2, 30_000)).toBe(2);
    expect(p.connections('a', ORIGIN, 2, 45_000)).toBe(2);
    // The usual count again, but extra connections for urgent ranges are still held to the limit…
    expect(p.limitOf('a', ORIGIN)).toBe(2);
    expect(p.connections('a', ORIGIN, 2, 60_000)).toBe(2);
    expect(p.limitOf('a', ORIGIN)).toBe(3);
    // …until the limit is above them too, and forgotten.
    expect(p.connections('a', ORIGIN, 2, 90_000)).toBe(2);
    expect(p.connections('a', ORIGIN, 2, 120_000)).toBe(2);
    expect(p.limitOf('a', ORIGIN)).toBeNull();
  });
});

describe('ranges from a server that pushes back', () => {
  it('double with each push-back to that path, up to 16 times, and shrink back after a calm minute', () => {
    const p = pushback();
    const error = httpStatusError(429, URL_A, { 'retry-after': '1' });
    expect(p.chunkScale('wlan0', ORIGIN, 0)).toBe(1);
    p.pushBack('wlan0', error, 0);
    expect(p.chunkScale('wlan0', ORIGIN, 0)).toBe(2);
    p.pushBack('wlan0', error, 1_000);
    expect(p.chunkScale('wlan0', ORIGIN, 1_000)).toBe(4);
    // Another path, another server: their own.
    expect(p.chunkScale('wwan0', ORIGIN, 1_000)).toBe(1);
    expect(p.chunkScale('wlan0', 'http://other.example', 1_000)).toBe(1);
    for (let i = 0; i < 5; i++) p.pushBack('wlan0', error, 2_000 + i);
    expect(p.chunkScale('wlan0', ORIGIN, 3_000)).toBe(16);
    expect(p.chunkScale('wlan0', ORIGIN, 2_004 + 59_999)).toBe(16);
    expect(p.chunkScale('wlan0', ORIGIN, 2_004 + 60_000)).toBe(1);
    p.pushBack('wlan0', error, 70_000);
    expect(p.chunkScale('wlan0', ORIGIN, 70_000)).toBe(2);
  });

  it('are sized from how fast the path’s answers came in while they are scaled, not from its waits', () => {
    const p = pushback();
    const error = httpStatusError(429, URL_A, { 'retry-after': '1' });
    // Not pushed back: the path's own meter sizes its ranges.
    p.answered('wlan0', ORIGIN, 0, 5_000_000);
    expect(p.answerRate('wlan0', ORIGIN, 0)).toBe(0);
    p.pushBack('wlan0', error, 100);
    expect(p.answerRate('wlan0', ORIGIN, 1_100)).toBe(5_000_000);
    expect(p.answerRate('wwan0', ORIGIN, 1_100)).toBe(0);
    // The latest answer counts; one without a measured rate changes nothing.
    p.answered('wlan0', ORIGIN, 3_000, 4_000_000);
    p.answered('wlan0', ORIGIN, 4_000);
    expect(p.answerRate('wlan0', ORIGIN, 4_000)).toBe(4_000_000);
    // A calm minute after the push-back: the meter holds no waits any more.
    expect(p.answerRate('wlan0', ORIGIN, 60_100)).toBe(0);
  });
});
