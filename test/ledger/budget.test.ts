import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../common/contract.ts';
import { PathLimits } from '../../main/engine/PathLimits.ts';
import { Ledger } from '../../main/ledger/Ledger.ts';
import { A, B, fileEquals, makeTransfer, twoPaths } from '../support/engineLab.ts';
import { LinkEmulator } from '../support/linkEmulator.ts';
import { deterministicContent, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 33);
const CHUNK = 256 << 10;
const plan: Plan = {
  capBytes: 2_000_000,
  cycle: { kind: 'monthly', startDay: 1 },
  pricePerGb: 10,
  overagePricePerGb: 10,
  atCap: 'stop',
  rateLimitBps: null,
  currency: 'EUR',
};

let server: RangeServer;
let link: LinkEmulator;
beforeEach(async () => {
  server = await startRangeServer(content);
  link = await LinkEmulator.start({ host: '127.0.0.1', port: server.port });
  link.set(A, { rateBps: 1_000_000 });
  link.set(B, { rateBps: 1_000_000 });
});
afterEach(async () => {
  await link.close();
  await server.close();
});

describe('plan caps enforced by the ledger across downloads and restarts', () => {
  it('lets a capped path spend only what is left (+ at most one chunk), then nothing after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-ledger-cap-'));
    const open = (): Ledger => Ledger.open({ dataDir: dir, plans: () => ({ b: plan }) }).ledger;
    let ledger = open();
    // 1.5 MB of the 2 MB cap are already used this cycle: 500 kB are left on b.
    ledger.recordPathBytes({
      transferId: 'old',
      path: 'b',
      direction: 'down',
      bytes: 1_500_000,
      at: Date.now(),
    });

    const download = async (books: Ledger): Promise<number> => {
      const { transfer, file } = makeTransfer({
        url: link.url('/file.bin'),
        paths: twoPaths(),
        limits: new PathLimits(books),
        tuning: { planner: { maxChunk: CHUNK } },
      });
      transfer.on('bytes', (event) => books.recordPathBytes(event));
      const outcome = await transfer.run();
      expect(outcome.status).toBe('done');
      expect(await fileEquals(file, content)).toBe(true);
      return transfer.info().paths['b']?.bytes ?? 0;
    };

    const first = await download(ledger);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(500_000 + CHUNK);
    expect(ledger.summary().paths.find((p) => p.name === 'b')?.appBytes).toBe(1_500_000 + first);

    ledger.close();
    ledger = open(); // a restart
    const second = await download(ledger);
    expect(first + second).toBeLessThanOrEqual(500_000 + CHUNK);
    expect(ledger.budgetFor('b').remainingBytes).toBeLessThanOrEqual(Math.max(0, 500_000 - first - second));
    ledger.close();
  });
});
