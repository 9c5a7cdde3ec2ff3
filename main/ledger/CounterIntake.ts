import type { StatementSync } from 'node:sqlite';
import type { PathInfo, PathType } from '../../common/contract.ts';
import { sameBoot } from './bootId.ts';
import { spreadOverGap, UNWATCHED_GAP_MS } from './closedTime.ts';
import { counterDelta, maxBytes } from './counterMath.ts';
import type { CounterLease } from './CounterLease.ts';
import type { LedgerSql } from './LedgerSql.ts';
import type { PendingUsage } from './PendingUsage.ts';
import type { ForeignTraffic, ForeignWindow } from './unexpectedUse.ts';

export { readBootId } from './bootId.ts';

/**
 * A path as the monitor reports it, with the interface's index where the OS gives one: a changed
 * index means the device was re-created (vnStat keeps it for the same reason), and when its
 * counters were read: off Linux they are read every few seconds, so most observations repeat
 * the last reading, which counts once, over the time since the reading before.
 */
export type ObservedPath = PathInfo & { ifindex?: number; countersAt?: number };

/** Types the ledger keeps no books for: loopback, and bridges and veths inside the machine. */
const NOT_COUNTED: ReadonlySet<PathType> = new Set<PathType>(['loopback', 'virtual']);

/** A VPN rides on another path: its bytes are that path's bytes too (issue 20 case 12). */
export function ridesOnAnother(path: {
  type: PathType | null;
  ridesOn?: string | null | undefined;
}): boolean {
  return path.type === 'vpn' || path.ridesOn !== undefined;
}

/** An unmetered way out of its own: never loopback, a bridge, or a VPN riding on another path. */
function unmeteredWayOut(p: ObservedPath): boolean {
  return p.up && !p.metered && p.addresses.length > 0 && !NOT_COUNTED.has(p.type) && !ridesOnAnother(p);
}

/** What the ledger remembers of one interface between observations. */
interface PathState {
  type: PathType | null;
  metered: boolean;
  up: boolean;
  /** The OS counters at the last observation: the baseline the next one is counted from. */
  lastRx: number | null;
  lastTx: number | null;
  lastAt: number | null;
  /** The interface's index when its counters were last read (null: not known). */
  ifindex: number | null;
  active: boolean;
  /** App bytes seen since the previous observation (decides "active" with the counters). */
  appSince: number;
  /** App bytes seen in the observation interval before that (the reporting lag's measure). */
  appBefore: number;
  /** Non-app bytes on this path in the current unexpected-use window. */
  foreign: ForeignWindow;
  /** A VPN: the path it rides on as last observed (null: not known which); undefined otherwise. */
  ridesOn?: string | null | undefined;
  /** When the counters of the last observation counted were read (see ObservedPath). */
  countersAt?: number | undefined;
}

/**
 * All traffic per interface, from the OS counters the monitor reads about once a second: each
 * observation adds what the counters moved since the last one to the pending usage, with the
 * seconds the path was active and the bursts it made (for the energy model). The last counters
 * and the boot id are stored with every flush, so traffic while the app was closed is counted at
 * start, and after a reboot everything the counters show is new.
 *
 * Only the process holding the `CounterLease` counts and stores baselines; the others (a
 * `pathwise get`, a second app) only learn the paths' types. The one that takes the lease reads
 * the baselines afresh, so it counts on from where the last owner stopped.
 */
export class CounterIntake {
  private readonly db: LedgerSql;
  private readonly pending: PendingUsage;
  private readonly lease: CounterLease;
  private readonly bootId: string | null;
  private readonly onForeign: (traffic: ForeignTraffic) => void;
  private readonly appBytesSince: (path: string, t: number) => number;
  private readonly save: StatementSync;
  private readonly paths = new Map<string, PathState>();

  constructor(
    db: LedgerSql,
    pending: PendingUsage,
    lease: CounterLease,
    options: {
      bootId: string | null;
      onForeign: (traffic: ForeignTraffic) => void;
      /** Payload bytes every Pathwise process booked on a path since a time (flushed or not). */
      appBytesSince: (path: string, t: number) => number;
    },
  ) {
    this.db = db;
    this.pending = pending;
    this.lease = lease;
    this.bootId = options.bootId;
    this.onForeign = options.onForeign;
    this.appBytesSince = options.appBytesSince;
    this.save = db.prepare(
      `INSERT INTO paths (name, type, metered, last_rx, last_tx, boot_id, seen_at, ifindex)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET type = excluded.type, metered = excluded.metered,
         last_rx = excluded.last_rx, last_tx = excluded.last_tx, boot_id = excluded.boot_id,
         seen_at = excluded.seen_at, ifindex = excluded.ifindex`,
    );
    this.load(null);
  }

  /** Names of every interface seen, in this run or stored from an earlier one. */
  names(): IterableIterator<string> {
    return this.paths.keys();
  }

  typeOf(name: string): PathType | null {
    return this.paths.get(name)?.type ?? null;
  }

