import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  Alert,
  Battery,
  PathInfo,
  PathType,
  PathUsage,
  Plan,
  UsageHistoryQuery,
  UsagePoint,
  UsageSummary,
} from '../../common/contract.ts';
import type { BudgetProvider, PathBudget, PathBytesEvent } from '../base/budget.ts';
import { formatBytes } from '../../common/format.ts';
import { cycleAt, dayStart, hourStart, localDate, minuteStart, type Cycle } from './calendar.ts';
import { energyWh, type Activity } from './energy.ts';
import { openLedgerDb } from './LedgerDb.ts';

const GB = 1e9;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface LedgerOptions {
  dataDir: string;
  now?: () => number;
  plans?: () => Record<string, Plan>;
  /** Cap alert thresholds as fractions of the cap (settings.capThresholds). */
  thresholds?: () => number[];
  battery?: () => Battery | null;
  /** Identifies this boot: OS counters restart at zero after a reboot. */
  bootId?: () => string | null;
  /** Keep minute rows this long, hour rows this long (days rows are kept forever). */
  minuteRetentionMs?: number;
  hourRetentionMs?: number;
  /** Non-Pathwise bytes on a metered path (while an unmetered one is up) that raise an alert. */
  unexpectedBytes?: number;
}

/** Something that happened that the user may want to hear about. */
export type LedgerEvent =
  | {
      kind: 'handover' | 'failover';
      transferId: string;
      from: string | null;
      to: string | null;
      file?: string;
    }
  | { kind: 'transfer-done'; transferId: string; file: string; bytes: number; durationMs?: number }
  | { kind: 'transfer-failed'; transferId: string; file: string; message: string }
  | { kind: 'captive-portal'; path: string; detail?: string };

interface Delta extends Activity {
  path: string;
  t: number;
  appRx: number;
  appTx: number;
}

interface PathState {
  type: PathType | null;
  metered: boolean;
  up: boolean;
  lastRx: number | null;
  lastTx: number | null;
  lastAt: number | null;
  active: boolean;
  /** App bytes seen since the previous observation (decides "active" with the counters). */
  appSince: number;
  /** Non-app bytes on this path in the current unexpected-use window. */
  foreign: number;
  foreignSince: number;
}

interface Totals {
  appRx: number;
  appTx: number;
  allRx: number;
  allTx: number;
  activeS: number;
  bursts: number;
}

const ZERO: Totals = { appRx: 0, appTx: 0, allRx: 0, allTx: 0, activeS: 0, bursts: 0 };

function add(a: Totals, b: Partial<Totals>): Totals {
  return {
    appRx: a.appRx + (b.appRx ?? 0),
    appTx: a.appTx + (b.appTx ?? 0),
    allRx: a.allRx + (b.allRx ?? 0),
    allTx: a.allTx + (b.allTx ?? 0),
    activeS: a.activeS + (b.activeS ?? 0),
    bursts: a.bursts + (b.bursts ?? 0),
  };
}

