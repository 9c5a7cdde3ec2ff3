/**
 * A ledger on a clock the test moves, in its own folder, with fake counters: what the ledger
 * tests (test/ledger) build on. `reopen()` is a restart; `twin()` is a second process on the
 * same database file (a `pathwise get` beside the app).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PathInfo, Plan } from '../../common/contract.ts';
import type { ObservedPath } from '../../main/ledger/CounterIntake.ts';
import { Ledger, type LedgerOptions } from '../../main/ledger/Ledger.ts';

export const MB = 1_000_000;
export const GB = 1_000_000_000;

export function plan(over: Partial<Plan> = {}): Plan {
  return {
    capBytes: GB,
    cycle: { kind: 'monthly', startDay: 1 },
    pricePerGb: 10,
    overagePricePerGb: 20,
    atCap: 'stop',
    rateLimitBps: null,
    currency: 'EUR',
    ...over,
  };
}

export function path(name: string, over: Partial<PathInfo> = {}): PathInfo {
  return {
    name,
    type: name.startsWith('wwan') ? 'cellular' : name.startsWith('wlan') ? 'wifi' : 'ethernet',
    addresses: ['198.18.1.2'],
    up: true,
    metered: name.startsWith('wwan'),
    preference: 'always',
    ...over,
  };
}

export class Books {
  readonly dir: string;
  t = new Date(2026, 2, 10, 12, 0).getTime();
  plans: Record<string, Plan> = {};
  thresholds = [0.75, 1];
  bootId = 'boot-1';
  ledger: Ledger;
  alerts: string[] = [];
  warnings: string[] = [];
  private readonly extra: Partial<LedgerOptions>;

  constructor(extra: Partial<LedgerOptions> = {}, dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'pw-ledger-'));
    this.extra = extra;
    this.ledger = this.open();
  }

  open(): Ledger {
    const { ledger } = Ledger.open({
      dataDir: this.dir,
      now: () => this.t,
      plans: () => this.plans,
      thresholds: () => this.thresholds,
      bootId: () => this.bootId,
      ...this.extra,
    });
    ledger.on('alert', (a) => this.alerts.push(a.title));
    ledger.on('warning', (w) => this.warnings.push(w));
    return ledger;
  }

  /** Another process on the same database, on the same clock and plans. */
  twin(extra: Partial<LedgerOptions> = {}): Books {
    const other = new Books({ ...this.extra, ...extra, now: () => this.t }, this.dir);
    other.plans = this.plans;
    return other;
  }

  reopen(): void {
    this.ledger.close();
    this.ledger = this.open();
  }

  down(p: string, bytes: number): void {
    this.ledger.recordPathBytes({ transferId: 't1', path: p, direction: 'down', bytes, at: this.t });
  }

  /** One counters observation of `name` a second after the last, reading `rx` received bytes. */
  seen(name: string, rx: number, over: Partial<ObservedPath> = {}): void {
    this.advance(1000);
    this.ledger.observePaths([path(name, { rxBytes: rx, txBytes: 0, ...over })]);
  }

  advance(ms: number): void {
    this.t += ms;
  }

  usage(name: string) {
    return this.ledger.summary().paths.find((p) => p.name === name);
  }
}
