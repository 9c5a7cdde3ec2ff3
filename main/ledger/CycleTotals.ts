import type { StatementSync } from 'node:sqlite';
import type { Plan } from '../../common/contract.ts';
import { identitiesIn, identityKind, samePayer, type NamedPath } from '../../common/planIdentity.ts';
import { addDays, cycleAt, dayKey, daysBetween, type Cycle } from './calendar.ts';
import type { LedgerSql } from './LedgerSql.ts';
import type { PendingUsage } from './PendingUsage.ts';
import { addTotals, usedBytes, ZERO, type Totals } from './usageTotals.ts';

const SUMS = `COALESCE(SUM(app_rx),0) AS appRx, COALESCE(SUM(app_tx),0) AS appTx,
  COALESCE(SUM(all_rx),0) AS allRx, COALESCE(SUM(all_tx),0) AS allTx,
  COALESCE(SUM(active_s),0) AS activeS, COALESCE(SUM(bursts),0) AS bursts,
  COALESCE(SUM(est_bytes),0) AS estBytes`;

/**
 * Which interface carried which identity on which day, and when it was first seen doing so that
 * day (see planIdentity.ts). Kept here rather than in LedgerDb's migrations so that an older
 * ledger file needs no new schema version: the table is created when first needed, and its
 * absence only means "no identities seen yet".
 */
