import { EventEmitter } from 'node:events';
import type {
  Alert,
  Battery,
  PathInfo,
  Plan,
  UsageHistoryQuery,
  UsagePoint,
  UsageSummary,
} from '../../common/contract.ts';
import type { BudgetProvider, PathBudget, PathBytesEvent } from '../base/budget.ts';
import { AlertStore } from './AlertStore.ts';
import { cycleAt } from './calendar.ts';
import { capAlerts, isCapped } from './capAlerts.ts';
import { CapBudgets } from './CapBudgets.ts';
import { CounterIntake, readBootId } from './CounterIntake.ts';
import { CycleTotals } from './CycleTotals.ts';
import { eventAlert, type LedgerEvent } from './eventAlerts.ts';
import { openLedgerDb } from './LedgerDb.ts';
import { LedgerSql } from './LedgerSql.ts';
import { PendingUsage } from './PendingUsage.ts';
import { unexpectedUseAlert, type ForeignTraffic } from './unexpectedUse.ts';
import { UsageReport } from './UsageReport.ts';
import { UsageRows } from './UsageRows.ts';
import { usedBytes } from './usageTotals.ts';

export type { LedgerEvent } from './eventAlerts.ts';

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
  private readonly budgets: CapBudgets;
  private readonly report: UsageReport;
  private readonly alertStore: AlertStore;
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;
  private closed = false;

  private constructor(db: LedgerSql, file: string, options: LedgerOptions) {
    super();
    this.db = db;
    this.file = file;
    this.options = options;
    this.now = options.now ?? Date.now;
    this.rows = new UsageRows(db);
    this.cycles = new CycleTotals(db, this.pending);
    this.alertStore = new AlertStore(db, (alert) => this.emit('alert', alert));
    this.counters = new CounterIntake(db, this.pending, {
      bootId: options.bootId ? options.bootId() : readBootId(),
      now: this.now(),
      onForeign: (traffic) => this.noticeForeign(traffic),
    });
    this.budgets = new CapBudgets(() => options.plans?.(), this.cycles, this.now);
    this.report = new UsageReport(db, {
      cycles: this.cycles,
      plans: () => options.plans?.() ?? {},
      battery: () => options.battery?.() ?? null,
      pathNames: () => this.counters.names(),
      pathType: (name) => this.counters.typeOf(name),
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
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    this.closed = true;
    this.alertStore.close();
    this.db.close();
  }

  // ─── Input ──────────────────────────────────────────────────────────────────────────────────

  /** Payload bytes the engine moved (exact app bytes). */
  recordPathBytes(event: PathBytesEvent): void {
    if (this.closed || event.bytes <= 0) return;
    const delta = this.pending.at(event.path, this.now());
    if (event.direction === 'down') delta.appRx += event.bytes;
    else delta.appTx += event.bytes;
    this.counters.noteAppBytes(event.path, event.bytes);
  }

  /** The monitor's paths, about once a second, with fresh OS counters (see `CounterIntake`). */
  observePaths(paths: readonly PathInfo[]): void {
    if (this.closed) return;
    this.counters.observe(paths, this.now());
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

  alerts(limit = 200): Alert[] {
    return this.alertStore.list(limit);
  }

  markRead(ids: readonly string[]): Alert[] {
    this.alertStore.markRead(ids);
    return this.alerts();
  }

  // ─── Writing ────────────────────────────────────────────────────────────────────────────────

  /** Writes pending deltas in one transaction, then checks cap alerts and prunes old rows. */
  flush(): void {
    if (this.closed) return;
    const now = this.now();
    const deltas = this.pending.take();
    if (deltas.length > 0) {
      this.db.transaction(() => {
        this.rows.write(deltas);
        this.counters.saveBaselines();
      });
      this.cycles.forget();
    }
    if (now - this.lastPrune > 10 * 60_000) {
      this.lastPrune = now;
      this.prune(now);
    }
    this.checkCaps(now);
    this.alertStore.pickUp();
    if (deltas.length > 0) this.emit('usage');
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

  private checkCaps(now: number): void {
    const plans = this.options.plans?.() ?? {};
    const thresholds = [...(this.options.thresholds?.() ?? [0.75, 1])].sort((a, b) => b - a);
    for (const [path, plan] of Object.entries(plans)) {
      if (!isCapped(plan)) continue;
      const used = usedBytes(this.cycles.of(path, plan, now));
      for (const { alert, silent } of capAlerts(path, plan, cycleAt(plan, now), used, thresholds, now)) {
        this.alertStore.raise(alert, silent);
      }
    }
  }

  private noticeForeign(traffic: ForeignTraffic): void {
    const alert = unexpectedUseAlert(traffic, this.options.unexpectedBytes ?? 5_000_000);
    if (alert) this.alertStore.raise(alert);
  }
}
