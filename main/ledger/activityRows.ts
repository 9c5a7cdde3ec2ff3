import type { RadioModel } from '../../common/radioModel.ts';
import { hourStart } from './calendar.ts';
import { GapFold, type ActivityRow } from './energy.ts';
import type { LedgerSql } from './LedgerSql.ts';

const HOUR = 3_600_000;
/** A row whose next row ended this long ago no longer changes (flushes come every 2 s). */
const SETTLE_MS = 5 * 60_000;

/** Where the local hour after the one starting at `t` starts (2 h on the night clocks go back). */
function nextHour(t: number): number {
  const next = hourStart(t + HOUR);
  return next > t ? next : hourStart(t + 2 * HOUR);
}

interface Row {
  t: number;
  activeS: number;
  bursts: number;
  bytes: number;
}

/** What the rows up to a point held: if the database holds something else now, the fold is redone. */
interface Sums {
  n: number;
  activeS: number;
  bursts: number;
  quiet: number;
}

/** A path's fold over the rows that no longer change, and where the next row starts. */
interface Settled {
  from: number;
  cut: number;
  radio: RadioModel;
  upTo: number;
  fold: GapFold;
  sums: Sums;
}

const add = (a: Sums, r: ActivityRow): Sums => ({
  n: a.n + 1,
  activeS: a.activeS + r.activeS,
  bursts: a.bursts + r.bursts,
  quiet: a.quiet + (r.quiet ? 1 : 0),
});
const same = (a: Sums, b: Sums): boolean =>
  a.n === b.n && a.activeS === b.activeS && a.bursts === b.bursts && a.quiet === b.quiet;

/**
 * A path's activity rows over a span, as finely as the ledger still keeps them: minute rows where
 * they are kept (the last 3 days), hour rows before. The energy model bounds the gaps between
 * bursts with them (see `GapFold`); minutes bound them far more tightly than hours.
 *
 * The summary is asked for every couple of seconds: the fold of rows that no longer change is
 * kept, checked against the database with one aggregate, and only the rows since are read again.
 */
export class ActivityRows {
  private readonly db: LedgerSql;
  private readonly settled = new Map<string, Settled>();

  constructor(db: LedgerSql) {
    this.db = db;
  }

  /** `path`'s rows from `from` to `now`, folded with `radio`'s tail. */
  fold(path: string, radio: RadioModel, from: number, now: number): GapFold {
    const to = now + 1;
    const cut = this.cut(path, from, to);
    let kept = this.settled.get(path);
    // Another cycle, minutes pruned into hours, or a clock that went back: fold afresh.
    if (kept && (kept.from !== from || kept.cut !== cut || kept.radio !== radio || kept.upTo > now))
      kept = undefined;
    if (kept && !same(kept.sums, this.sums(path, from, cut, kept.upTo))) kept = undefined;
    if (!kept) this.settled.delete(path);
    const rows = this.between(path, kept?.upTo ?? from, to, cut);
    // The last row that can be kept: the row after it ended a while ago.
    let last = rows.length - 2;
    while (last >= 0 && settling(rows[last + 1] as ActivityRow, now)) last--;
    const fold = kept ? kept.fold.clone() : new GapFold(radio);
    let sums = kept?.sums ?? { n: 0, activeS: 0, bursts: 0, quiet: 0 };
    rows.forEach((row, i) => {
      const next = rows[i + 1];
      fold.add(row, next, now);
      if (i > last || !next) return;
      sums = add(sums, row);
      if (i === last) this.settled.set(path, { from, cut, radio, upTo: next.t, fold: fold.clone(), sums });
    });
    return fold;
  }

  /** Rows from `from` to `to`: hours before `cut`, minutes from it. */
  between(path: string, from: number, to: number, cut = this.cut(path, from, to)): ActivityRow[] {
    const hours = this.rows('usage_hour', path, from, Math.min(cut, to)).map((r) =>
      row(r, (nextHour(r.t) - r.t) / 1000),
    );
    const minutes = this.rows('usage_minute', path, Math.max(from, cut), to).map((r) => row(r, 60));
    return [...hours, ...minutes];
  }

  /** The first hour whose minutes are all still kept (`to`: none are). */
  private cut(path: string, from: number, to: number): number {
    const first = this.db
      .statement('SELECT MIN(t) AS t FROM usage_minute WHERE path = ? AND t >= ? AND t < ?')
      .get(path, from, to) as { t: number | null };
    if (first.t === null) return to;
    return hourStart(first.t) === first.t ? first.t : nextHour(first.t);
  }

  private rows(table: string, path: string, from: number, to: number): Row[] {
    if (from >= to) return [];
    return this.db
      .statement(
        `SELECT t, active_s AS activeS, bursts, app_rx + app_tx + all_rx + all_tx AS bytes
         FROM ${table} WHERE path = ? AND t >= ? AND t < ? ORDER BY t`,
      )
      .all(path, from, to) as unknown as Row[];
  }

  private sums(path: string, from: number, cut: number, upTo: number): Sums {
    const part = (table: string, a: number, b: number): Sums => {
      if (a >= b) return { n: 0, activeS: 0, bursts: 0, quiet: 0 };
      return this.db
        .statement(
          `SELECT COUNT(*) AS n, TOTAL(active_s) AS activeS, TOTAL(bursts) AS bursts,
                  TOTAL(active_s = 0 AND app_rx + app_tx + all_rx + all_tx = 0) AS quiet
           FROM ${table} WHERE path = ? AND t >= ? AND t < ?`,
        )
        .get(path, a, b) as unknown as Sums;
    };
    const hours = part('usage_hour', from, Math.min(cut, upTo));
    const minutes = part('usage_minute', Math.max(from, cut), upTo);
    return {
      n: hours.n + minutes.n,
      activeS: hours.activeS + minutes.activeS,
      bursts: hours.bursts + minutes.bursts,
      quiet: hours.quiet + minutes.quiet,
    };
  }
}

const settling = (r: ActivityRow, now: number): boolean => r.t + r.durS * 1000 > now - SETTLE_MS;

function row(r: Row, durS: number): ActivityRow {
  return { t: r.t, durS, activeS: r.activeS, bursts: r.bursts, quiet: r.bytes === 0 && r.activeS === 0 };
}
