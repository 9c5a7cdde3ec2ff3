import { EventEmitter } from 'node:events';
import type {
  Alert,
  Battery,
  Plan,
  UsageHistoryQuery,
  UsagePeriod,
  UsagePoint,
  UsageSummary,
} from '../../common/contract.ts';
import { planKeyFor, type NamedPath } from '../../common/planIdentity.ts';
import type { BudgetProvider, PathBudget, PathBytesEvent } from '../base/budget.ts';
import { AlertStore } from './AlertStore.ts';
import { CapBudgets } from './CapBudgets.ts';
import { CapWatch } from './CapWatch.ts';
import { CounterIntake, readBootId, type ObservedPath } from './CounterIntake.ts';
import { CounterLease } from './CounterLease.ts';
import { CycleTotals } from './CycleTotals.ts';
import { eventAlert, type LedgerEvent } from './eventAlerts.ts';
import type { ErrorCode } from '../../common/errors.ts';
import { isLocked, openLedgerDb } from './LedgerDb.ts';
import { LedgerSql } from './LedgerSql.ts';
import { PendingUsage } from './PendingUsage.ts';
import { unexpectedUseAlert, type ForeignTraffic } from './unexpectedUse.ts';
import { UsagePeriods, type PeriodKind } from './UsagePeriods.ts';
import { UsageReport } from './UsageReport.ts';
import { UsageRows } from './UsageRows.ts';

export type { LedgerEvent } from './eventAlerts.ts';

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

interface LedgerEvents {
  alert: [Alert];
  /** Usage changed (after a flush that wrote something). */
  usage: [];
  /** Something the user should know that stops nothing (a flush that has to wait, a full disk). */
  warning: [string];
  /** close() was called: last bytes may be recorded now, before the final flush. */
  closing: [];
}

/**
 * The usage ledger (PRODUCT.md §4): per-path bytes (the app's own, exact, from the engine; the
 * whole machine's from the OS counters), minute/hour/day rows in SQLite, plans, cost, forecast,
 * energy, alerts, and the budget the engine asks before it spends bytes on a capped path.
 *
 * Writes are cheap: events add to in-memory deltas, and a flush every ~2 s writes them in one
 * transaction (WAL), so a crash loses at most the last flush interval and never leaves a
 * half-written total. Budgets count unflushed bytes too.
 *
 * This class is the one door and the flush's conductor; each concern has a file of its own:
 * `CounterIntake` (OS counters → all traffic), `PendingUsage` + `UsageRows` (deltas → rows),
 * `CycleTotals` and `CapBudgets` (the engine's budget), `UsageReport` (summaries, history),
 * `AlertStore` with `capAlerts`, `unexpectedUse` and `eventAlerts` (what is worth telling).
 */
export class Ledger extends EventEmitter<LedgerEvents> implements BudgetProvider {
  readonly file: string;
  private readonly db: LedgerSql;
  private readonly options: LedgerOptions;
  private readonly now: () => number;
  private readonly pending = new PendingUsage();
  private readonly rows: UsageRows;
  private readonly cycles: CycleTotals;
  private readonly counters: CounterIntake;
  private readonly lease: CounterLease;
  private readonly budgets: CapBudgets;
  private readonly report: UsageReport;
  private readonly periodRows: UsagePeriods;
  private readonly alertStore: AlertStore;
  private readonly capWatch: CapWatch;
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  /** A time to prune at once a later flush agrees the clock is there (see `maybePrune`). */
  private pruneAt: number | null = null;
  private closed = false;
  /** The code of the warning given for the flushes failing now (told once until one succeeds). */
  private failing: ErrorCode | null = null;
  /** The paths here now and what is paid for on each (their plans follow it, not the name). */
  private here: NamedPath[] = [];

