// Hours are local: pin a zone before anything reads the clock.
process.env.TZ = 'Europe/Berlin';

import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import type { PathType } from '../../common/contract.ts';
import { LTE, WIFI, type RadioModel } from '../../common/radioModel.ts';
import { hourStart } from '../../main/ledger/calendar.ts';
import { estimateEnergy, gapBounds, type ActivityRow } from '../../main/ledger/energy.ts';
import { Books, MB } from '../support/ledgerBooks.ts';

let books: Books | undefined;
afterEach(() => {
  books?.ledger.close();
  books = undefined;
});

const MJ_PER_WH = 3.6e6;
const promotionMj = (r: RadioModel): number => r.promotionMw * r.promotionS;

/**
 * What the min(gap, tail) model charges for a known timeline of the ledger's one-second
 * observations (true: the path moved bytes in that second), bytes aside: beta per active second,
 * min(idle seconds to the next burst, tail) per burst, a promotion per burst after a full tail.
 * The timeline starts quiet for longer than a tail, so its first burst is a promotion.
 */
function exactMj(radio: RadioModel, seconds: readonly boolean[]): number {
  let mj = 0;
  /** Quiet seconds since the last active one (none yet: as good as forever). */
  let idle = Infinity;
  for (const active of seconds) {
    if (active) {
      if (idle >= radio.tailS) mj += promotionMj(radio);
      mj += radio.betaMw;
      idle = 0;
    } else {
      if (idle < radio.tailS) mj += radio.tailMw * Math.min(1, radio.tailS - idle);
      idle += 1;
    }
  }
  return mj;
}

/** Feeds a timeline to the ledger as `name`'s counters, `bytes` received in each active second. */
function play(
  b: Books,
  name: string,
  seconds: readonly boolean[],
  bytes: number,
  type: PathType = 'cellular',
) {
  let rx = 0;
  b.seen(name, rx, { type }); // the baseline
  for (const active of seconds) {
    if (active) rx += bytes;
    b.seen(name, rx, { type });
  }
  return rx;
}

const quiet = (s: number): boolean[] => new Array<boolean>(s).fill(false);
/** One active second every `period` seconds for `total` seconds. */
const every = (period: number, total: number): boolean[] =>
  Array.from({ length: total }, (_, i) => i % period === 0);

/** The model's figure for the ledger's bytes of a timeline, exactly (alpha terms are known). */
function exactWh(seconds: readonly boolean[], rxBytes: number, radio: RadioModel = LTE): number {
  return (radio.alphaDownMwPerMbps * ((rxBytes * 8) / 1e6) + exactMj(radio, seconds)) / MJ_PER_WH;
}

