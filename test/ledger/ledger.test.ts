// Cycles are local time: pin a zone with DST before anything reads the clock.
process.env.TZ = 'Europe/Berlin';

import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, cycleAt, dayStart, hourStart } from '../../main/ledger/calendar.ts';
import { Ledger } from '../../main/ledger/Ledger.ts';
import { Books, GB, MB, path, plan } from '../support/ledgerBooks.ts';

let books: Books | undefined;
afterEach(() => {
  books?.ledger.close();
  books = undefined;
});

describe('calendar', () => {
  it('starts monthly cycles at local midnight on the start day, also across a DST change', () => {
    const inMarch = new Date(2026, 2, 20, 15).getTime();
    const c = cycleAt({ cycle: { kind: 'monthly', startDay: 15 } }, inMarch);
    // 15 March 00:00 CET = 14 March 23:00 UTC; 15 April 00:00 CEST = 14 April 22:00 UTC.
    expect(new Date(c.start).toISOString()).toBe('2026-03-14T23:00:00.000Z');
    expect(new Date(c.end).toISOString()).toBe('2026-04-14T22:00:00.000Z');
    // Before the start day the cycle began last month.
    const early = cycleAt({ cycle: { kind: 'monthly', startDay: 15 } }, new Date(2026, 2, 3).getTime());
    expect(new Date(early.start).toISOString()).toBe('2026-02-14T23:00:00.000Z');
  });

  it('makes the DST days 23 and 25 hours long and hours local', () => {
    const spring = dayStart(new Date(2026, 2, 29, 12).getTime());
    expect(addDays(spring, 1) - spring).toBe(23 * 3_600_000);
    const autumn = dayStart(new Date(2026, 9, 25, 12).getTime());
    expect(addDays(autumn, 1) - autumn).toBe(25 * 3_600_000);
    expect(new Date(hourStart(new Date(2026, 9, 25, 2, 30).getTime())).getMinutes()).toBe(0);
  });

  it('rolls 30 local days ending today', () => {
    const now = new Date(2026, 3, 10, 9).getTime();
    const c = cycleAt({ cycle: { kind: 'rolling30' } }, now);
    expect(c.end).toBe(new Date(2026, 3, 11).getTime());
    expect(c.start).toBe(new Date(2026, 2, 12).getTime());
  });
});

describe('usage rows and counters', () => {
  it('records app bytes into minute, hour and day rows and keeps totals after roll-up', () => {
    books = new Books();
    books.down('wlan0', 3 * MB);
    books.advance(30 * 60_000);
    books.down('wlan0', 2 * MB);
    books.ledger.flush();
    const t0 = books.t - 60 * 60_000;
    const minutes = books.ledger.history({ resolution: 'minute', from: t0, to: books.t + 60_000 });
    expect(minutes.map((p) => p.appBytes)).toEqual([3 * MB, 2 * MB]);
    const days = books.ledger.history({ resolution: 'day', from: t0 - 86_400_000, to: books.t + 86_400_000 });
    expect(days).toEqual([expect.objectContaining({ path: 'wlan0', appBytes: 5 * MB })]);
    // Four days later the minute rows are gone, the hours and days stay: nothing lost.
    books.advance(4 * 86_400_000);
    books.ledger.flush();
    expect(books.ledger.history({ resolution: 'minute', from: 0, to: books.t })).toEqual([]);
    const hours = books.ledger.history({ resolution: 'hour', from: 0, to: books.t });
    expect(hours.reduce((n, p) => n + p.appBytes, 0)).toBe(5 * MB);
    expect(books.usage('wlan0')?.appBytes).toBe(5 * MB);
  });

  it('counts OS counters across resets, re-created devices and restarts without double counting', () => {
    books = new Books();
    const seen = (rx: number): void => {
      books!.advance(1000);
      books!.ledger.observePaths([path('wwan0', { rxBytes: rx, txBytes: 0 })]);
    };
    seen(1000); // baseline
    seen(5000); // +4000
    seen(100); // went backwards: the device was re-created, +100
    seen(600); // +500
    expect(books.usage('wwan0')?.allBytes).toBe(4600);
    // Traffic while Pathwise was not running is counted at the next start (same boot).
    books.reopen();
    seen(1600); // +1000
    expect(books.usage('wwan0')?.allBytes).toBe(5600);
    // After a reboot the counters started again from zero: all they show is new.
    books.bootId = 'boot-2';
    books.reopen();
    seen(300); // +300
    expect(books.usage('wwan0')?.allBytes).toBe(5900);
  });
});

