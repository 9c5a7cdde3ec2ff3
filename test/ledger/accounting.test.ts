// Issue 20, "Accounting truth": each case as a user would meet it. Cycles are local time: pin a
// zone with DST before anything reads the clock.
process.env.TZ = 'Europe/Berlin';

import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cycleAt } from '../../main/ledger/calendar.ts';
import { Books, MB, plan } from '../support/ledgerBooks.ts';

const open: Books[] = [];
function books(...args: ConstructorParameters<typeof Books>): Books {
  const b = new Books(...args);
  open.push(b);
  return b;
}
function twin(of: Books): Books {
  const b = of.twin();
  open.push(b);
  return b;
}
afterEach(() => {
  for (const b of open.splice(0)) b.ledger.close();
});

describe('1: one writer owns the OS-counter baselines', () => {
  it('does not count twice when a `pathwise get` outlives the app and the app restarts', () => {
    const app = books();
    app.seen('wwan0', 0);
    app.seen('wwan0', 100 * MB);
    app.ledger.flush();
    // A `pathwise get` starts: its ledger never reads counters, but adds its app bytes.
    const cli = twin(app);
    app.advance(59_000); // 900 MB in a minute: a fast link, but a possible one
    app.seen('wwan0', 1000 * MB);
    app.ledger.flush();
    expect(app.usage('wwan0')?.allBytes).toBe(1000 * MB);
    cli.down('wwan0', 5 * MB);
    cli.ledger.flush();
    // The app is quit while the download goes on.
    app.ledger.close();
    cli.advance(2000);
    cli.down('wwan0', 1 * MB);
    cli.ledger.flush();
    // The app starts again: the counters have not moved since it quit.
    app.ledger = app.open();
    app.seen('wwan0', 1000 * MB);
    expect(app.usage('wwan0')?.allBytes).toBe(1000 * MB);
    expect(app.usage('wwan0')?.appBytes).toBe(6 * MB);
  });

  it('lets only one of two counter readers count, and the other take over from its baselines', () => {
    const app = books();
    const serve = twin(app);
    const both = (rx: number): void => {
      app.seen('wwan0', rx);
      serve.ledger.observePaths([{ ...pathOf('wwan0'), rxBytes: rx, txBytes: 0 }]);
    };
    both(0);
    both(10 * MB);
    both(30 * MB);
    app.ledger.flush();
    serve.ledger.flush();
    expect(app.usage('wwan0')?.allBytes).toBe(30 * MB);
    app.ledger.close();
    serve.advance(1000);
    serve.ledger.observePaths([{ ...pathOf('wwan0'), rxBytes: 50 * MB, txBytes: 0 }]);
    serve.ledger.flush();
    expect(serve.usage('wwan0')?.allBytes).toBe(50 * MB);
  });
});