  /** A VPN's path under it (null: not known which); undefined for a path that rides on none. */
  ridesOnOf(name: string): string | null | undefined {
    const state = this.paths.get(name);
    if (!state) return undefined;
    return state.ridesOn !== undefined || state.type === 'vpn' ? (state.ridesOn ?? null) : undefined;
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
  observe(paths: readonly ObservedPath[], now: number): void {
    const lease = this.lease.acquire(now);
    if (lease === 'taken') this.load(now);
    // A VPN is no way out of its own: it rides on another path (maybe the metered one).
    const unmeteredUp = paths.some(unmeteredWayOut);
    for (const path of paths) {
      if (NOT_COUNTED.has(path.type)) continue;
      const state = this.stateFor(path, now);
      if (lease === 'other') continue;
      if (path.rxBytes === undefined || path.txBytes === undefined) continue;
      // The same reading again (off Linux): nothing new to count, and no time passed for it.
      if (path.countersAt !== undefined && path.countersAt === state.countersAt) continue;
      state.countersAt = path.countersAt;
      this.count(path, state, now, unmeteredUp);
    }
  }

  /** Whether the flush must write for the lease's heartbeat even with no bytes pending. */
  beatDue(now: number): boolean {
    return this.lease.due(now);
  }

  /**
   * Beats the lease and stores each interface's baseline, if this process owns them; the caller
   * holds the flush's transaction.
   */
  saveBaselines(now: number): void {
    if (!this.lease.beat(now)) return;
    for (const [name, s] of this.paths) {
      if (s.lastRx === null) continue;
      this.save.run(name, s.type, s.metered ? 1 : 0, s.lastRx, s.lastTx, this.bootId, s.lastAt, s.ifindex);
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
        ifindex: null,
        active: false,
        appSince: 0,
        appBefore: 0,
        foreign: { bytes: 0, since: now },
      };
      this.paths.set(path.name, state);
    }
    state.type = path.type;
    state.metered = path.metered;
    state.up = path.up;
    state.ridesOn = path.ridesOn;
    return state;
  }

  /** Counts what the counters moved since the baseline (the first reading only sets it). */
  private count(path: ObservedPath, state: PathState, now: number, unmeteredUp: boolean): void {
    const rx = path.rxBytes as number;
    const tx = path.txBytes as number;
    const since = state.lastAt;
    // A new ifindex is a new device (re-created while we did not look): its counters started at 0.
    const newDevice = path.ifindex !== undefined && state.ifindex !== null && path.ifindex !== state.ifindex;
    if (path.ifindex !== undefined) state.ifindex = path.ifindex;
    const lastRx = newDevice ? 0 : state.lastRx;
    const lastTx = newDevice ? 0 : state.lastTx;
    state.lastRx = rx;
    state.lastTx = tx;
    state.lastAt = now;
    if (since === null || lastRx === null || lastTx === null) return;
    const gap = now - since;
    const limit = maxBytes(state.type, path.speedMbps, gap);
    const watched = gap <= UNWATCHED_GAP_MS;
    const dRx = counterDelta(lastRx, rx, limit, watched);
    const dTx = counterDelta(lastTx, tx, limit, watched);
    if (!watched) {
      this.bookUnwatched(path.name, since, now, dRx, dTx);
      state.active = false;
      state.appSince = 0;
      return;
    }
    const delta = this.pending.at(path.name, now);
    delta.rxBytes += dRx;
    delta.txBytes += dTx;
    const active = dRx + dTx > 0 || state.appSince > 0;
    if (active) {
      // Gaps longer than a few seconds were not all active: count the second we saw.
      const elapsedS = Math.max(1, Math.round(gap / 1000));
      delta.activeS += elapsedS <= 5 ? elapsedS : 1;
      if (!state.active) delta.bursts += 1;
    }
    state.active = active;
    this.onForeign({
      path: path.name,
      // A VPN's bytes are its carrier's: that path's own check speaks for them.
      metered: state.metered && !ridesOnAnother(path),
      window: state.foreign,
      bytes: dRx + dTx,
      lagBytes: Math.max(state.appSince, state.appBefore),
      unmeteredUp,
      now,
      appBytesSince: (t) => this.appBytesSince(path.name, t),
    });
    state.appBefore = state.appSince;
    state.appSince = 0;
  }

  /**
   * What the counters moved while nobody watched (closed, asleep): spread over the gap, by day,
   * marked as an estimate. No active seconds (unknown) and no unexpected-use check (the app's own
   * bytes of that time are not known here).
   */
  private bookUnwatched(name: string, from: number, to: number, rx: number, tx: number): void {
    for (const share of spreadOverGap(from, to, rx, tx)) {
      const delta = this.pending.at(name, share.t);
      delta.rxBytes += share.rx;
      delta.txBytes += share.tx;
      delta.estBytes += share.rx + share.tx;
    }
  }

  /**
   * The interfaces stored by earlier runs or other processes. With `now` (this process just took
   * the lease) their last counters too: traffic since is counted at the next observation.
   */
  private load(now: number | null): void {
    const rows = this.db
      .prepare('SELECT name, type, metered, last_rx, last_tx, boot_id, seen_at, ifindex FROM paths')
      .all() as Array<{
      name: string;
      type: PathType | null;
      metered: number | null;
      last_rx: number | null;
      last_tx: number | null;
      boot_id: string | null;
      seen_at: number | null;
      ifindex: number | null;
    }>;
    for (const row of rows) {
      // After a reboot the counters restarted from zero: count everything they show.
      const thisBoot = sameBoot(row.boot_id, this.bootId);
      const known = this.paths.get(row.name);
      const counted = now !== null && row.last_rx !== null;
      this.paths.set(row.name, {
        type: known?.type ?? row.type,
        metered: known?.metered ?? row.metered === 1,
        up: known?.up ?? false,
        lastRx: counted ? (thisBoot ? row.last_rx : 0) : null,
        lastTx: counted ? (thisBoot ? row.last_tx : 0) : null,
        // Counted from when the counters were last read: the gap is spread over that time.
        lastAt: counted ? Math.min(now, row.seen_at ?? now) : null,
        ifindex: known?.ifindex ?? row.ifindex,
        active: false,
        appSince: 0,
        appBefore: 0,
        foreign: { bytes: 0, since: now ?? 0 },
        ridesOn: known?.ridesOn,
      });
    }
  }
}
