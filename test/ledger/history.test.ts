// History by day, month and cycle, corrections to the carrier's figure, resets, and a fixed fee.
process.env.TZ = 'Europe/Berlin';

import { afterEach, describe, expect, it } from 'vitest';
import { Books, GB, MB, plan } from '../support/ledgerBooks.ts';

let books: Books | undefined;
afterEach(() => {
  books?.ledger.close();
  books = undefined;
});

/** 100 MB on wwan0 at noon each day from 25 January to 10 March 2026. */
function history(): Books {
  const b = new Books();
  b.plans = { wwan0: plan({ capBytes: 10 * GB, cycle: { kind: 'monthly', startDay: 15 } }) };
  b.t = new Date(2026, 0, 25, 12).getTime();
  while (b.t <= new Date(2026, 2, 10, 12).getTime()) {
    b.down('wwan0', 100 * MB);
    b.ledger.flush();
    b.advance(86_400_000);
  }
  b.t = new Date(2026, 2, 10, 18).getTime();
  return b;
}

describe('history by day, month and cycle', () => {
  it('lists days, months and billing cycles with their totals', () => {
    books = history();
    const days = books.ledger.periods('day', 3);
    expect(days.map((d) => [d.label, d.allBytes])).toEqual([
      ['2026-03-08', 100 * MB],
      ['2026-03-09', 100 * MB],
      ['2026-03-10', 100 * MB],
    ]);
    const months = books.ledger.periods('month', 3);
    expect(months.map((m) => [m.label, m.allBytes])).toEqual([
      ['2026-01', 700 * MB],
      ['2026-02', 2800 * MB],
      ['2026-03', 1000 * MB],
    ]);
    const cycles = books.ledger.periods('cycle', 3);
    expect(cycles.map((c) => [c.label, c.allBytes, c.cost])).toEqual([
      ['2025-12-15', 0, 0],
      ['2026-01-15', 2100 * MB, 21],
      ['2026-02-15', 2400 * MB, 24],
    ]);
  });
});

describe('correcting to the carrier, resetting, and a fixed fee', () => {
  it("corrects this cycle's count to the carrier's figure, as an adjustment shown as such", () => {
    books = history();
    expect(books.usage('wwan0')?.allBytes).toBe(2400 * MB);
    books.ledger.correct('wwan0', 3.2 * GB);
    const u = books.usage('wwan0')!;
    expect(u.allBytes).toBe(3.2 * GB);
    expect(u.adjustedBytes).toBe(800 * MB);
    expect(books.ledger.budgetFor('wwan0').remainingBytes).toBe(6.8 * GB);
    // Traffic after the correction adds to the carrier's figure.
    books.down('wwan0', 50 * MB);
    expect(books.usage('wwan0')?.allBytes).toBe(3.25 * GB);
    books.reopen();
    expect(books.usage('wwan0')?.allBytes).toBe(3.25 * GB);
  });

  it('resets a path to zero for this cycle', () => {
    books = history();
    books.ledger.reset('wwan0');
    expect(books.usage('wwan0')?.allBytes).toBe(0);
    expect(books.usage('wwan0')?.adjustedBytes).toBe(-2400 * MB);
  });

  it('adds a fixed monthly fee to the per-GB price and shows both', () => {
    books = history();
    books.plans = { wwan0: plan({ capBytes: 10 * GB, pricePerGb: 1, monthlyFee: 25 }) };
    const u = books.usage('wwan0')!;
    expect(u.allBytes).toBe(1000 * MB);
    expect(u.feeCost).toBe(25);
    expect(u.cost).toBe(26);
  });
});

describe('a correction made by another process', () => {
  it('reaches the running app at its next flush (budget and summary)', () => {
    books = history();
    const cli = books.twin();
    try {
      cli.ledger.correct('wwan0', 9 * GB);
    } finally {
      cli.ledger.close();
    }
    books.ledger.flush();
    expect(books.ledger.budgetFor('wwan0').remainingBytes).toBe(1 * GB);
    expect(books.usage('wwan0')?.allBytes).toBe(9 * GB);
  });
});