  private constructor(db: LedgerSql, file: string, options: LedgerOptions) {
    super();
    this.db = db;
    this.file = file;
    this.options = options;
    this.now = options.now ?? Date.now;
    this.rows = new UsageRows(db);
    this.cycles = new CycleTotals(db, this.pending, {
      plans: () => options.plans?.(),
      paths: () => this.here,
    });
    this.alertStore = new AlertStore(db, (alert) => this.emit('alert', alert));
    this.lease = new CounterLease(db);
    this.counters = new CounterIntake(db, this.pending, this.lease, {
      bootId: options.bootId ? options.bootId() : readBootId(),
      onForeign: (traffic) => this.noticeForeign(traffic),
      appBytesSince: (path, t) => this.rows.appSince(path, t) + this.pending.appSince(path, t),
    });
    this.capWatch = new CapWatch(this.cycles, this.alertStore, {
      plans: () => options.plans?.() ?? {},
      thresholds: () => options.thresholds?.() ?? [0.75, 1],
    });
    this.budgets = new CapBudgets(
      () => options.plans?.(),
      this.cycles,
      this.now,
      (name) => this.planKeyOf(name),
    );
    this.periodRows = new UsagePeriods(db);
    this.report = new UsageReport(db, {
      cycles: this.cycles,
      plans: () => options.plans?.() ?? {},
      battery: () => options.battery?.() ?? null,
      pathNames: () => this.counters.names(),
      pathType: (name) => this.counters.typeOf(name),
      ridesOn: (name) => this.counters.ridesOnOf(name),
      planKeyOf: (name) => this.planKeyOf(name),
      isHere: (name) => this.present().some((p) => p.name === name),
    });
  }

  /** Opens the ledger in the data folder; a corrupt database is moved aside (see the warning). */
  static open(options: LedgerOptions): { ledger: Ledger; warning?: string } {
    const opened = openLedgerDb(options.dataDir, options.now);
    const ledger = new Ledger(new LedgerSql(opened.db), opened.file, options);
    return opened.warning ? { ledger, warning: opened.warning } : { ledger };
  }

