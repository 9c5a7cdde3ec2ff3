/**
 * Servers that push back (issue 25): 429 and 503, with and without Retry-After, to the probe or to
 * the ranges after it, on one path or all; and servers that limit each client's connections. A
 * path told to wait waits as the server asks and stays in service (no path is lost for it), the
 * other paths go on meanwhile, the download says why it waits, and it fails only once the servers
 * have pushed back for longer than its patience. The waits' arithmetic is in ServerPushback.test.ts.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferInfo } from '../../common/contract.ts';
import type { Transfer } from '../../main/engine/Transfer.ts';
import { runPathwise } from '../support/cli.ts';
import { A, B, fileEquals, loopPath, makeTransfer, tempDir, twoPaths } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
  type RangeServerBehaviour,
} from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 252);
let server: RangeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(behaviour: Partial<RangeServerBehaviour>): Promise<RangeServer> {
  server = await startRangeServer(content, { behaviour });
  return server;
}

/** What the transfer said on each `change`: how it waited, and each path's state and waiting. */
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

describe('429 and 503: a path waits as the server asks', () => {
  it('waits out a 429 with Retry-After on the probe over every path, saying why, then downloads', async () => {
    const s = await serve({ pushBack: { status: 429, retryAfter: 1, requests: 2, only: 'probes' } });
    const made = makeTransfer({ url: s.url, paths: twoPaths() });
    const seen = record(made.transfer);
    await completes(made);
    const [first, second, third] = s.requests.filter(isProbe);
    // The probe over a, then over b, were told to wait; the next went out a second later.
    expect([first, second].map((r) => [r?.remoteAddress, r?.status])).toEqual([
      [A, 429],
      [B, 429],
    ]);
    expect((third?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990);
    const waiting = seen.map((i) => i.waiting).find((w) => w?.reason === 'server');
    expect(waiting).toMatchObject({ reason: 'server', paths: ['a', 'b'] });
    expect(waiting?.detail).toMatch(
      /^127\.0\.0\.1:\d+ asked to wait 1 s \(429 Too Many Requests\), 1 s left$/,
    );
    expect(made.events.filter((e) => e.kind === 'path-lost')).toEqual([]);
  });

  it('keeps the other path going while one backs off from 503s without Retry-After, losing no path', async () => {
    const s = await serve({ pushBack: { status: 503, from: B, only: 'ranges' } });
    const made = makeTransfer({ url: s.url, paths: twoPaths() });
    const seen = record(made.transfer);
    await completes(made);
    expect(s.requests.some((r) => r.remoteAddress === B && r.status === 503)).toBe(true);
    expect(made.transfer.info().paths['a']?.bytes).toBe(SIZE);
    // b waited, said so, and was never taken for a dead path.
    const bWaiting = seen.map((i) => i.paths['b']?.waiting).find(Boolean);
    expect(bWaiting).toMatch(/is busy \(503 Service Unavailable\); trying again in 1 s$/);
    expect(seen.every((i) => i.paths['b']?.state !== 'down')).toBe(true);
    expect(made.events.filter((e) => e.kind === 'path-lost')).toEqual([]);
  });

  it('finishes a download whose server answers 503 for longer than the give-up time (a patient client)', async () => {
    // Every range after the probe is pushed back for a while, on both paths.
    const s = await serve({ pushBack: { status: 503, only: 'ranges', until: performance.now() + 1500 } });
    const made = makeTransfer({
      url: s.url,
      paths: twoPaths(),
      tuning: { giveUpMs: 200, backoffBaseMs: 50 },
    });
    await completes(made);
    expect(s.requests.filter((r) => r.status === 503).length).toBeGreaterThan(2);
    expect(made.events.filter((e) => e.kind === 'path-lost')).toEqual([]);
  });

  it('fails once the servers answered nothing but 503 for longer than its patience, naming it', async () => {
    const s = await serve({ pushBack: { status: 503 } });
    const made = makeTransfer({
      url: s.url,
      paths: twoPaths(),
      tuning: { backoffBaseMs: 50, pushbackPatienceMs: 300 },
    });
    const outcome = await made.transfer.run();
    expect(outcome.status).toBe('failed');
    expect(outcome.status === 'failed' && outcome.error).toMatchObject({
      code: 'E_HTTP_STATUS',
      message: expect.stringMatching(
        /^127\.0\.0\.1:\d+ answered nothing but 503 Service Unavailable for 300 ms; Pathwise stopped waiting\./,
      ) as unknown,
    });
    expect(s.requests.length).toBeGreaterThan(2);
  });
});

describe('a server that limits each client’s connections', () => {
  /** 128 KiB chunks, so each path asks a dozen ranges, its two connections at once. */
  const chunked = { planner: { initialChunk: 128 << 10, maxChunk: 128 << 10 } };

  it.each(['reset', 'reset-at-accept', '503'] as const)(
    'keeps to the connections it allows (extra ones %s), losing no path',
    async (over) => {
      // Answers take a moment, so each path's two connections are open at once.
      const s = await serve({ maxConnections: { perClient: 1, over }, delayMs: 20 });
      const made = makeTransfer({ url: s.url, paths: twoPaths(), tuning: chunked });
      await completes(made);
      expect(s.turnedAway.length, 'the server turned connections away').toBeGreaterThan(0);
      expect(made.events.filter((e) => e.kind === 'path-lost')).toEqual([]);
      // Each path learned the limit at once: only the connections it opened before the first was
      // turned away (its two) met the limit.
      for (const address of [A, B]) {
        expect(s.turnedAway.filter((t) => t.remoteAddress === address).length).toBeLessThanOrEqual(2);
      }
      const info = made.transfer.info();
      expect((info.paths['a']?.bytes ?? 0) + (info.paths['b']?.bytes ?? 0)).toBe(SIZE);
    },
  );

  it('sends a range turned away over no other path at once: each path is turned away once', async () => {
    // As the bench's nginx does: 503 with Retry-After to a client's second request in flight.
    const s = await serve({ maxConnections: { perClient: 1, over: '503', retryAfter: 1 }, delayMs: 20 });
    const made = makeTransfer({ url: s.url, paths: twoPaths(), tuning: chunked });
    await completes(made);
    // A range given back as a failed path's would have gone out at once on an extra connection
    // of the other path, and been turned away there too (two refusals there). At most one each:
    // on a busy machine a path's first answer may end before its second connection asks.
    const refused = (address: string) =>
      s.requests.filter((r) => r.remoteAddress === address && r.status === 503).length;
    expect(refused(A) + refused(B), 'the server turned connections away').toBeGreaterThan(0);
    for (const address of [A, B]) expect(refused(address)).toBeLessThanOrEqual(1);
  });
});

describe('after a push-back', () => {
  it('asks for long ranges, sized from how fast the path’s answers came in, not from its waits', async () => {
    // 64 KiB ranges at first, 1 MiB at most; the first range after the probe is pushed back.
    const planner = { initialChunk: 64 << 10, minChunk: 16 << 10, maxChunk: 1 << 20 };
    const s = await serve({ pushBack: { status: 429, retryAfter: 1, requests: 1, only: 'ranges' } });
    const made = makeTransfer({
      url: s.url,
      paths: [loopPath('a', A)],
      tuning: { planner, connectionsPerPath: 1 },
    });
    await completes(made);
    const [probe, refused, ...after] = s.requests;
    expect([probe?.bytes, refused?.status]).toEqual([64 << 10, 429]);
    // The path answered far faster than 1 MiB in 2 s, though its meter, counting the second's wait,
    // said otherwise: the rest came in ranges of 1 MiB, the refused 64 KiB among them.
    expect(after.map((r) => r.bytes)).toEqual([1 << 20, 1 << 20, SIZE - (64 << 10) - (2 << 20)]);
  });
});

describe('what `pathwise get` says while a server makes it wait', () => {
  const pushBack = { status: 429, retryAfter: 1, requests: 2, only: 'probes' as const };

  it('says why it waits in a --json line, and again when the wait is over', async () => {
    const s = await serve({ pushBack: { ...pushBack } });
    const file = join(tempDir(), 'out.bin');
    const run = await runPathwise(['get', s.url, '-o', file, '--json', '--paths', `a=${A},b=${B}`]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type?: string; waiting?: { reason: string; detail?: string } | null });
    const waits = lines.filter((l) => l.type === 'waiting').map((l) => l.waiting);
    expect(waits).toEqual([
      {
        reason: 'server',
        paths: ['a', 'b'],
        detail: expect.stringMatching(
          /^127\.0\.0\.1:\d+ asked to wait 1 s \(429 Too Many Requests\), 1 s left$/,
        ) as unknown,
      },
      null,
    ]);
    expect(await fileEquals(file, content)).toBe(true);
  }, 60_000);

  it('says it on stderr without --json', async () => {
    const s = await serve({ pushBack: { ...pushBack } });
    const file = join(tempDir(), 'out.bin');
    const run = await runPathwise(['get', s.url, '-o', file, '--paths', `a=${A},b=${B}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /^pathwise: waiting: 127\.0\.0\.1:\d+ asked to wait 1 s \(429 Too Many Requests\), 1 s left\n$/,
    );
  }, 60_000);
});