describe('LTE energy: a tail lasts min(gap, tail), not a whole tail per burst', () => {
  it('keeps a 200-byte keepalive every 2 s at or below the model’s ceiling (was 6.8 W)', () => {
    books = new Books();
    const hour = [...quiet(120), ...every(2, 3600)];
    play(books, 'wwan0', hour, 200);
    const u = books.usage('wwan0')!;
    // Over the keepalive's hour, watt-hours are the mean watts.
    // beta while active half the time and the tail power in between: 1.17 W; the old charge
    // (beta + a full 11.6 s tail per keepalive) was 6.78 W.
    const old = (LTE.betaMw + LTE.tailMw * LTE.tailS) / 2 / 1000;
    expect(old).toBeCloseTo(6.78, 2);
    expect(u.energyHighWh!).toBeLessThanOrEqual(1.3);
    expect(u.energyLowWh!).toBeGreaterThan(1.1);
    expect(u.energyLowWh!).toBeLessThanOrEqual(exactWh(hour, 1800 * 200) + 1e-9);
    expect(u.energyHighWh!).toBeGreaterThanOrEqual(exactWh(hour, 1800 * 200) - 1e-9);
  });

  it('charges a download followed by quiet exactly: one promotion, one whole tail', () => {
    books = new Books();
    // 100 MB in 10 s at 10 MB/s, after two quiet minutes and before one.
    const seconds = [...quiet(120), ...new Array<boolean>(10).fill(true), ...quiet(100)];
    const rx = play(books, 'wwan0', seconds, 10 * MB);
    const u = books.usage('wwan0')!;
    const expected =
      (LTE.alphaDownMwPerMbps * 800 + LTE.betaMw * 10 + LTE.tailMw * LTE.tailS + promotionMj(LTE)) /
      MJ_PER_WH;
    expect(rx).toBe(100 * MB);
    expect(u.energyLowWh).toBeCloseTo(expected, 9);
    expect(u.energyHighWh).toBeCloseTo(expected, 9);
    expect(u.energyWh).toBeCloseTo(expected, 9);
    expect(exactWh(seconds, rx)).toBeCloseTo(expected, 9);
  });

  it('never charges a tail that has not happened yet', () => {
    books = new Books();
    const seconds = [...quiet(120), true, ...quiet(3)];
    play(books, 'wwan0', seconds, 1000);
    const u = books.usage('wwan0')!;
    // 3 s after the burst, in a minute with 5 quiet seconds so far: at most those 5 s of tail.
    const transfer = LTE.alphaDownMwPerMbps * 0.008 + LTE.betaMw;
    expect(u.energyHighWh! * MJ_PER_WH).toBeLessThanOrEqual(
      transfer + LTE.tailMw * 5 + promotionMj(LTE) + 1e-6,
    );
  });
});

describe('LTE energy: the range holds the exact min(gap, tail) model', () => {
  it.each([
    ['every 5 s', () => every(5, 1800)],
    ['every 10 s', () => every(10, 1800)],
    ['every 30 s', () => every(30, 1800)],
    ['every 61 s', () => every(61, 1800)],
    ['bunched: three bursts then a minute of quiet', () => bunched(1800)],
    ['paired: bursts at the end of one minute and the start of the next', () => paired(1800)],
    ['random', () => random(1800, 7)],
    ['random, busier', () => random(1800, 42, 0.3)],
  ])('brackets the exact model for traffic %s', (_name, make) => {
    books = new Books();
    const seconds = [...quiet(120), ...make()];
    const rx = play(books, 'wwan0', seconds, 1500);
    const u = books.usage('wwan0')!;
    const exact = exactWh(seconds, rx);
    expect(u.energyLowWh!).toBeLessThanOrEqual(exact + 1e-9);
    expect(u.energyHighWh!).toBeGreaterThanOrEqual(exact - 1e-9);
    expect(u.energyWh).toBeGreaterThanOrEqual(u.energyLowWh!);
    expect(u.energyWh).toBeLessThanOrEqual(u.energyHighWh!);
  });

  it('brackets it for 60 seeded random timelines, from minute rows and from hour rows', () => {
    const rnd = lcg(2012);
    for (let k = 0; k < 60; k++) {
      const b = new Books();
      b.t += Math.floor(rnd() * 7200) * 1000;
      const seconds = [
        ...quiet(Math.floor(rnd() * 200)),
        ...mixed(300 + Math.floor(rnd() * 6000), k % 4, rnd),
      ];
      const rx = play(b, 'wwan0', seconds, 1000);
      if (k % 3 === 0) {
        // Four days on: minute rows pruned, and the last burst's tail long over.
        b.advance(4 * 86_400_000);
        b.ledger.flush();
        b.ledger.flush();
        seconds.push(...quiet(20));
      }
      const u = b.usage('wwan0')!;
      const exact = exactWh(seconds, rx);
      b.ledger.close();
      expect(u.energyLowWh!, `timeline ${k}`).toBeLessThanOrEqual(exact + 1e-9);
      expect(u.energyHighWh!, `timeline ${k}`).toBeGreaterThanOrEqual(exact - 1e-9);
    }
  });

  it('still brackets it from hour rows once the minute rows are gone', () => {
    books = new Books();
    const seconds = [...quiet(120), ...every(2, 1800), ...quiet(600), ...every(20, 1800)];
    const rx = play(books, 'wwan0', seconds, 200);
    books.advance(4 * 86_400_000);
    books.ledger.flush();
    books.ledger.flush();
    expect(books.ledger.history({ resolution: 'minute', from: 0, to: books.t })).toEqual([]);
    const old = books.usage('wwan0')!;
    const exact = exactWh(seconds, rx);
    expect(old.energyLowWh!).toBeLessThanOrEqual(exact + 1e-9);
    expect(old.energyHighWh!).toBeGreaterThanOrEqual(exact - 1e-9);
  });
});

