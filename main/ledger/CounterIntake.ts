import { readFileSync } from 'node:fs';
import type { StatementSync } from 'node:sqlite';
import type { PathInfo, PathType } from '../../common/contract.ts';
import type { LedgerSql } from './LedgerSql.ts';
import type { PendingUsage } from './PendingUsage.ts';
import type { ForeignTraffic, ForeignWindow } from './unexpectedUse.ts';

/** What the ledger remembers of one interface between observations. */
interface PathState {
  type: PathType | null;
  metered: boolean;
  up: boolean;
  /** The OS counters at the last observation: the baseline the next one is counted from. */
  lastRx: number | null;
  lastTx: number | null;
  lastAt: number | null;
  active: boolean;
  /** App bytes seen since the previous observation (decides "active" with the counters). */
  appSince: number;
  /** Non-app bytes on this path in the current unexpected-use window. */
  foreign: ForeignWindow;
}

/** This boot's id: OS counters restart at zero after a reboot, and a stored baseline says which boot it is from. */
export function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * All traffic per interface, from the OS counters the monitor reads about once a second: each
 * observation adds what the counters moved since the last one to the pending usage, with the
 * seconds the path was active and the bursts it made (for the energy model). The last counters
 * and the boot id are stored with every flush, so traffic while the app was closed is counted at
 * start, and after a reboot everything the counters show is new.
 */
export class CounterIntake {
  private readonly pending: PendingUsage;
  private readonly bootId: string | null;
  private readonly onForeign: (traffic: ForeignTraffic) => void;
  private readonly save: StatementSync;
  private readonly paths = new Map<string, PathState>();

  constructor(
    db: LedgerSql,
    pending: PendingUsage,
    options: { bootId: string | null; now: number; onForeign: (traffic: ForeignTraffic) => void },
  ) {
    this.pending = pending;
    this.bootId = options.bootId;
    this.onForeign = options.onForeign;
    this.save = db.prepare(
      `INSERT INTO paths (name, type, metered, last_rx, last_tx, boot_id, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET type = excluded.type, metered = excluded.metered,
         last_rx = excluded.last_rx, last_tx = excluded.last_tx, boot_id = excluded.boot_id,
         seen_at = excluded.seen_at`,
    );
    this.load(db, options.now);
  }

  /** Names of every interface seen, in this run or stored from an earlier one. */
  names(): IterableIterator<string> {
    return this.paths.keys();
  }

  typeOf(name: string): PathType | null {
    return this.paths.get(name)?.type ?? null;
  }

  /** The app's own bytes on a path: with no counter movement they still make the path active. */
  noteAppBytes(path: string, bytes: number): void {
    const state = this.paths.get(path);
    if (state) state.appSince += bytes;
  }

  /**
   * The monitor's paths: OS counters (all traffic on each interface), type, metered state. A
   * counter that went backwards, or a device seen after a reboot, starts a new epoch: everything
   * it counted since is new traffic, nothing is counted twice.
   */
  observe(paths: readonly PathInfo[], now: number): void {
    const unmeteredUp = paths.some(
      (p) => p.up && !p.metered && p.addresses.length > 0 && !['loopback', 'virtual'].includes(p.type),
    );
    for (const path of paths) {
      if (path.type === 'loopback') continue;
      const state = this.stateFor(path, now);
      if (path.rxBytes === undefined || path.txBytes === undefined) continue;
      this.count(path.name, state, path.rxBytes, path.txBytes, now, unmeteredUp);
    }
  }

  /** Stores each interface's baseline; the caller holds the flush's transaction. */
  saveBaselines(): void {
    for (const [name, s] of this.paths) {
      if (s.lastRx === null) continue;
      this.save.run(name, s.type, s.metered ? 1 : 0, s.lastRx, s.lastTx, this.bootId, s.lastAt);
    }
  }

  private stateFor(path: PathInfo, now: number): PathState {
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
        foreign: { bytes: 0, since: now },
      };
      this.paths.set(path.name, state);
    }
    state.type = path.type;
    state.metered = path.metered;
    state.up = path.up;
    return state;
  }

  /** Counts what the counters moved since the baseline (the first reading only sets it). */
  private count(
    name: string,
    state: PathState,
    rx: number,
    tx: number,
    now: number,
    unmeteredUp: boolean,
  ): void {
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
    if (first) return;
    const delta = this.pending.at(name, now);
    delta.rxBytes += dRx;
    delta.txBytes += dTx;
    const active = dRx + dTx > 0 || state.appSince > 0;
    if (active) {
      // Gaps longer than a few seconds were not all active: count the second we saw.
      delta.activeS += elapsedS <= 5 ? elapsedS : 1;
      if (!state.active) delta.bursts += 1;
    }
    state.active = active;
    this.onForeign({
      path: name,
      metered: state.metered,
      window: state.foreign,
      bytes: dRx + dTx - state.appSince,
      unmeteredUp,
      now,
    });
    state.appSince = 0;
  }

  /** Last counters from before this run: traffic while Pathwise was off is counted at start. */
  private load(db: LedgerSql, now: number): void {
    const rows = db
      .prepare('SELECT name, type, metered, last_rx, last_tx, boot_id FROM paths')
      .all() as Array<{
      name: string;
      type: PathType | null;
      metered: number | null;
      last_rx: number | null;
      last_tx: number | null;
      boot_id: string | null;
    }>;
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
        foreign: { bytes: 0, since: now },
      });
    }
  }
}