const CARRIER_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS path_carrier (
     identity TEXT NOT NULL, name TEXT NOT NULL, day INTEGER NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (name, day, identity)) WITHOUT ROWID`,
  'CREATE INDEX IF NOT EXISTS path_carrier_identity ON path_carrier (identity, at)',
];

/**
 * The day rows that are a tied plan's use: a day of an interface counts when it carried the
 * plan's strongest identity (?1) that day, or its adapter (?2) and no identity of the strongest
 * kind (?3, e.g. 'sim:%': another SIM in the same modem is not this plan), or when it is the
 * plan's own name (?4) and nothing is recorded for it that day (rows from before identities).
 */
const CARRIED = `(EXISTS (SELECT 1 FROM path_carrier c WHERE c.name = u.path AND c.day = u.t AND c.identity = ?1)
  OR (?2 IS NOT NULL
      AND EXISTS (SELECT 1 FROM path_carrier c WHERE c.name = u.path AND c.day = u.t AND c.identity = ?2)
      AND NOT EXISTS (SELECT 1 FROM path_carrier c WHERE c.name = u.path AND c.day = u.t AND c.identity LIKE ?3))
  OR (u.path = ?4 AND NOT EXISTS (SELECT 1 FROM path_carrier c WHERE c.name = u.path AND c.day = u.t)))`;

/** Where a plan's use comes from: where the ledger's plans and paths come from. */
export interface CycleSources {
  /** The plans by key (the settings): `daily` is asked by a plan's key. */
  plans?: () => Record<string, Plan> | undefined;
  /** The paths here now and what each is (see planIdentity.ts): whose pending bytes a plan counts. */
  paths?: () => readonly NamedPath[];
}

/**
 * A plan's totals in its current billing cycle, as budgets, summaries and cap alerts read them:
 * the day rows summed once and kept until a flush writes more, plus what is still pending — so
 * the engine's budget counts bytes moved a moment ago.
 *
 * Rows are kept per interface name; a plan tied to what is paid for (a SIM, a Wi-Fi network, an
 * adapter: issue 20 case 14) counts the rows of every interface on the days it carried that, so a
 * modem that comes back as wwan1 keeps its plan's cycle use. Asked by a name with no tied plan,
 * the totals are that name's own rows, as before identities.
 */
export class CycleTotals {
  private readonly db: LedgerSql;
  private readonly pending: PendingUsage;
  private readonly sources: CycleSources;
  private readonly sumDays: StatementSync;
  private readonly perDay: StatementSync;
  private readonly sumAdjust: StatementSync;
  private readonly addAdjust: StatementSync;
  /** Flushed totals this cycle per plan, with the cycle they are for. */
  private readonly cache = new Map<string, { cycle: Cycle; totals: Totals }>();
  /** Carrier rows known to be in the database, and those still to write. */
  private readonly recorded = new Set<string>();
  private readonly unsaved = new Map<string, [identity: string, name: string, day: number, at: number]>();
  private saving: string[] = [];
  private carriers = false;

  constructor(db: LedgerSql, pending: PendingUsage, sources: CycleSources = {}) {
    this.db = db;
    this.pending = pending;
    this.sources = sources;
    this.ensureCarriers();
    this.sumDays = db.prepare(`SELECT ${SUMS} FROM usage_day WHERE path = ? AND t >= ? AND t < ?`);
    this.sumAdjust = db.prepare(
      'SELECT COALESCE(SUM(bytes), 0) AS n FROM usage_adjust WHERE path = ? AND day >= ? AND day < ?',
    );
    this.addAdjust = db.prepare(
      'INSERT INTO usage_adjust (path, day, at, bytes, kind) VALUES (?, ?, ?, ?, ?)',
    );
    this.perDay = db.prepare(
      `SELECT t, MAX(all_rx + all_tx, app_rx + app_tx) AS used FROM usage_day
       WHERE path = ? AND t >= ? AND t < ?`,
    );
  }

  /**
   * Bytes used on each local day from `from` to before `to` (local midnights), one entry a day,
   * pending bytes included: of the plan kept under `path` (see the class), else of that name.
   */
  daily(path: string, from: number, to: number): number[] {
    const days = new Array<number>(Math.max(0, daysBetween(from, to))).fill(0);
    const first = dayKey(from);
    const plan = this.sources.plans?.()?.[path] ?? null;
    const tied = this.tied(path, plan);
    const rows = tied
      ? this.db
          .statement(
            `SELECT t, MAX(all_rx + all_tx, app_rx + app_tx) AS used FROM usage_day u
             WHERE t >= ?5 AND t < ?6 AND ${CARRIED}`,
          )
          .all(...tied.params, first, dayKey(to))
      : this.perDay.all(path, first, dayKey(to));
    for (const row of rows as Array<{ t: number; used: number }>) {
      const i = Math.round((row.t - first) / 86_400_000);
      if (i >= 0 && i < days.length) days[i] = (days[i] as number) + row.used;
    }
    const names = tied ? this.carriersNow(path, plan) : [path];
    for (let i = 0; i < days.length; i++) {
      const day = addDays(from, i);
      let pending = ZERO;
      for (const name of names)
        pending = this.pending.addTo(pending, name, { start: day, end: addDays(day, 1) });
      days[i] = (days[i] as number) + Math.max(pending.allRx + pending.allTx, pending.appRx + pending.appTx);
    }
    return days;
  }

  /** The cycle's totals of the plan kept under `path` (its key), or of that name without a tied plan. */
  of(path: string, plan: Plan | null, now: number): Totals {
    const cycle = cycleAt(plan, now);
    const tied = this.tied(path, plan);
    const cacheKey = tied ? `${path}\u0000${tied.params.join('\u0000')}` : path;
    let cached = this.cache.get(cacheKey);
    if (!cached || cached.cycle.start !== cycle.start || cached.cycle.end !== cycle.end) {
      const range = [path, dayKey(cycle.start), dayKey(cycle.end)] as const;
      const row = (tied
        ? this.db
            .statement(`SELECT ${SUMS} FROM usage_day u WHERE t >= ?5 AND t < ?6 AND ${CARRIED}`)
            .get(...tied.params, range[1], range[2])
        : this.sumDays.get(...range)) as unknown as Totals;
      const adjusted = (this.sumAdjust.get(...range) as { n: number }).n;
      cached = { cycle, totals: addTotals(ZERO, { ...row, adjBytes: adjusted }) };
      this.cache.set(cacheKey, cached);
    }
    let totals = cached.totals;
    for (const name of tied ? this.carriersNow(path, plan) : [path]) {
      totals = this.pending.addTo(totals, name, cycle);
    }
    return totals;
  }

  /**
   * Notes which identities the paths carry today (written with the next flush, once per interface,
   * identity and day): a plan tied to one of them counts that interface's rows of the day.
   */
  note(paths: readonly NamedPath[], now: number): void {
    const day = dayKey(now);
    for (const path of paths) {
      for (const identity of identitiesIn(path)) {
        const key = `${identity}\u0000${path.name}\u0000${day}`;
        if (!this.recorded.has(key) && !this.unsaved.has(key)) {
          this.unsaved.set(key, [identity, path.name, day, now]);
        }
      }
    }
  }

  /** Whether `note` has rows for the next flush to write. */
  get hasUnsaved(): boolean {
    return this.unsaved.size > 0;
  }

  /** Writes the noted carriers (inside the flush's transaction; `flushed` confirms them). */
  saveCarriers(): void {
    if (this.unsaved.size === 0) return;
    if (!this.carriers) {
      for (const statement of CARRIER_SCHEMA) this.db.prepare(statement).run();
      this.carriers = true;
    }
    const insert = this.db.statement(
      'INSERT OR IGNORE INTO path_carrier (identity, name, day, at) VALUES (?, ?, ?, ?)',
    );
    for (const row of this.unsaved.values()) insert.run(...row);
    this.saving = [...this.unsaved.keys()];
  }

  /** A flush committed: its carriers are in the database, and the kept sums no longer hold. */
  flushed(): void {
    for (const key of this.saving) {
      this.unsaved.delete(key);
      this.recorded.add(key);
    }
    this.saving = [];
    this.forget();
  }

  /**
   * Sets this cycle's count on `path` to `bytes` (the carrier's figure; 0 for a reset) with an
   * adjustment row dated today, so the rows themselves stay what was measured.
   */
  adjust(path: string, plan: Plan | null, bytes: number, kind: 'correct' | 'reset', now: number): number {
    const change = Math.round(bytes - usedBytes(this.of(path, plan, now)));
    this.addAdjust.run(path, dayKey(now), now, change, kind);
    this.forget();
    return change;
  }

  /** A flush wrote rows: the kept sums no longer include everything. */
  forget(): void {
    this.cache.clear();
  }

  /** The query parameters of a tied plan's rows (see CARRIED); null for a plan tied to nothing. */
  private tied(key: string, plan: Plan | null): { params: [string, string | null, string, string] } | null {
    if (!plan || !this.carriers) return null;
    const [strongest, ...weaker] = identitiesIn(plan);
    if (!strongest) return null;
    const mac = weaker.find((id) => identityKind(id) === 'mac') ?? null;
    return { params: [strongest, mac, `${identityKind(strongest)}:%`, key] };
  }

  /** The interfaces whose pending bytes are the plan's now: those carrying it, and its own name unless that is another's. */
  private carriersNow(key: string, plan: Plan | null): string[] {
    const paths = this.sources.paths?.() ?? [];
    const names = paths.filter((p) => plan && samePayer(plan, p) === true).map((p) => p.name);
    const own = paths.find((p) => p.name === key);
    if (!names.includes(key) && !(own && plan && samePayer(plan, own) === false)) names.push(key);
    return names;
  }

  /**
   * The paths as last recorded by whichever process watched them, for a process that watches none
   * (`pathwise usage`): each identity on the interface that carried it most recently.
   */
  lastSeen(): NamedPath[] {
    if (!this.carriers) return [];
    const rows = this.db
      .statement(
        `SELECT name, identity FROM path_carrier c
         WHERE at = (SELECT MAX(at) FROM path_carrier d WHERE d.identity = c.identity)`,
      )
      .all() as Array<{ name: string; identity: string }>;
    const byName = new Map<string, string[]>();
    for (const { name, identity } of rows) byName.set(name, [...(byName.get(name) ?? []), identity]);
    return [...byName].map(([name, ids]) => {
      const mac = ids.find((id) => identityKind(id) === 'mac');
      const strongest = ids.find((id) => identityKind(id) !== 'mac') ?? mac;
      return { name, ...(strongest ? { identity: strongest } : {}), ...(mac ? { mac: mac.slice(4) } : {}) };
    });
  }

  /** Whether the carrier table exists (created now if the database allows; else by the next flush). */
  private ensureCarriers(): void {
    try {
      for (const statement of CARRIER_SCHEMA) this.db.prepare(statement).run();
      this.carriers = true;
    } catch {
      // Another process is writing: the table is made with the next flush that has carriers.
    }
  }
}