describe('the fold kept between summaries', () => {
  it('gives what a fresh fold gives, and notices rows that changed since it was kept', () => {
    books = new Books();
    const seconds = [...quiet(120), ...every(7, 1500), ...quiet(400), ...every(3, 300)];
    let rx = 0;
    books.seen('wwan0', rx);
    seconds.forEach((active, i) => {
      if (active) rx += 500;
      books!.seen('wwan0', rx);
      // The dashboard asks every few seconds; here every 30.
      if (i % 30 === 0) books!.usage('wwan0');
    });
    const fresh = () => {
      const other = books!.twin();
      const u = other.usage('wwan0')!;
      other.ledger.close();
      return u;
    };
    const kept = books.usage('wwan0')!;
    expect(kept.energyLowWh).toBeCloseTo(fresh().energyLowWh!, 12);
    expect(kept.energyHighWh).toBeCloseTo(fresh().energyHighWh!, 12);
    // Another process rewrites an old minute (three more bursts in it): the kept fold is redone.
    const db = new DatabaseSync(join(books.dir, 'ledger.sqlite'));
    const minute = books.t - 20 * 60_000;
    for (const table of ['usage_minute', 'usage_hour']) {
      db.prepare(
        `UPDATE ${table} SET bursts = bursts + 3, active_s = active_s + 3 WHERE path = 'wwan0' AND t = ?`,
      ).run(table === 'usage_minute' ? minute - (minute % 60_000) : hourStart(minute));
    }
    db.close();
    const changed = books.usage('wwan0')!;
    expect(changed.energyHighWh).not.toBeCloseTo(kept.energyHighWh!, 9);
    expect(changed.energyHighWh).toBeCloseTo(fresh().energyHighWh!, 12);
    expect(changed.energyLowWh).toBeCloseTo(fresh().energyLowWh!, 12);
  });
});

describe('whose battery', () => {
  it('charges a tether to the phone, never as a share of this laptop’s battery', () => {
    books = new Books({ battery: () => battery });
    play(books, 'usb0', [...quiet(120), ...every(10, 600)], 1000, 'tether');
    const u = books.usage('usb0')!;
    expect(u.energyOn).toBe('phone');
    expect(u.energyWh).toBeGreaterThan(0);
    expect(u.energyBatteryPct).toBeNull();
  });

  it('charges a cellular modem to this laptop, as a share of its battery', () => {
    books = new Books({ battery: () => battery });
    play(books, 'wwan0', [...quiet(120), ...every(10, 600)], 1000);
    const u = books.usage('wwan0')!;
    expect(u.energyOn).toBe('laptop');
    expect(u.energyBatteryPct).toBeCloseTo((u.energyWh / 50) * 100, 9);
  });

  it('charges Wi-Fi exactly from the totals (its tail is shorter than a second) and wired paths nothing', () => {
    books = new Books({ battery: () => battery });
    const seconds = [...quiet(120), ...every(10, 600)];
    const rx = play(books, 'wlan0', seconds, 1000, 'wifi');
    play(books, 'eth0', seconds, 1000, 'ethernet');
    const wifi = books.usage('wlan0')!;
    const wh = exactWh(seconds, rx, WIFI);
    expect(wifi.energyLowWh).toBeCloseTo(wh, 12);
    expect(wifi.energyHighWh).toBeCloseTo(wh, 12);
    expect(books.usage('eth0')).toMatchObject({ energyWh: 0, energyOn: 'none', energyBatteryPct: null });
  });
});