describe('cost, forecast and energy', () => {
  it('prices usage with overage, forecasts to the cycle end, and estimates energy', () => {
    books = new Books();
    books.plans = { wwan0: plan({ atCap: 'allow' }) };
    // 150 MB on each of the first 10 days of April's 30: the pace of the days before today.
    books.t = new Date(2026, 3, 1, 0, 0).getTime();
    for (let day = 0; day < 10; day++) {
      books.down('wwan0', 0.15 * GB);
      books.ledger.flush();
      books.advance(86_400_000);
    }
    books.t = new Date(2026, 3, 11, 0, 0).getTime();
    const u = books.usage('wwan0')!;
    expect(u.allBytes).toBe(1.5 * GB);
    expect(u.cost).toBeCloseTo(10 + 0.5 * 20);
    expect(u.forecastBytes).toBeCloseTo(4.5 * GB, -6);
    expect(u.forecastCost).toBeCloseTo(10 + 3.5 * 20, 0);
    expect(u.currency).toBe('EUR');
    expect(u.cycle.end).toBe(new Date(2026, 4, 1).toISOString());
  });

  it('charges a cellular path energy as a share of the laptop battery, a wired one none', () => {
    books = new Books({
      battery: () => ({
        present: true,
        percent: 50,
        charging: false,
        acConnected: false,
        capacityWh: 50,
        dischargeW: 8,
      }),
    });
    books.ledger.observePaths([
      path('wwan0', { rxBytes: 0, txBytes: 0 }),
      path('eth0', { rxBytes: 0, txBytes: 0 }),
    ]);
    for (let s = 1; s <= 10; s++) {
      books.advance(1000);
      books.ledger.observePaths([
        path('wwan0', { rxBytes: s * MB, txBytes: 0 }),
        path('eth0', { rxBytes: s * MB, txBytes: 0 }),
      ]);
    }
    const u = books.usage('wwan0')!;
    expect(u.energyWh).toBeGreaterThan(0);
    expect(u.energyOn).toBe('laptop');
    expect(u.energyWh).toBeGreaterThanOrEqual(u.energyLowWh ?? Infinity);
    expect(u.energyWh).toBeLessThanOrEqual(u.energyHighWh ?? -Infinity);
    expect(u.energyBatteryPct).toBeCloseTo((u.energyWh / 50) * 100, 6);
    expect(books.usage('eth0')).toMatchObject({ energyWh: 0, energyOn: 'none' });
  });
});

describe('budgets for the engine', () => {
  it('leaves 10 MB of a 1 GB cap with 990 MB used, counting bytes not yet written', () => {
    books = new Books();
    books.plans = { wwan0: plan() };
    books.down('wwan0', 900 * MB);
    books.ledger.flush();
    books.down('wwan0', 90 * MB);
    expect(books.ledger.budgetFor('wwan0')).toEqual({ remainingBytes: 10 * MB, rateLimitBps: null });
    expect(books.ledger.budgetFor('wlan0')).toEqual({ remainingBytes: null, rateLimitBps: null });
    // A restart remembers.
    books.reopen();
    expect(books.ledger.budgetFor('wwan0').remainingBytes).toBe(10 * MB);
    // The next cycle starts afresh.
    books.t = new Date(2026, 3, 2).getTime();
    expect(books.ledger.budgetFor('wwan0').remainingBytes).toBe(GB);
  });

  it('rate-limits at the cap when the plan says so, and never limits with "allow"', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 10 * MB, atCap: 'rate-limit', rateLimitBps: 50_000 }) };
    books.down('wwan0', 5 * MB);
    expect(books.ledger.budgetFor('wwan0')).toEqual({ remainingBytes: null, rateLimitBps: null });
    books.down('wwan0', 6 * MB);
    expect(books.ledger.budgetFor('wwan0')).toEqual({ remainingBytes: null, rateLimitBps: 50_000 });
    books.plans = { wwan0: plan({ capBytes: 10 * MB, atCap: 'allow' }) };
    expect(books.ledger.budgetFor('wwan0')).toEqual({ remainingBytes: null, rateLimitBps: null });
  });
});