/** Bytes the plan counts: the interface's own counters, or the app's bytes where those are more. */
function usedBytes(t: Totals): number {
  return Math.max(t.allRx + t.allTx, t.appRx + t.appTx);
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

interface LedgerEvents {
  alert: [Alert];
  /** Usage changed (after a flush that wrote something). */
  usage: [];
}

/**
 * The usage ledger (PRODUCT.md §4): per-path bytes (the app's own, exact, from the engine; the
 * whole machine's from the OS counters), minute/hour/day rows in SQLite, plans, cost, forecast,
 * energy, alerts, and the budget the engine asks before it spends bytes on a capped path.
 *
 * Writes are cheap: events add to in-memory deltas, and a flush every ~2 s writes them in one
 * transaction (WAL), so a crash loses at most the last flush interval and never leaves a
 * half-written total. Budgets count unflushed bytes too.
 */
export class Ledger extends EventEmitter<LedgerEvents> implements BudgetProvider {
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly options: LedgerOptions;
  private readonly now: () => number;
  private readonly bootId: string | null;
  private readonly pending = new Map<string, Delta>();
  private readonly paths = new Map<string, PathState>();
  /** Flushed totals this cycle per path, with the cycle they are for. */
  private readonly cycleCache = new Map<string, { cycle: Cycle; totals: Totals }>();
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  private closed = false;
  /** Highest alert row this ledger has looked at: rows above it were written since. */
  private alertsSeen = 0;
  /** Alerts this ledger raised (and emitted) that the pick-up scan has not passed yet. */
  private readonly ownAlerts = new Set<string>();
  private readonly stmt: {
    upsert: Record<'minute' | 'hour' | 'day', StatementSync>;
    savePath: StatementSync;
    insertAlert: StatementSync;
    sumDays: StatementSync;
  };
  private readonly statements = new Map<string, StatementSync>();

  private constructor(db: DatabaseSync, file: string, options: LedgerOptions) {
    super();
    this.db = db;
    this.file = file;
    this.options = options;
    this.now = options.now ?? Date.now;
    this.bootId = options.bootId ? options.bootId() : readBootId();
    const upsert = (table: string): StatementSync =>
      db.prepare(
        `INSERT INTO ${table} (path, t, app_rx, app_tx, all_rx, all_tx, active_s, bursts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (path, t) DO UPDATE SET
           app_rx = app_rx + excluded.app_rx, app_tx = app_tx + excluded.app_tx,
           all_rx = all_rx + excluded.all_rx, all_tx = all_tx + excluded.all_tx,
           active_s = active_s + excluded.active_s, bursts = bursts + excluded.bursts`,
      );
    this.stmt = {
      upsert: { minute: upsert('usage_minute'), hour: upsert('usage_hour'), day: upsert('usage_day') },
      savePath: db.prepare(
        `INSERT INTO paths (name, type, metered, last_rx, last_tx, boot_id, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET type = excluded.type, metered = excluded.metered,
           last_rx = excluded.last_rx, last_tx = excluded.last_tx, boot_id = excluded.boot_id,
           seen_at = excluded.seen_at`,
      ),
      insertAlert: db.prepare(
        `INSERT OR IGNORE INTO alerts (id, key, kind, severity, path, title, message, at, read)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      sumDays: db.prepare(
        `SELECT COALESCE(SUM(app_rx),0) AS appRx, COALESCE(SUM(app_tx),0) AS appTx,
                COALESCE(SUM(all_rx),0) AS allRx, COALESCE(SUM(all_tx),0) AS allTx,
                COALESCE(SUM(active_s),0) AS activeS, COALESCE(SUM(bursts),0) AS bursts
         FROM usage_day WHERE path = ? AND t >= ? AND t < ?`,
      ),
    };
    this.loadPaths();
    this.alertsSeen = (
      this.sql('SELECT COALESCE(MAX(rowid), 0) AS seq FROM alerts').get() as { seq: number }
    ).seq;
  }

  /** Opens the ledger in the data folder; a corrupt database is moved aside (see the warning). */
  static open(options: LedgerOptions): { ledger: Ledger; warning?: string } {
    const opened = openLedgerDb(options.dataDir, options.now);
    const ledger = new Ledger(opened.db, opened.file, options);
    return opened.warning ? { ledger, warning: opened.warning } : { ledger };
  }

  start(intervalMs = 2000): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  // ─── Input ──────────────────────────────────────────────────────────────────────────────────

  /** Payload bytes the engine moved (exact app bytes). */
  recordPathBytes(event: PathBytesEvent): void {
    if (this.closed || event.bytes <= 0) return;
    const delta = this.delta(event.path, this.now());
    if (event.direction === 'down') delta.appRx += event.bytes;
    else delta.appTx += event.bytes;
    const state = this.paths.get(event.path);
    if (state) state.appSince += event.bytes;
  }

  /**
   * The monitor's paths, about once a second: OS counters (all traffic on each interface), type,
   * metered state. A counter that went backwards, or a device seen after a reboot, starts a new
   * epoch: everything it counted since is new traffic, nothing is counted twice.
   */
  observePaths(paths: readonly PathInfo[]): void {
    if (this.closed) return;
    const now = this.now();
    const unmeteredUp = paths.some(
      (p) => p.up && !p.metered && p.addresses.length > 0 && !['loopback', 'virtual'].includes(p.type),
    );
    for (const path of paths) {
      if (path.type === 'loopback') continue;
      let state = this.paths.get(path.name);
      if (!state) {
        state = {
          type: path.type,
          metered: path.metered,
          up: path.up,
          lastRx: null,
          lastTx: null,
          lastAt: null,
          active: false,
          appSince: 0,
          foreign: 0,
          foreignSince: now,
        };
        this.paths.set(path.name, state);
      }
      state.type = path.type;
      state.metered = path.metered;
      state.up = path.up;
      if (path.rxBytes === undefined || path.txBytes === undefined) continue;
      const rx = path.rxBytes;
      const tx = path.txBytes;
      let dRx = 0;
      let dTx = 0;
      if (state.lastRx !== null && state.lastTx !== null) {
        // Backwards means the device was re-created or its driver reset: a new epoch from zero.
        dRx = rx >= state.lastRx ? rx - state.lastRx : rx;
        dTx = tx >= state.lastTx ? tx - state.lastTx : tx;
      }
      const elapsedS = state.lastAt === null ? 1 : Math.max(1, Math.round((now - state.lastAt) / 1000));
      state.lastRx = rx;
      state.lastTx = tx;
      const first = state.lastAt === null;
      state.lastAt = now;
      if (first) continue;
      const delta = this.delta(path.name, now);
      delta.rxBytes += dRx;
      delta.txBytes += dTx;
      const active = dRx + dTx > 0 || state.appSince > 0;
      if (active) {
        // Gaps longer than a few seconds were not all active: count the second we saw.
        delta.activeS += elapsedS <= 5 ? elapsedS : 1;
        if (!state.active) delta.bursts += 1;
      }
      state.active = active;
      this.noticeForeign(path.name, state, dRx + dTx - state.appSince, unmeteredUp, now);
      state.appSince = 0;
    }
  }

  /** Handover, transfer outcome or captive portal: an alert (each fires once). */
  recordEvent(event: LedgerEvent): Alert | null {
    const now = this.now();
    switch (event.kind) {
      case 'handover':
      case 'failover':
        return this.raise({
          key: `${event.kind}:${event.transferId}:${event.from}:${event.to}`,
          kind: 'handover',
          severity: 'info',
          path: event.to,
          title: event.kind === 'handover' ? `Handed over to ${event.to}` : `${event.from} failed`,
          message:
            event.kind === 'handover'
              ? `${event.file ?? 'A download'} moved from ${event.from} to ${event.to} without losing data.`
              : `${event.file ?? 'A download'} lost ${event.from}; ${event.to ?? 'the other paths'} carried on.`,
          at: now,
        });
      case 'transfer-done':
        return this.raise({
          key: `transfer-done:${event.transferId}`,
          kind: 'transfer-done',
          severity: 'info',
          path: null,
          title: 'Download finished',
          message: `${event.file} (${formatBytes(event.bytes)}) is complete and verified.`,
          at: now,
        });
      case 'transfer-failed':
        return this.raise({
          key: `transfer-failed:${event.transferId}`,
          kind: 'transfer-failed',
          severity: 'warning',
          path: null,
          title: 'Download failed',
          message: `${event.file}: ${event.message}`,
          at: now,
        });
      case 'captive-portal':
        return this.raise({
          key: `captive:${event.path}:${localDate(now)}`,
          kind: 'captive-portal',
          severity: 'warning',
          path: event.path,
          title: `${event.path} needs a sign-in`,
          message: `${event.detail ?? 'A captive portal answered instead of the internet.'} Pathwise won't use ${event.path} until it reaches the internet.`,
          at: now,
        });
    }
  }

  // ─── Budget (engine) ────────────────────────────────────────────────────────────────────────

  budgetFor(path: string): PathBudget {
    const plan = this.options.plans?.()[path];
    if (!plan || plan.capBytes === null || plan.atCap === 'allow') {
      return { remainingBytes: null, rateLimitBps: null };
    }
    const used = usedBytes(this.cycleTotals(path, plan, this.now()));
    if (plan.atCap === 'rate-limit') {
      return { remainingBytes: null, rateLimitBps: used >= plan.capBytes ? plan.rateLimitBps : null };
    }
    return { remainingBytes: Math.max(0, plan.capBytes - used), rateLimitBps: null };
  }

  // ─── Queries ────────────────────────────────────────────────────────────────────────────────

  summary(): UsageSummary {
    this.flush();
    const now = this.now();
    const plans = this.options.plans?.() ?? {};
    const names = new Set<string>([...this.paths.keys(), ...Object.keys(plans)]);
    const battery = this.options.battery?.() ?? null;
    const defaultCycle = cycleAt(Object.values(plans)[0] ?? null, now);
    for (const row of this.sql('SELECT DISTINCT path FROM usage_day WHERE t >= ?').all(
      addDaysBack(defaultCycle.start),
    ) as Array<{ path: string }>) {
      names.add(row.path);
    }
    const paths = [...names].sort().map((name) => this.pathUsage(name, plans[name] ?? null, now, battery));
    return { paths, cycle: iso(defaultCycle), battery };
  }

  history(query: UsageHistoryQuery): UsagePoint[] {
    this.flush();
    const table = { minute: 'usage_minute', hour: 'usage_hour', day: 'usage_day' }[query.resolution];
    const filter = query.paths?.length ? ` AND path IN (${query.paths.map(() => '?').join(',')})` : '';
    const rows = this.sql(
      `SELECT t, path, app_rx + app_tx AS appBytes, all_rx + all_tx AS allBytes FROM ${table}
         WHERE t >= ? AND t < ?${filter} ORDER BY t, path LIMIT 200000`,
    ).all(query.from, query.to, ...(query.paths ?? [])) as Array<UsagePoint>;
    return rows.map((r) => ({
      t: r.t,
      path: r.path,
      appBytes: r.appBytes,
      allBytes: Math.max(r.allBytes, r.appBytes),
    }));
  }

  alerts(limit = 200): Alert[] {
    const rows = this.sql(`SELECT ${ALERT_COLUMNS} FROM alerts ORDER BY at DESC, rowid DESC LIMIT ?`).all(
      limit,
    ) as AlertRow[];
    return rows.map(alertFromRow);
  }

  markRead(ids: readonly string[]): Alert[] {
    const mark = this.sql('UPDATE alerts SET read = 1 WHERE id = ?');
    this.transaction(() => {
      for (const id of ids) mark.run(id);
    });
    return this.alerts();
  }

  // ─── Writing ────────────────────────────────────────────────────────────────────────────────

  /** Writes pending deltas in one transaction, then checks cap alerts and prunes old rows. */
  flush(): void {
    if (this.closed) return;
    const now = this.now();
    const deltas = [...this.pending.values()];
    this.pending.clear();
    if (deltas.length > 0) {
      this.transaction(() => {
        for (const d of deltas) {
          const values = [d.appRx, d.appTx, d.rxBytes, d.txBytes, d.activeS, d.bursts] as const;
          this.stmt.upsert.minute.run(d.path, d.t, ...values);
          this.stmt.upsert.hour.run(d.path, hourStart(d.t), ...values);
          this.stmt.upsert.day.run(d.path, dayStart(d.t), ...values);
        }
        for (const [name, s] of this.paths) {
          if (s.lastRx === null) continue;
          this.stmt.savePath.run(name, s.type, s.metered ? 1 : 0, s.lastRx, s.lastTx, this.bootId, s.lastAt);
        }
      });
      this.cycleCache.clear();
    }
    if (now - this.lastPrune > 10 * 60_000) {
      this.lastPrune = now;
      this.prune(now);
    }
    this.checkCaps(now);
    this.pickUpAlerts();
    if (deltas.length > 0) this.emit('usage');
  }

  /**
   * Alerts another process wrote into the same database (a `pathwise get` in a terminal that hit a
   * cap or finished) are emitted here too, once, so the running app notifies about them.
   */
  private pickUpAlerts(): void {
    const rows = this.sql(
      `SELECT rowid AS seq, ${ALERT_COLUMNS} FROM alerts WHERE rowid > ? ORDER BY rowid`,
    ).all(this.alertsSeen) as Array<AlertRow & { seq: number }>;
    for (const { seq, ...row } of rows) {
      this.alertsSeen = Math.max(this.alertsSeen, seq);
      const alert = alertFromRow(row);
      if (this.ownAlerts.delete(alert.id) || alert.read) continue;
      this.emit('alert', alert);
    }
  }

  private transaction(work: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /**
   * A statement prepared once and kept: the reads run every few seconds while a window is open.
   * History's SQL varies with how many paths it filters on, so the cache is bounded.
   */
  private sql(text: string): StatementSync {
    let statement = this.statements.get(text);
    if (!statement) {
      if (this.statements.size >= 64) this.statements.clear();
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private prune(now: number): void {
    const minuteKeep = this.options.minuteRetentionMs ?? 3 * DAY;
    const hourKeep = this.options.hourRetentionMs ?? 90 * DAY;
    this.transaction(() => {
      this.sql('DELETE FROM usage_minute WHERE t < ?').run(now - minuteKeep);
      this.sql('DELETE FROM usage_hour WHERE t < ?').run(now - hourKeep);
      // The newest row stays: SQLite numbers a new row max(rowid) + 1, and another process on
      // this database picks up alerts by rowid, so a reused number would hide the next alert.
      this.sql(
        'DELETE FROM alerts WHERE at < ? AND read = 1 AND rowid < (SELECT MAX(rowid) FROM alerts)',
      ).run(now - 365 * DAY);
    });
  }

  private delta(path: string, now: number): Delta {
    const t = minuteStart(now);
    const key = `${path}\u0000${t}`;
    let delta = this.pending.get(key);
    if (!delta) {
      delta = { path, t, appRx: 0, appTx: 0, rxBytes: 0, txBytes: 0, activeS: 0, bursts: 0 };
      this.pending.set(key, delta);
    }
    return delta;
  }

  /** Last counters from before this run: traffic while Pathwise was off is counted at start. */
  private loadPaths(): void {
    const rows = this.db
      .prepare('SELECT name, type, metered, last_rx, last_tx, boot_id FROM paths')
      .all() as Array<{
      name: string;
      type: PathType | null;
      metered: number | null;
      last_rx: number | null;
      last_tx: number | null;
      boot_id: string | null;
    }>;
    const now = this.now();
    for (const row of rows) {
      // After a reboot the counters restarted from zero: count everything they show.
      const sameBoot = this.bootId !== null && row.boot_id === this.bootId;
      this.paths.set(row.name, {
        type: row.type,
        metered: row.metered === 1,
        up: false,
        lastRx: sameBoot ? row.last_rx : 0,
        lastTx: sameBoot ? row.last_tx : 0,
        lastAt: row.last_rx === null ? null : now,
        active: false,
        appSince: 0,
        foreign: 0,
        foreignSince: now,
      });
    }
  }

  // ─── Cycle arithmetic ───────────────────────────────────────────────────────────────────────

  private cycleTotals(path: string, plan: Plan | null, now: number): Totals {
    const cycle = cycleAt(plan, now);
    let cached = this.cycleCache.get(path);
    if (!cached || cached.cycle.start !== cycle.start || cached.cycle.end !== cycle.end) {
      const row = this.stmt.sumDays.get(path, cycle.start, cycle.end) as unknown as Totals;
      cached = { cycle, totals: add(ZERO, row) };
      this.cycleCache.set(path, cached);
    }
    let totals = cached.totals;
    for (const d of this.pending.values()) {
      if (d.path === path && d.t >= cycle.start && d.t < cycle.end) {
        totals = add(totals, { appRx: d.appRx, appTx: d.appTx, allRx: d.rxBytes, allTx: d.txBytes });
      }
    }
    return totals;
  }

  private pathUsage(name: string, plan: Plan | null, now: number, battery: Battery | null): PathUsage {
    const cycle = cycleAt(plan, now);
    const totals = this.cycleTotals(name, plan, now);
    const used = usedBytes(totals);
    const elapsed = Math.max(HOUR, now - cycle.start);
    const forecastBytes = Math.round(used + (used / elapsed) * Math.max(0, cycle.end - now));
    const energy = energyWh(this.paths.get(name)?.type ?? null, {
      rxBytes: Math.max(totals.allRx, totals.appRx),
      txBytes: Math.max(totals.allTx, totals.appTx),
      activeS: totals.activeS,
      bursts: totals.bursts,
    });
    return {
      name,
      appBytes: totals.appRx + totals.appTx,
      allBytes: used,
      capBytes: plan?.capBytes ?? null,
      cost: plan ? costOf(plan, used) : 0,
      forecastBytes,
      forecastCost: plan ? costOf(plan, forecastBytes) : 0,
      energyWh: energy,
      energyBatteryPct: battery?.present && battery.capacityWh ? (energy / battery.capacityWh) * 100 : null,
      currency: plan?.currency ?? null,
      cycle: iso(cycle),
    };
  }

  // ─── Alerts ─────────────────────────────────────────────────────────────────────────────────

  private checkCaps(now: number): void {
    const plans = this.options.plans?.() ?? {};
    const thresholds = [...(this.options.thresholds?.() ?? [0.75, 1])].sort((a, b) => b - a);
    for (const [path, plan] of Object.entries(plans)) {
      if (plan.capBytes === null || plan.capBytes <= 0) continue;
      const cycle = cycleAt(plan, now);
      const used = usedBytes(this.cycleTotals(path, plan, now));
      const cycleKey = localDate(cycle.start);
      // Only the highest threshold crossed speaks; the lower ones are marked as passed silently.
      const crossed = thresholds.filter((t) => used >= t * plan.capBytes!);
      crossed.forEach((threshold, index) => {
        const pct = Math.round(threshold * 100);
        const atCap = threshold >= 1;
        this.raise(
          {
            key: `cap:${path}:${cycleKey}:${threshold}`,
            kind: 'cap-threshold',
            severity: atCap ? 'critical' : 'warning',
            path,
            title: atCap ? `${path} reached its data cap` : `${path} used ${pct}% of its data cap`,
            message:
              `${formatBytes(used)} of ${formatBytes(plan.capBytes!)} used this cycle (it resets on ${localDate(cycle.end)}).` +
              (atCap ? ` ${atCapText(plan)}` : ''),
            at: now,
          },
          index > 0,
        );
      });
      const elapsed = now - cycle.start;
      if (elapsed >= DAY && used < plan.capBytes) {
        const forecast = used + (used / elapsed) * (cycle.end - now);
        if (forecast > plan.capBytes) {
          this.raise({
            key: `forecast:${path}:${cycleKey}`,
            kind: 'cap-forecast',
            severity: 'warning',
            path,
            title: `${path} is on pace to go over its cap`,
            message: `At this pace ${path} will use about ${formatBytes(forecast)} by ${localDate(cycle.end)}, over its ${formatBytes(plan.capBytes)} cap.`,
            at: now,
          });
        }
      }
    }
  }

  private noticeForeign(
    path: string,
    state: PathState,
    foreign: number,
    unmeteredUp: boolean,
    now: number,
  ): void {
    const threshold = this.options.unexpectedBytes ?? 5_000_000;
    if (now - state.foreignSince > 10 * 60_000) {
      state.foreign = 0;
      state.foreignSince = now;
    }
    if (!state.metered || !unmeteredUp) {
      state.foreign = 0;
      return;
    }
    state.foreign += Math.max(0, foreign);
    if (state.foreign < threshold) return;
    this.raise({
      key: `unexpected:${path}:${localDate(now)}`,
      kind: 'unexpected-cellular',
      severity: 'warning',
      path,
      title: `Unexpected use of ${path}`,
      message: `Other apps moved ${formatBytes(state.foreign)} over metered ${path} in the last minutes while an unmetered path was up. Check which app is using it, or set ${path} to Never.`,
      at: now,
    });
    state.foreign = 0;
  }

  /** Stores an alert once per key; emits it unless `silent` (then it is stored as read). Returns it when new. */
  private raise(alert: Omit<Alert, 'id' | 'read'> & { key: string }, silent = false): Alert | null {
    if (this.closed) return null;
    const id = randomUUID();
    const result = this.stmt.insertAlert.run(
      id,
      alert.key,
      alert.kind,
      alert.severity,
      alert.path,
      alert.title,
      alert.message,
      alert.at,
      silent ? 1 : 0,
    );
    if (result.changes === 0) return null;
    const { key: _key, ...rest } = alert;
    const stored: Alert = { id, ...rest, read: silent };
    this.ownAlerts.add(id);
    if (!silent) this.emit('alert', stored);
    return stored;
  }
}

const ALERT_COLUMNS = 'id, kind, severity, path, title, message, at, read';
type AlertRow = Omit<Alert, 'read'> & { read: number };

function alertFromRow(row: AlertRow): Alert {
  return { ...row, read: row.read === 1 };
}

function costOf(plan: Plan, bytes: number): number {
  if (plan.capBytes === null) return (bytes / GB) * plan.pricePerGb;
  const within = Math.min(bytes, plan.capBytes);
  const over = Math.max(0, bytes - plan.capBytes);
  return (within / GB) * plan.pricePerGb + (over / GB) * plan.overagePricePerGb;
}

function atCapText(plan: Plan): string {
  if (plan.atCap === 'stop') return 'Pathwise stopped using it until the cycle resets.';
  if (plan.atCap === 'rate-limit') return 'Pathwise now limits its own use of it.';
  return 'Pathwise keeps using it (your plan allows overage).';
}

function iso(cycle: Cycle): { start: string; end: string } {
  return { start: new Date(cycle.start).toISOString(), end: new Date(cycle.end).toISOString() };
}

function addDaysBack(t: number): number {
  return t - 31 * DAY;
}