  start(intervalMs = 2000): void {
    if (this.timer) return;
    // flush() never throws: a timer that did would end the process.
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.closed) return;
    this.emit('closing');
    clearInterval(this.timer);
    this.timer = undefined;
    // The last flush may wait longer for another process: the bytes would be lost otherwise.
    this.db.waitForLocks(2000);
    this.flush();
    this.closed = true;
    this.lease.give();
    this.alertStore.close();
    this.db.close();
  }

  // ─── Input ──────────────────────────────────────────────────────────────────────────────────

  /**
   * The app's own bytes on a path: what the engine's sockets read and wrote (requests, headers,
   * TLS, uploads and payload) and the health probes' bytes.
   */
  recordPathBytes(event: PathBytesEvent): void {
    if (this.closed || event.bytes <= 0) return;
    const delta = this.pending.at(event.path, this.now());
    if (event.direction === 'down') delta.appRx += event.bytes;
    else delta.appTx += event.bytes;
    this.counters.noteAppBytes(event.path, event.bytes);
  }

  /** The monitor's paths, about once a second, with fresh OS counters (see `CounterIntake`). */
  observePaths(paths: readonly ObservedPath[]): void {
    if (this.closed) return;
    this.knowPaths(paths);
    this.counters.observe(paths, this.now());
  }

  /**
   * The paths here now and what is paid for on each (`identity`, `mac`): a plan follows what it
   * is tied to when its interface gets another name (issue 20 case 14). observePaths tells this
   * too; a process that reads no counters (`pathwise get`) calls it with the monitor's paths.
   */
  knowPaths(paths: readonly NamedPath[]): void {
    if (this.closed) return;
    this.here = paths.map(({ name, identity, mac }) => ({ name, identity, mac }));
    this.cycles.note(this.here, this.now());
  }

  /** The key of the plan the path called `name` is on (see planIdentity.ts), or null. */
  private planKeyOf(name: string): string | null {
    const here = this.present();
    const path = here.find((p) => p.name === name) ?? { name };
    return planKeyFor(path, this.options.plans?.() ?? {}, here);
  }

  /** The paths here now; in a process that watches none, as the last one that did saw them. */
  private present(): readonly NamedPath[] {
    return this.here.length > 0 ? this.here : this.cycles.lastSeen();
  }

  /** Handover, transfer outcome or captive portal: an alert (each fires once). */
  recordEvent(event: LedgerEvent): Alert | null {
    return this.alertStore.raise(eventAlert(event, this.now()));
  }

  // ─── Budget (engine) ────────────────────────────────────────────────────────────────────────

  budgetFor(path: string): PathBudget {
    return this.budgets.budgetFor(path);
  }

  // ─── Queries ────────────────────────────────────────────────────────────────────────────────

  summary(): UsageSummary {
    this.flush();
    return this.report.summary(this.now());
  }

  history(query: UsageHistoryQuery): UsagePoint[] {
    this.flush();
    return this.report.history(query);
  }

  /** The last `count` days, calendar months or billing cycles per path, oldest first. */
  periods(kind: PeriodKind, count: number): UsagePeriod[] {
    this.flush();
    return this.periodRows.list(kind, count, this.now(), this.options.plans?.() ?? {});
  }

  // ─── Corrections ────────────────────────────────────────────────────────────────────────────

  /**
   * Sets this cycle's count on `path` to the carrier's figure, as an adjustment row (the measured
   * rows stay); later traffic adds to it. Returns the bytes added (negative: taken away).
   */
  correct(path: string, bytes: number): number {
    this.flush();
    const adjusted = this.adjust(path, bytes, 'correct');
    this.emit('usage');
    return adjusted;
  }

  /** Starts this cycle's count on `path` again from zero (an adjustment row, like `correct`). */
  reset(path: string): number {
    this.flush();
    const adjusted = this.adjust(path, 0, 'reset');
    this.emit('usage');
    return adjusted;
  }

  private adjust(path: string, bytes: number, kind: 'correct' | 'reset'): number {
    let change = 0;
    this.db.transaction(() => {
      // Booked on the plan the path is on, so the correction follows it as the use does.
      const key = this.planKeyOf(path) ?? path;
      change = this.cycles.adjust(key, this.options.plans?.()[key] ?? null, bytes, kind, this.now());
    });
    return change;
  }

  alerts(limit = 200): Alert[] {
    return this.alertStore.list(limit);
  }

  markRead(ids: readonly string[]): Alert[] {
    this.alertStore.markRead(ids);
    return this.alerts();
  }

  // ─── Writing ────────────────────────────────────────────────────────────────────────────────

  /**
   * Writes pending deltas in one transaction, then checks cap alerts and prunes old rows. Never
   * throws: a database another process holds (it waits LedgerDb's `WRITE_WAIT_MS`, not seconds) or a full
   * disk leaves the bytes pending — budgets still count them — and the next flush tries again;
   * the user is told once (`warning`) until a flush succeeds.
   */
  flush(): void {
    if (this.closed) return;
    if (this.tryWrite(() => this.write())) this.failing = null;
  }

  private tryWrite(work: () => void): boolean {
    try {
      work();
      return true;
    } catch (error) {
      const code: ErrorCode = isLocked(error) ? 'E_LEDGER_BUSY' : 'E_LEDGER_WRITE';
      if (this.failing !== code) {
        this.failing = code;
        const reason = error instanceof Error ? error.message : String(error);
        this.emit(
          'warning',
          code === 'E_LEDGER_BUSY'
            ? `${code}: usage could not be saved yet: another Pathwise process is writing the usage database. The figures are kept and written in a moment.`
            : `${code}: usage could not be saved (${reason}). The figures are kept in memory and written when the disk has room; free some space.`,
        );
      }
      return false;
    }
  }

  private write(): void {
    const now = this.now();
    // Another process's bytes or corrections: the kept cycle sums no longer hold.
    if (this.db.changedElsewhere()) this.cycles.forget();
    const deltas = this.pending.take();
    if (deltas.length > 0 || this.counters.beatDue(now) || this.cycles.hasUnsaved) {
      try {
        this.db.transaction(() => {
          this.rows.write(deltas);
          this.counters.saveBaselines(now);
          this.cycles.saveCarriers();
        });
      } catch (error) {
        this.pending.restore(deltas);
        throw error;
      }
      this.cycles.flushed();
    }
    this.maybePrune(now);
    this.capWatch.check(now);
    this.alertStore.pickUp();
    if (deltas.length > 0) this.emit('usage');
  }

  /**
   * Prunes about every 10 minutes, but only at a time a second flush confirms: the clock must not
   * have gone back since, nor moved on by more than an hour. A clock that jumps a year ahead for
   * one flush would otherwise delete every minute and hour row for good (issue 20 case 7).
   */
  private maybePrune(now: number): void {
    if (now - this.lastPrune <= 10 * 60_000) return;
    const at = this.pruneAt;
    if (at === null || now < at || now - at > HOUR) {
      this.pruneAt = now;
      return;
    }
    this.pruneAt = null;
    this.lastPrune = at;
    this.prune(at);
  }

  private prune(now: number): void {
    const keep = {
      minuteMs: this.options.minuteRetentionMs ?? 3 * DAY,
      hourMs: this.options.hourRetentionMs ?? 90 * DAY,
    };
    this.db.transaction(() => {
      this.rows.prune(now, keep);
      this.alertStore.pruneRead(now - 365 * DAY);
    });
  }

  // ─── Alerts ─────────────────────────────────────────────────────────────────────────────────

  private noticeForeign(traffic: ForeignTraffic): void {
    const alert = unexpectedUseAlert(traffic, this.options.unexpectedBytes ?? 5_000_000);
    if (alert) this.alertStore.raise(alert);
  }
}