describe('gap bounds from rows', () => {
  const minute = (t: number, activeS: number, bursts: number): ActivityRow => ({
    t: t * 60_000,
    durS: 60,
    activeS,
    bursts,
    quiet: activeS === 0,
  });

  it('allows at most the idle seconds (and one tail past them) for many bursts in a minute', () => {
    const rows = [minute(0, 0, 0), minute(1, 30, 30), minute(2, 30, 30), minute(3, 0, 0)];
    const b = gapBounds(LTE, rows, 4 * 60_000);
    // 30 idle seconds each minute hold every tail; the last tail runs 11.6 s into the quiet minute.
    expect(b.tailHighS).toBeCloseTo(60 + LTE.tailS, 6);
    expect(b.tailLowS).toBeCloseTo(59 + LTE.tailS, 6);
    expect(b.promotionsLow).toBe(1);
  });

  it('knows nothing before a break in the rows (the app was closed)', () => {
    const rows = [minute(0, 1, 1), minute(5, 1, 1)];
    const b = gapBounds(LTE, rows, 5 * 60_000 + 59_000);
    // Each burst's gap ran into a break (or has only begun): anything from nothing to a whole tail.
    expect(b.promotionsLow).toBe(0);
    expect(b.tailLowS).toBe(0);
    expect(b.tailHighS).toBeCloseTo(2 * LTE.tailS, 9);
  });

  it('gives the widest range for bursts without rows', () => {
    const e = estimateEnergy('cellular', { rxBytes: 0, txBytes: 0, activeS: 10, bursts: 10 }, null, 0);
    expect(e.lowWh * MJ_PER_WH).toBeCloseTo(LTE.betaMw * 10 + LTE.tailMw * 10, 6);
    expect(e.highWh * MJ_PER_WH).toBeCloseTo(
      LTE.betaMw * 10 + (LTE.tailMw * LTE.tailS + promotionMj(LTE)) * 10,
      6,
    );
  });
});

const battery = {
  present: true,
  percent: 50,
  charging: false,
  acConnected: false,
  capacityWh: 50,
  dischargeW: 8,
};

/** Three one-second bursts two seconds apart, then quiet to the end of the minute. */
function bunched(total: number): boolean[] {
  return Array.from({ length: total }, (_, i) => [0, 2, 4].includes(i % 60));
}

/**
 * Three bursts early in even minutes and late in odd ones: one long gap serves two minutes' idle
 * seconds (a lower bound that gave each minute a whole tail for its idle seconds would be wrong).
 */
function paired(total: number): boolean[] {
  return Array.from({ length: total }, (_, i) => {
    const s = i % 60;
    return Math.floor(i / 60) % 2 === 0 ? [1, 3, 5].includes(s) : [53, 55, 57].includes(s);
  });
}

/** A seeded generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** Seconds active at random. */
function random(total: number, seed: number, p = 0.08): boolean[] {
  const next = lcg(seed);
  return Array.from({ length: total }, () => next() < p);
}

/** Random traffic of one of four kinds: scattered, on/off runs, periodic, bunched in each minute. */
function mixed(total: number, kind: number, rnd: () => number): boolean[] {
  const p = rnd() * 0.5;
  const q = rnd();
  const period = 2 + Math.floor(p * 100);
  let on = false;
  return Array.from({ length: total }, (_, i) => {
    if (kind === 0) return rnd() < p;
    if (kind === 1) {
      if (rnd() < (on ? q : p * 0.2)) on = !on;
      return on;
    }
    if (kind === 2) return i % period === 0;
    const s = i % 60;
    return s < 10 ? rnd() < q : s > 50 ? rnd() < p : false;
  });
}
