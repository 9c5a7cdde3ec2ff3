/**
 * Servers that cap range sizes (issue 25): asked for `bytes=0-9999999`, many CDNs answer
 * `206 Content-Range: bytes 0-1048575/…`. The answer starts where asked and ends before the
 * request's end: its bytes are taken, the rest is planned again, and the cap is learned so later
 * chunks are no larger. Only another start, or an end past the request, is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fileEquals, makeTransfer, twoPaths } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
  type RequestLog,
} from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 251);
/** What the server serves of a range at most: well below the planner's first chunk (1 MiB). */
const CAP = 200_000;
let server: RangeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** How many bytes a request asked for (`bytes=a-b`). */
function asked(r: RequestLog): number {
  const match = /^bytes=(\d+)-(\d+)$/.exec(r.headers.range ?? '');
  return match ? Number(match[2]) - Number(match[1]) + 1 : 0;
}

async function completes(url: string): Promise<ReturnType<typeof makeTransfer>> {
  const made = makeTransfer({ url, paths: twoPaths() });
  const outcome = await made.transfer.run();
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'done', sha256: sha256(content) });
  expect(await fileEquals(made.file, content)).toBe(true);
  // Every byte came once: what a capped answer left out was asked for once more, no more.
  const info = made.transfer.info();
  expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
  return made;
}

describe('a server that caps range sizes', () => {
  it('takes capped answers to the ranges after the probe, plans the rest again and learns the cap', async () => {
    // The probe gets all it asks for; every range after it at most CAP bytes.
    server = await startRangeServer(content, {
      behaviour: {
        onRequest: (log, s) => {
          s.behaviour.maxRange = isProbe(log) ? null : CAP;
        },
      },
    });
    await completes(server.url);
    const ranges = server.rangeRequests();
    const capped = ranges.filter((r) => asked(r) > CAP);
    expect(capped.length, 'some ranges were asked for in full before the cap was known').toBeGreaterThan(0);
    // Once the first capped answer came, no chunk was planned larger: only the ranges asked for
    // before it (one per connection and the lead) went out oversized.
    expect(capped.length).toBeLessThanOrEqual(5);
    expect(ranges.length - capped.length).toBeGreaterThan(5);
    expect(server.requests.every((r) => r.status === 206)).toBe(true);
  });

  it('learns the cap from the probe itself: no range after it asks for more', async () => {
    server = await startRangeServer(content, { behaviour: { maxRange: CAP } });
    await completes(server.url);
    const [probe] = server.requests;
    expect(probe && asked(probe)).toBeGreaterThan(CAP);
    expect(probe?.bytes).toBe(CAP);
    // Only leads sent alongside the probe (before its answer) may have asked for more.
    const oversized = server.requests.slice(1).filter((r) => asked(r) > CAP);
    expect(oversized.length).toBeLessThanOrEqual(1);
  });

  it('still refuses an answer past the end asked for, or from another start', async () => {
    // The server answers each range after the probe from 1000 bytes further on: never written.
    server = await startRangeServer(content, {
      behaviour: {
        onRequest: (log) => {
          const match = /^bytes=(\d+)-(\d+)$/.exec(log.headers.range ?? '');
          if (!isProbe(log) && match) log.headers.range = `bytes=${Number(match[1]) + 1000}-${match[2]}`;
        },
      },
    });
    const made = makeTransfer({ url: server.url, paths: twoPaths() });
    const outcome = await made.transfer.run();
    expect(outcome.status === 'failed' && outcome.error.code).toBe('E_BAD_RESPONSE');
    expect(outcome.status === 'failed' && outcome.error.message).toMatch(
      /asked for bytes (\d+)-(\d+), got Content-Range "bytes \d+-\2\/3000000"/,
    );
  });
});
