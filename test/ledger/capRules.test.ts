// Issue 24: forecasts follow the plan's rule at the cap, and the "will reach its cap" alert waits
// for enough history. Cycles are local time: pin a zone before anything reads the clock.
process.env.TZ = 'Europe/Berlin';

import { afterEach, describe, expect, it } from 'vitest';
import { eventAlert } from '../../main/ledger/eventAlerts.ts';
import { underAtCap } from '../../main/ledger/forecast.ts';
import { Books, MB, plan } from '../support/ledgerBooks.ts';

const DAY = 86_400_000;
let books: Books | undefined;
afterEach(() => {
  books?.ledger.close();
  books = undefined;
});

/** 10 MB on each of the cycle's first `days` days (noon), the clock then at noon of the next. */
function tenADay(b: Books, days: number): void {
  b.t = new Date(2026, 2, 1, 12).getTime();
  for (let day = 0; day < days; day++) {
    b.down('wwan0', 10 * MB);
    b.ledger.flush();
    b.advance(DAY);
  }
}

describe('forecasts under the plan’s rule at the cap', () => {
  it('ends a "stop" plan’s forecast at its cap, where the cost is capped too', () => {
    books = new Books();
    books.plans = {
      wwan0: plan({ capBytes: 50 * MB, atCap: 'stop', pricePerGb: 10, overagePricePerGb: 20 }),
    };
    tenADay(books, 4);
    const u = books.usage('wwan0')!;
    expect(u.allBytes).toBe(40 * MB);
    // At 10 MB a day the month would end near 310 MB; the plan stops at 50 MB.
    expect(u.forecastBytes).toBe(50 * MB);
    expect(u.forecast).toMatchObject({ lowBytes: 50 * MB, highBytes: 50 * MB, highCost: 0.5 });
  });

  it('lets an "allow" plan’s forecast go over, and a "rate-limit" one only as far as its limit', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 50 * MB, atCap: 'allow' }) };
    tenADay(books, 4);
    expect(books.usage('wwan0')!.forecastBytes).toBeGreaterThan(250 * MB);
    const raw = { bytes: 300 * MB, lowBytes: 280 * MB, highBytes: 320 * MB };
    const limited = underAtCap(
      raw,
      { capBytes: 50 * MB, atCap: 'rate-limit', rateLimitBps: 10 },
      40 * MB,
      0,
      10 * DAY,
    );
    // 10 bytes a second for ten days: 8.64 MB past the cap at most.
    expect(limited).toEqual({ bytes: 58.64 * MB, lowBytes: 58.64 * MB, highBytes: 58.64 * MB });
  });
});

describe('the "on pace to reach its cap" alert', () => {
  it('says nothing on the cycle’s second day, drawn from one day of use', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 100 * MB, atCap: 'stop' }) };
    tenADay(books, 1);
    books.ledger.flush();
    expect(books.alerts).toEqual([]);
  });

  it('waits for three complete days, then tells once when the cap comes and what Pathwise does then', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 100 * MB, atCap: 'stop' }) };
    tenADay(books, 2);
    books.ledger.flush();
    expect(books.alerts).toEqual([]);
    books.down('wwan0', 10 * MB);
    books.ledger.flush();
    books.advance(DAY);
    books.ledger.flush();
    books.ledger.flush();
    expect(books.alerts).toEqual(['wwan0 is on pace to reach its cap']);
    const alert = books.ledger.alerts()[0]!;
    expect(alert).toMatchObject({ kind: 'cap-forecast', path: 'wwan0' });
    // 30 MB by 4 March noon at 10 MB a day: 100 MB about a week later.
    expect(alert.message).toMatch(/reaches its 100 MB cap around Mar 1[01], 2026/);
    expect(alert.message).toMatch(/cycle ends on Mar 31, 2026/);
    expect(alert.message).toMatch(/Pathwise will then stop using it until the cycle resets/);
  });

  it('says "go over" only when the plan lets use go past the cap', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 100 * MB, atCap: 'allow' }) };
    tenADay(books, 3);
    books.ledger.flush();
    expect(books.alerts).toEqual(['wwan0 is on pace to go over its cap']);
    expect(books.ledger.alerts()[0]!.message).toMatch(/by Mar 31, 2026, over its 100 MB cap/);
  });

  it('writes the day a cycle resets as a date people read, not 2026-04-01', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 100 * MB }) };
    books.t = new Date(2026, 2, 1, 12).getTime();
    books.down('wwan0', 80 * MB);
    books.ledger.flush();
    expect(books.ledger.alerts()[0]!.message).toBe(
      '80.0 MB of 100 MB used this cycle (it resets on Apr 1, 2026).',
    );
  });
});

describe('an alert names the path it is about', () => {
  it('gives "wlan0 failed" wlan0’s chip, not the path its work moved to', () => {
    const failover = eventAlert({ kind: 'failover', transferId: 't1', from: 'wlan0', to: 'wwan0' }, 0);
    expect(failover).toMatchObject({ title: 'wlan0 failed', path: 'wlan0' });
    const handover = eventAlert({ kind: 'handover', transferId: 't1', from: 'wlan0', to: 'wwan0' }, 0);
    expect(handover).toMatchObject({ title: 'Handed over to wwan0', path: 'wwan0' });
  });
});