describe('cap alerts', () => {
  it('fires each cap threshold once per cycle, also across restarts', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 100 * MB }) };
    books.t = new Date(2026, 2, 1, 12).getTime(); // half a day in: too early for a forecast
    books.down('wwan0', 80 * MB);
    books.ledger.flush();
    expect(books.alerts).toEqual(['wwan0 used 75% of its data cap']);
    books.reopen();
    books.down('wwan0', 1 * MB);
    books.ledger.flush();
    expect(books.alerts).toEqual(['wwan0 used 75% of its data cap']);
    books.down('wwan0', 30 * MB);
    books.ledger.flush();
    expect(books.alerts).toEqual(['wwan0 used 75% of its data cap', 'wwan0 reached its data cap']);
    expect(books.ledger.alerts()[0]).toMatchObject({
      kind: 'cap-threshold',
      severity: 'critical',
      read: false,
    });
    // Next cycle: the thresholds are new again.
    books.t = new Date(2026, 3, 1, 6).getTime();
    books.down('wwan0', 90 * MB);
    books.ledger.flush();
    expect(books.alerts.at(-1)).toBe('wwan0 used 75% of its data cap');
    expect(books.alerts).toHaveLength(3);
  });

  it('warns when the pace will go over the cap, once', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 100 * MB, atCap: 'allow' }) };
    books.t = new Date(2026, 2, 1, 12).getTime();
    for (let day = 0; day < 5; day++) {
      books.down('wwan0', 6 * MB); // 6 MB a day: ≈ 186 MB by the end of March
      books.ledger.flush();
      books.advance(86_400_000);
    }
    books.ledger.flush();
    books.ledger.flush();
    expect(books.alerts).toEqual(['wwan0 is on pace to go over its cap']);
  });
});

describe('alerts shared by two processes on one database', () => {
  it("passes on alerts another process wrote (a terminal download's cap), once, and not its own twice", () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: 100 * MB }) };
    books.t = new Date(2026, 2, 1, 12).getTime();
    // A `pathwise get` in a terminal: its own ledger on the same database.
    const cli = new Books();
    Object.assign(cli, { dir: books.dir });
    cli.plans = books.plans;
    cli.t = books.t;
    cli.reopen();
    cli.down('wwan0', 110 * MB);
    cli.ledger.flush();
    // (75 % and 100 % crossed at once: the lower one is stored as read, only the cap is told.)
    expect(cli.alerts).toEqual(['wwan0 reached its data cap']);
    books.ledger.flush();
    expect(books.alerts).toEqual(['wwan0 reached its data cap']);
    books.ledger.flush();
    cli.ledger.flush();
    expect(books.alerts).toHaveLength(1);
    expect(cli.alerts).toHaveLength(1);
    // And the other way round: what the app raises reaches the other process once.
    books.ledger.recordEvent({
      kind: 'transfer-failed',
      transferId: 'x1',
      file: 'big.iso',
      message: 'disk full',
    });
    expect(books.alerts).toHaveLength(2);
    cli.ledger.flush();
    expect(cli.alerts).toEqual(['wwan0 reached its data cap', books.alerts[1]]);
    books.ledger.flush();
    expect(books.alerts).toHaveLength(2);
    cli.ledger.close();
  });

  it('still passes on alerts from another process after a year of read alerts was pruned', () => {
    books = new Books();
    books.t = new Date(2026, 2, 1, 12).getTime();
    const cli = new Books();
    Object.assign(cli, { dir: books.dir });
    cli.t = books.t;
    cli.reopen();
    const fail = (ledger: Books, file: string): void => {
      ledger.ledger.recordEvent({ kind: 'transfer-failed', transferId: file, file, message: 'disk full' });
    };
    fail(books, 'old.iso');
    cli.ledger.flush();
    expect(cli.alerts).toHaveLength(1);
    books.ledger.markRead(books.ledger.alerts().map((a) => a.id));
    // A year and more later the app prunes read alerts: every row is older than that. SQLite
    // hands out max(rowid) + 1, so deleting the newest row would let the next alert reuse a rowid
    // the other process has already seen, and it would never hear of it.
    books.t += 400 * 24 * 3_600_000;
    cli.t = books.t;
    books.ledger.flush();
    fail(books, 'new.iso');
    cli.ledger.flush();
    expect(cli.alerts).toEqual(['Download failed', 'Download failed']);
    cli.ledger.close();
  });
});

