// The engine's budget per path (CapBudgets, issue 26): for each at-cap action, what the engine may
// spend below, just below, at and over the cap. Cycles are local time: pin a zone before anything
// reads the clock.
process.env.TZ = 'Europe/Berlin';

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CapBudgets } from '../../main/ledger/CapBudgets.ts';
import type { CycleTotals } from '../../main/ledger/CycleTotals.ts';
import { Ledger } from '../../main/ledger/Ledger.ts';
import { ZERO } from '../../main/ledger/usageTotals.ts';
import { Books, MB, plan } from '../support/ledgerBooks.ts';

const NONE = { remainingBytes: null, rateLimitBps: null };
const CAP = 100 * MB;
const T = new Date(2026, 2, 10, 12).getTime();

let books: Books | undefined;
afterEach(() => {
  books?.ledger.close();
  books = undefined;
});

/** A ledger whose wwan0 has `used` bytes of this cycle behind it (flushed), under `over`'s plan. */
function usedOf(used: number, over: Parameters<typeof plan>[0]): Books {
  const b = new Books();
  b.plans = { wwan0: plan({ capBytes: CAP, ...over }) };
  if (used > 0) b.down('wwan0', used);
  b.ledger.flush();
  books = b;
  return b;
}

describe('the budget of a "stop" plan: what is left of the cap, never less than nothing', () => {
  it.each([
    ['nothing used', 0, CAP],
    ['well below', 40 * MB, 60 * MB],
    ['a byte below', CAP - 1, 1],
    ['exactly at', CAP, 0],
    ['over', CAP + 5 * MB, 0],
  ])('%s the cap', (_, used, remaining) => {
    const b = usedOf(used, { atCap: 'stop', rateLimitBps: 50_000 });
    expect(b.ledger.budgetFor('wwan0')).toEqual({ remainingBytes: remaining, rateLimitBps: null });
  });

  it('counts bytes not yet written to the database', () => {
    const b = usedOf(10 * MB, { atCap: 'stop' });
    b.down('wwan0', 30 * MB);
    expect(b.ledger.budgetFor('wwan0')).toEqual({ remainingBytes: 60 * MB, rateLimitBps: null });
  });

  it('starts from the whole cap again in the next cycle', () => {
    const b = usedOf(CAP, { atCap: 'stop' });
    expect(b.ledger.budgetFor('wwan0').remainingBytes).toBe(0);
    b.t = new Date(2026, 3, 1, 0, 0, 1).getTime();
    expect(b.ledger.budgetFor('wwan0')).toEqual({ remainingBytes: CAP, rateLimitBps: null });
  });
});

describe('the budget of a "rate-limit" plan: no limit below the cap, the plan’s rate from it', () => {
  it.each([
    ['well below', 40 * MB, null],
    ['a byte below', CAP - 1, null],
    ['exactly at', CAP, 50_000],
    ['over', CAP + 5 * MB, 50_000],
  ])('%s the cap', (_, used, rate) => {
    const b = usedOf(used, { atCap: 'rate-limit', rateLimitBps: 50_000 });
    expect(b.ledger.budgetFor('wwan0')).toEqual({ remainingBytes: null, rateLimitBps: rate });
  });
});

describe('paths the budget leaves alone', () => {
  it('an "allow" plan, even far over its cap', () => {
    const b = usedOf(3 * CAP, { atCap: 'allow', rateLimitBps: 50_000 });
    expect(b.ledger.budgetFor('wwan0')).toEqual(NONE);
  });

  it('a plan without a cap, whatever its at-cap action', () => {
    for (const atCap of ['stop', 'rate-limit'] as const) {
      const b = usedOf(3 * CAP, { atCap, capBytes: null, rateLimitBps: 50_000 });
      expect(b.ledger.budgetFor('wwan0'), atCap).toEqual(NONE);
      b.ledger.close();
      books = undefined;
    }
  });

  it('a path without a plan, beside one whose cap is spent', () => {
    const b = usedOf(CAP, { atCap: 'stop' });
    b.down('wlan0', 3 * CAP);
    expect(b.ledger.budgetFor('wwan0').remainingBytes).toBe(0);
    expect(b.ledger.budgetFor('wlan0')).toEqual(NONE);
  });

  it('every path when no plans are set at all', () => {
    const { ledger } = Ledger.open({ dataDir: mkdtempSync(join(tmpdir(), 'pw-budget-none-')) });
    try {
      ledger.recordPathBytes({
        transferId: 't',
        path: 'wwan0',
        direction: 'down',
        bytes: 5 * MB,
        at: Date.now(),
      });
      expect(ledger.budgetFor('wwan0')).toEqual(NONE);
    } finally {
      ledger.close();
    }
  });
});

describe('CapBudgets on its own: the plan a path is on, found by its key', () => {
  /** Cycle totals that report `used[key]` bytes for the plan under `key`, and remember what was asked. */
  function cycles(used: Record<string, number>): { totals: CycleTotals; asked: string[] } {
    const asked: string[] = [];
    const totals = {
      of: (key: string) => {
        asked.push(key);
        return { ...ZERO, appRx: used[key] ?? 0 };
      },
    } as unknown as CycleTotals;
    return { totals, asked };
  }
  const stop = plan({ capBytes: CAP, atCap: 'stop' });

  it('finds a path’s plan by its name when it is given no other way', () => {
    const { totals, asked } = cycles({ wwan0: 30 * MB });
    const budgets = new CapBudgets(
      () => ({ wwan0: stop }),
      totals,
      () => T,
    );
    expect(budgets.budgetFor('wwan0')).toEqual({ remainingBytes: 70 * MB, rateLimitBps: null });
    expect(budgets.budgetFor('wlan0')).toEqual(NONE);
    expect(asked).toEqual(['wwan0']);
  });

  it('follows the plan’s key (a modem back under another name keeps what is left of its cap)', () => {
    const { totals, asked } = cycles({ 'sim:001': 90 * MB });
    const keys: Record<string, string | null> = { wwan1: 'sim:001', wlan0: 'wlan0', eth0: null };
    const budgets = new CapBudgets(
      () => ({ 'sim:001': stop }),
      totals,
      () => T,
      (name) => keys[name] ?? null,
    );
    expect(budgets.budgetFor('wwan1')).toEqual({ remainingBytes: 10 * MB, rateLimitBps: null });
    expect(budgets.budgetFor('wlan0')).toEqual(NONE);
    expect(budgets.budgetFor('eth0')).toEqual(NONE);
    expect(asked).toEqual(['sim:001']);
  });

  // A null key is "the plan under this path's name pays for another path": no plan at all, never
  // the plan of an interface someone named "null" (an object looked up by null reads "null").
  it('leaves a path whose plan is another payer’s alone, even beside a plan under the name "null"', () => {
    const { totals, asked } = cycles({ null: 99 * MB, eth0: 99 * MB });
    const budgets = new CapBudgets(
      () => ({ null: stop, eth0: stop }),
      totals,
      () => T,
      (name) => (name === 'eth0' ? null : name),
    );
    expect(budgets.budgetFor('eth0')).toEqual(NONE);
    expect(budgets.budgetFor('null')).toEqual({ remainingBytes: 1 * MB, rateLimitBps: null });
    expect(asked).toEqual(['null']);
  });

  it('leaves every path alone while there are no plans at all', () => {
    const { totals } = cycles({ wwan0: 30 * MB });
    expect(
      new CapBudgets(
        () => undefined,
        totals,
        () => T,
      ).budgetFor('wwan0'),
    ).toEqual(NONE);
  });
});
