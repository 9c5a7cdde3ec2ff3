/**
 * A server without byte ranges that pushes back (issue 25): its one stream broke, and asking for
 * the file again is answered 429 or 503. The download waits as the server asks (Retry-After, else
 * the back-off ServerPushback guesses), says why it waits, keeps its paths in service and then
 * streams the file again, instead of failing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferInfo } from '../../common/contract.ts';
import type { Transfer } from '../../main/engine/Transfer.ts';
import { A, B, fileEquals, makeTransfer, twoPaths } from '../support/engineLab.ts';
import {
  deterministicContent,
  sha256,
  startRangeServer,
  type Lie,
  type RangeServer,
  type RequestLog,
} from '../support/rangeServer.ts';

const SIZE = 2_000_000;
const content = deterministicContent(SIZE, 429);
let server: RangeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/**
 * Whole-file answers only; the first stops after 300 kB (the connection drops); the next
 * `pushBacks` requests for the stream (the whole file, no Range) are answered `status` (with
 * `retryAfter` when given), the ones after are whole. The engine's probes get the truth.
 */
async function serve(status: number, pushBacks: number, retryAfter?: number): Promise<RangeServer> {
  const pushedBack = (log: RequestLog, s: RangeServer): boolean => {
    const streams = s.requests.filter((r) => r.headers.range === undefined);
    const index = streams.indexOf(log);
    return index >= 0 && index < pushBacks;
  };
  server = await startRangeServer(content, {
    behaviour: {
      ranges: false,
      onRequest: (_log, s) => {
        s.behaviour.truncateAfter = s.requests.length === 1 ? 300_000 : null;
      },
      lie: (log, s): Lie | null => {
        if (!pushedBack(log, s)) return null;
        const headers: Record<string, number> = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
        return { kind: 'status', status, headers };
      },
    },
  });
  return server;
}

function record(transfer: Transfer): TransferInfo[] {
  const seen: TransferInfo[] = [];
  transfer.on('change', () => seen.push(transfer.info()));
  return seen;
}

async function completes(made: ReturnType<typeof makeTransfer>): Promise<void> {
  const outcome = await made.transfer.run();
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'done', sha256: sha256(content) });
  expect(await fileEquals(made.file, content)).toBe(true);
}

describe('a server without ranges that pushes back when the stream is asked again', () => {
  it('waits out a 429 with Retry-After, saying why, then streams the whole file', async () => {
    const s = await serve(429, 2, 1);
    const made = makeTransfer({ url: s.url, paths: twoPaths() });
    const seen = record(made.transfer);
    await completes(made);
    const streams = s.requests.filter((r) => r.headers.range === undefined);
    expect(streams.map((r) => r.status)).toEqual([429, 429, 200]);
    // Both paths were told to wait; the stream was asked again only once a wait was over.
    expect(new Set(streams.slice(0, 2).map((r) => r.remoteAddress))).toEqual(new Set([A, B]));
    const [first, second, whole] = streams as [RequestLog, RequestLog, RequestLog];
    expect(whole.at - Math.min(first.at + 1000, second.at + 1000)).toBeGreaterThanOrEqual(-10);
    const waiting = seen.map((i) => i.waiting).find((w) => w?.reason === 'server');
    expect(waiting?.detail).toMatch(/^127\.0\.0\.1:\d+ asked to wait 1 s \(429 Too Many Requests\)/);
    // The first stream's cut may cost its path; a push-back costs none.
    expect(made.events.filter((e) => e.kind === 'path-lost' && e.code === 'E_HTTP_STATUS')).toEqual([]);
  });

  it('backs off from 503s without Retry-After, as long as they last', async () => {
    const s = await serve(503, 4);
    const made = makeTransfer({ url: s.url, paths: twoPaths(), tuning: { backoffBaseMs: 200 } });
    const seen = record(made.transfer);
    await completes(made);
    expect(s.requests.filter((r) => r.status === 503)).toHaveLength(4);
    const busy = seen.flatMap((i) => Object.values(i.paths).map((p) => p.waiting)).find(Boolean);
    expect(busy).toMatch(/is busy \(503 Service Unavailable\); trying again in \d+ s$/);
    // The first stream's cut may cost its path; a push-back costs none.
    expect(made.events.filter((e) => e.kind === 'path-lost' && e.code === 'E_HTTP_STATUS')).toEqual([]);
  });
});