describe('alerts about other apps and about transfers', () => {
  it('notices other apps on a metered path while an unmetered one is up', () => {
    books = new Books({ unexpectedBytes: 5 * MB });
    const tick = (wwanRx: number, wlanUp = true): void => {
      books!.advance(1000);
      books!.ledger.observePaths([
        path('wlan0', { up: wlanUp, rxBytes: 0, txBytes: 0 }),
        path('wwan0', { rxBytes: wwanRx, txBytes: 0 }),
      ]);
    };
    tick(0);
    // Pathwise's own bytes on wwan0 are expected; 3 MB of them raise nothing.
    books.down('wwan0', 3 * MB);
    tick(3 * MB);
    expect(books.alerts).toEqual([]);
    tick(6 * MB);
    tick(9 * MB);
    expect(books.alerts).toEqual(['Unexpected use of wwan0']);
    tick(30 * MB);
    expect(books.alerts).toHaveLength(1);
  });

  it('records handovers and transfer outcomes once, and marks alerts read', () => {
    books = new Books();
    const handover = {
      kind: 'handover',
      transferId: 'x',
      from: 'wlan0',
      to: 'wwan0',
      file: 'a.iso',
    } as const;
    expect(books.ledger.recordEvent(handover)).not.toBeNull();
    expect(books.ledger.recordEvent(handover)).toBeNull();
    books.ledger.recordEvent({ kind: 'transfer-done', transferId: 'x', file: 'a.iso', bytes: 5 * MB });
    books.ledger.recordEvent({
      kind: 'transfer-failed',
      transferId: 'y',
      file: 'b.iso',
      message: 'The server said 404.',
    });
    books.reopen();
    expect(
      books.ledger.recordEvent({ kind: 'transfer-done', transferId: 'x', file: 'a.iso', bytes: 1 }),
    ).toBeNull();
    const list = books.ledger.alerts();
    expect(list.map((a) => a.kind).sort()).toEqual(['handover', 'transfer-done', 'transfer-failed']);
    const after = books.ledger.markRead([list[0]!.id]);
    expect(after.filter((a) => a.read)).toHaveLength(1);
  });

  it('names the download a handover or a finished or failed download is about (issue 24)', () => {
    books = new Books();
    books.ledger.recordEvent({
      kind: 'failover',
      transferId: 't-1',
      from: 'wlan0',
      to: 'wwan0',
      file: 'a.iso',
    });
    books.ledger.recordEvent({ kind: 'transfer-done', transferId: 't-1', file: 'a.iso', bytes: 5 * MB });
    books.ledger.recordEvent({ kind: 'transfer-failed', transferId: 't-2', file: 'b.iso', message: '404' });
    // The engine did not say which download moved: the alert names none.
    books.ledger.recordEvent({ kind: 'handover', transferId: null, from: 'wlan0', to: 'eth0' });
    books.ledger.recordEvent({ kind: 'captive-portal', path: 'wlan1' });
    const named = Object.fromEntries(books.ledger.alerts().map((a) => [a.title, a.transferId]));
    expect(named).toEqual({
      'wlan0 failed': 't-1',
      'Download finished': 't-1',
      'Download failed': 't-2',
      'Handed over to eth0': null,
      'wlan1 needs a sign-in': null,
    });
  });
});

describe('the database file', () => {
  it('moves a corrupt database aside with a clear message and starts a fresh one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-ledger-bad-'));
    writeFileSync(join(dir, 'ledger.sqlite'), 'this is not a database, it is a shopping list'.repeat(200));
    const { ledger, warning } = Ledger.open({ dataDir: dir });
    try {
      expect(warning).toMatch(/could not be read .* moved to .*ledger\.sqlite\.corrupt-\d+/);
      expect(readdirSync(dir).some((f) => /^ledger\.sqlite\.corrupt-\d+$/.test(f))).toBe(true);
      ledger.recordPathBytes({
        transferId: 't',
        path: 'wlan0',
        direction: 'down',
        bytes: 10,
        at: Date.now(),
      });
      expect(ledger.summary().paths[0]?.appBytes).toBe(10);
    } finally {
      ledger.close();
    }
    expect(existsSync(join(dir, 'ledger.sqlite'))).toBe(true);
  });
});