describe('3: a failed flush keeps the bytes and the process', () => {
  it('keeps bytes pending while another process holds the database, and writes them later', () => {
    const app = books();
    app.plans = { wwan0: plan({ capBytes: 100 * MB }) };
    app.down('wwan0', 5 * MB);
    const other = new DatabaseSync(join(app.dir, 'ledger.sqlite'));
    other.exec('PRAGMA busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(() => app.ledger.flush()).not.toThrow();
      // The budget still counts them, and the summary answers from what is on disk.
      expect(app.ledger.budgetFor('wwan0').remainingBytes).toBe(95 * MB);
      expect(app.warnings.join()).toMatch(/E_LEDGER_BUSY/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    app.ledger.flush();
    app.reopen();
    expect(app.usage('wwan0')?.appBytes).toBe(5 * MB);
  });

  it('survives a write error on its timer (disk full) and writes once the disk has room', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const app = books();
      const db = new DatabaseSync(join(app.dir, 'ledger.sqlite'));
      db.exec(`CREATE TRIGGER full BEFORE INSERT ON usage_minute BEGIN
                 SELECT RAISE(ABORT, 'database or disk is full'); END`);
      app.ledger.start(2000);
      app.down('wlan0', 3 * MB);
      expect(() => vi.advanceTimersByTime(2000)).not.toThrow();
      expect(() => vi.advanceTimersByTime(2000)).not.toThrow();
      expect(app.warnings).toHaveLength(1);
      expect(app.warnings[0]).toMatch(/E_LEDGER_WRITE.*disk is full/);
      db.exec('DROP TRIGGER full');
      db.close();
      app.down('wlan0', 1 * MB);
      vi.advanceTimersByTime(2000);
      app.reopen();
      expect(app.usage('wlan0')?.appBytes).toBe(4 * MB);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('4: a cap raised mid-cycle', () => {
  it('warns again when the new cap is reached', () => {
    const app = books();
    app.plans = { wwan0: plan({ capBytes: 100 * MB }) };
    app.t = new Date(2026, 2, 1, 12).getTime();
    app.down('wwan0', 101 * MB);
    app.ledger.flush();
    expect(app.alerts).toEqual(['wwan0 reached its data cap']);
    app.plans.wwan0 = plan({ capBytes: 200 * MB });
    app.down('wwan0', 60 * MB);
    app.ledger.flush();
    expect(app.alerts).toEqual(['wwan0 reached its data cap', 'wwan0 used 75% of its data cap']);
    app.down('wwan0', 40 * MB);
    app.ledger.flush();
    app.ledger.flush();
    expect(app.alerts).toEqual([
      'wwan0 reached its data cap',
      'wwan0 used 75% of its data cap',
      'wwan0 reached its data cap',
    ]);
    expect(app.ledger.alerts()[0]?.message).toMatch(/^201 MB of 200 MB/);
  });
});

describe('7: a clock that jumps ahead for one flush', () => {
  it('does not prune the minute and hour rows for good', () => {
    const app = books();
    const t0 = app.t;
    app.down('wlan0', 2 * MB);
    app.ledger.flush();
    app.advance(20 * 60_000);
    app.down('wlan0', 1 * MB);
    app.ledger.flush();
    // The clock says a year later for one flush, then is right again.
    const right = app.t;
    app.t += 365 * 86_400_000;
    app.ledger.flush();
    app.t = right + 2000;
    app.ledger.flush();
    app.advance(20 * 60_000);
    app.ledger.flush();
    app.ledger.flush();
    const sum = (resolution: 'minute' | 'hour') =>
      app.ledger
        .history({ resolution, from: t0 - 3_600_000, to: app.t + 60_000 })
        .reduce((n, p) => n + p.appBytes, 0);
    expect(sum('minute')).toBe(3 * MB);
    expect(sum('hour')).toBe(3 * MB);
  });
});

describe('5: rolling, prepaid and end-of-month cycles', () => {
  const local = (t: number): string => {
    const d = new Date(t);
    return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()} ${d.getHours()}h`;
  };
  const cycle = (c: Parameters<typeof cycleAt>[0], y: number, m: number, d: number) => {
    const at = cycleAt(c, new Date(y, m - 1, d, 10).getTime());
    return `${local(at.start)} → ${local(at.end)}`;
  };

  it('clamps billing days 29–31 to short months (31 is the last day of every month)', () => {
    const last = { cycle: { kind: 'monthly', startDay: 31 } } as const;
    expect(cycle(last, 2026, 2, 15)).toBe('2026-1-31 0h → 2026-2-28 0h');
    expect(cycle(last, 2026, 2, 28)).toBe('2026-2-28 0h → 2026-3-31 0h');
    expect(cycle(last, 2026, 4, 30)).toBe('2026-4-30 0h → 2026-5-31 0h');
    expect(cycle(last, 2028, 2, 29)).toBe('2028-2-29 0h → 2028-3-31 0h');
    const thirtieth = { cycle: { kind: 'monthly', startDay: 30 } } as const;
    expect(cycle(thirtieth, 2026, 3, 15)).toBe('2026-2-28 0h → 2026-3-30 0h');
    expect(cycle(thirtieth, 2026, 3, 30)).toBe('2026-3-30 0h → 2026-4-30 0h');
  });

  it('runs prepaid plans in 30-day periods from the activation day', () => {
    const prepaid = { cycle: { kind: 'prepaid30', activated: '2026-03-05' } } as const;
    expect(cycle(prepaid, 2026, 3, 5)).toBe('2026-3-5 0h → 2026-4-4 0h');
    expect(cycle(prepaid, 2026, 4, 6)).toBe('2026-4-4 0h → 2026-5-4 0h');
  });

  it('says "reached its cap" once on a sliding 30 days, not every day with no new traffic', () => {
    const app = books();
    app.plans = { wwan0: plan({ capBytes: 100 * MB, cycle: { kind: 'rolling30' } }) };
    app.down('wwan0', 110 * MB);
    app.ledger.flush();
    for (let day = 0; day < 5; day++) {
      app.advance(86_400_000);
      app.ledger.flush();
    }
    expect(app.alerts).toEqual(['wwan0 reached its data cap']);
    // Thirty days later that traffic has left the window: going over again is news again.
    app.advance(30 * 86_400_000);
    app.ledger.flush();
    app.down('wwan0', 120 * MB);
    app.ledger.flush();
    expect(app.alerts).toEqual(['wwan0 reached its data cap', 'wwan0 reached its data cap']);
  });

  it('resets a prepaid plan after 30 days: its thresholds speak again', () => {
    const app = books();
    app.plans = {
      wwan0: plan({ capBytes: 100 * MB, cycle: { kind: 'prepaid30', activated: '2026-03-01' } }),
    };
    app.down('wwan0', 110 * MB);
    app.ledger.flush();
    app.advance(21 * 86_400_000); // 31 March: the second period began on 31 March
    app.ledger.flush();
    expect(app.ledger.budgetFor('wwan0').remainingBytes).toBe(100 * MB);
    app.down('wwan0', 101 * MB);
    app.ledger.flush();
    expect(app.alerts).toEqual(['wwan0 reached its data cap', 'wwan0 reached its data cap']);
  });
});

describe('6: a change of time zone', () => {
  afterEach(() => {
    process.env.TZ = 'Europe/Berlin';
  });

  it('keeps the bytes in the cycle and out of the budget', () => {
    const app = books();
    app.plans = { wwan0: plan({ capBytes: 100 * MB }) };
    app.t = new Date(2026, 2, 1, 20).getTime(); // 1 March 20:00 in Berlin (19:00 UTC)
    app.down('wwan0', 50 * MB);
    app.ledger.flush();
    // The laptop flies to New York: 1 March 14:00 there, the same March cycle.
    process.env.TZ = 'America/New_York';
    app.advance(9 * 86_400_000);
    expect(app.usage('wwan0')?.allBytes).toBe(50 * MB);
    expect(app.ledger.budgetFor('wwan0').remainingBytes).toBe(50 * MB);
    const days = app.ledger.history({ resolution: 'day', from: 0, to: app.t });
    expect(days).toEqual([expect.objectContaining({ t: new Date(2026, 2, 1).getTime(), appBytes: 50 * MB })]);
  });

  it('moves day rows an older version keyed by local midnight onto their dates', () => {
    const app = books();
    app.ledger.close();
    const db = new DatabaseSync(join(app.dir, 'ledger.sqlite'));
    // Back to version 2's schema: no estimate column yet.
    for (const table of ['usage_minute', 'usage_hour', 'usage_day']) {
      db.exec(`ALTER TABLE ${table} DROP COLUMN est_bytes`);
    }
    db.exec('ALTER TABLE paths DROP COLUMN ifindex');
    db.exec('DROP TABLE usage_adjust');
    db.exec('ALTER TABLE alerts DROP COLUMN transfer_id');
    db.exec('PRAGMA user_version = 2');
    db.prepare('INSERT INTO usage_day (path, t, app_rx) VALUES (?, ?, ?)').run(
      'wlan0',
      new Date(2026, 2, 1).getTime(), // Berlin's midnight, as version 2 wrote it
      7 * MB,
    );
    db.close();
    app.ledger = app.open();
    const days = app.ledger.history({ resolution: 'day', from: 0, to: app.t });
    expect(days).toEqual([expect.objectContaining({ t: new Date(2026, 2, 1).getTime(), appBytes: 7 * MB })]);
    expect(app.usage('wlan0')?.appBytes).toBe(7 * MB);
  });
});

describe('8: traffic while the app was closed', () => {
  it('books it over the closed time, in the cycle it happened in, and says it is an estimate', () => {
    const app = books();
    app.plans = { wwan0: plan({ capBytes: 1000 * MB }) };
    app.t = new Date(2026, 1, 27, 0, 0).getTime();
    app.seen('wwan0', 0);
    app.seen('wwan0', 0);
    app.ledger.close();
    // 48 h later, 1 March 00:00 (plus the second `seen` waits): 900 MB went over wwan0 meanwhile.
    app.t = new Date(2026, 2, 1, 0, 0).getTime();
    app.ledger = app.open();
    app.seen('wwan0', 900 * MB);
    const march = app.usage('wwan0')!;
    expect(march.allBytes).toBeLessThan(1 * MB);
    expect(app.alerts).toEqual([]);
    const days = app.ledger.history({ resolution: 'day', from: 0, to: app.t + 86_400_000 });
    const feb = days.filter((d) => d.t < new Date(2026, 2, 1).getTime());
    expect(feb.reduce((n, d) => n + d.allBytes, 0)).toBeGreaterThan(899 * MB);
    expect(feb.map((d) => d.estimatedBytes)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(days.reduce((n, d) => n + d.allBytes, 0)).toBe(900 * MB);
    expect(days.reduce((n, d) => n + (d.estimatedBytes ?? 0), 0)).toBe(900 * MB);
  });
});

describe('9: forecasts from a sensible pace', () => {
  it('gives no forecast from ten minutes of a first day, and no 372 GB either', () => {
    const app = books();
    app.plans = { wwan0: plan({ capBytes: 10_000 * MB, pricePerGb: 10, overagePricePerGb: 20 }) };
    app.t = new Date(2026, 2, 1, 0, 10).getTime();
    app.down('wwan0', 500 * MB);
    const u = app.usage('wwan0')!;
    expect(u.forecast).toBeNull();
    expect(u.forecastBytes).toBe(500 * MB);
    expect(u.forecastCost).toBe(5);
  });

  it('forecasts a range from the days before, weighting recent ones', () => {
    const app = books();
    app.plans = { wwan0: plan({ capBytes: 10_000 * MB, pricePerGb: 10, overagePricePerGb: 10 }) };
    app.t = new Date(2026, 2, 1, 12).getTime();
    for (let day = 0; day < 10; day++) {
      app.down('wwan0', (day % 2 ? 120 : 80) * MB);
      app.ledger.flush();
      app.advance(86_400_000);
    }
    // 11 March 12:00: 1000 MB used, 100 MB a day, 20.5 days to go.
    const u = app.usage('wwan0')!;
    expect(u.allBytes).toBe(1000 * MB);
    expect(u.forecast).not.toBeNull();
    const { lowBytes, highBytes, lowCost, highCost } = u.forecast!;
    expect(lowBytes).toBeLessThan(3050 * MB);
    expect(highBytes).toBeGreaterThan(3050 * MB);
    expect(lowBytes).toBeGreaterThan(2700 * MB);
    expect(highBytes).toBeLessThan(3400 * MB);
    expect(u.forecastBytes).toBeGreaterThan(lowBytes);
    expect(u.forecastBytes).toBeLessThan(highBytes);
    expect(lowCost).toBe(Math.round((lowBytes / 1e9) * 10 * 100) / 100);
    expect(highCost).toBeGreaterThan(lowCost);
  });
});

describe('13: counters as vnStat reads them', () => {
  it('counts across a 32-bit counter wrap', () => {
    const app = books();
    const wrap = 2 ** 32;
    app.seen('wwan0', wrap - 1 * MB);
    app.seen('wwan0', 2 * MB);
    expect(app.usage('wwan0')?.allBytes).toBe(3 * MB);
  });

  it('does not count a zero reading followed by the real value as new traffic', () => {
    const app = books();
    app.seen('wwan0', 500 * MB);
    app.seen('wwan0', 500 * MB);
    app.seen('wwan0', 0);
    app.seen('wwan0', 501 * MB);
    app.seen('wwan0', 502 * MB);
    expect(app.usage('wwan0')?.allBytes).toBeLessThanOrEqual(2 * MB);
  });

  it('treats a changed ifindex as a new device (re-created while the app was closed)', () => {
    const app = books();
    app.seen('wwan0', 5000 * MB, { ifindex: 3 });
    app.seen('wwan0', 5000 * MB, { ifindex: 3 });
    app.ledger.close();
    app.advance(3_600_000);
    app.ledger = app.open();
    // The modem was unplugged and plugged in again: a new device whose counter is at 5200 MB.
    app.seen('wwan0', 5200 * MB, { ifindex: 7 });
    expect(app.usage('wwan0')?.allBytes).toBe(5200 * MB);
  });
});

describe('2: unexpected use of a metered path (the ledger side)', () => {
  const tick = (b: Books, wwanRx: number, others: Array<Record<string, unknown>> = []): void => {
    b.advance(1000);
    b.ledger.observePaths([
      { ...pathOf('wlan0'), type: 'wifi', metered: false, rxBytes: 0, txBytes: 0 },
      ...others.map((o) => ({ ...pathOf('x'), ...o })),
      { ...pathOf('wwan0'), rxBytes: wwanRx, txBytes: 0 },
    ]);
  };

  it("does not blame other apps for Pathwise's own download: wire overhead and a reporting lag", () => {
    const app = books({ unexpectedBytes: 5 * MB });
    let wire = 0;
    tick(app, 0);
    for (let s = 0; s < 180; s++) {
      // 2 MB/s of payload, 4 % more on the wire, reported a quarter second late.
      wire += 2.08 * MB;
      app.down('wwan0', s % 4 === 3 ? 0 : (2 * MB * 4) / 3);
      tick(app, wire);
    }
    expect(app.alerts).toEqual([]);
  });

  it('counts the bytes of a `pathwise get` beside the app as Pathwise bytes', () => {
    const app = books({ unexpectedBytes: 5 * MB });
    const cli = twin(app);
    tick(app, 0);
    for (let s = 1; s <= 10; s++) {
      cli.down('wwan0', 1 * MB);
      cli.ledger.flush();
      tick(app, s * MB);
    }
    expect(app.alerts).toEqual([]);
  });

  it('never takes a VPN for an unmetered way out', () => {
    const app = books({ unexpectedBytes: 5 * MB });
    const vpn = { name: 'tun0', type: 'vpn', metered: false, rxBytes: 0, txBytes: 0 };
    const only = (rx: number): void => {
      app.advance(1000);
      app.ledger.observePaths([
        { ...pathOf('tun0'), ...vpn } as never,
        { ...pathOf('wwan0'), rxBytes: rx, txBytes: 0 },
      ]);
    };
    only(0);
    for (let s = 1; s <= 10; s++) only(s * 2 * MB);
    expect(app.alerts).toEqual([]);
  });
});

function pathOf(name: string) {
  return {
    name,
    type: 'cellular' as const,
    addresses: ['198.18.1.2'],
    up: true,
    metered: true,
    preference: 'always' as const,
  };
}
