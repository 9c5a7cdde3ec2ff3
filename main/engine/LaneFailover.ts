import { PathwiseError } from '../../common/errors.ts';
import type { ContinuityTracker } from './ContinuityTracker.ts';
import type { EnginePath } from './EnginePath.ts';
import type { PathLane } from './PathLane.ts';
import type { PathLanes } from './PathLanes.ts';
import type { RangeFetch } from './RangeFetch.ts';
import { probeRange, type ProbeResult } from './RangeProbe.ts';
import type { RedirectGuard } from './RedirectGuard.ts';
import type { ServedFile } from './ServedFile.ts';
import { ServerPushback } from './ServerPushback.ts';
import { isPushBack, TransferErrorCodes } from './transferErrors.ts';
import type { TransferOptions, TransferTuning } from './TransferOptions.ts';

/** What failover needs of the transfer it works for. */
export interface FailoverHost {
  /** The transfer is running: only then is a lost path news, and a recovered one put to work. */
  running(): boolean;
  /** The run's abort signal: a recovery probe must not outlive the run. */
  signal(): AbortSignal;
  /** A recovery probe found another version of the file on the server. */
  fileChanged(error: PathwiseError): void;
  /** A path is back in service: give it work and tell listeners. */
  pathRestored(): void;
}

/**
 * Where a path's recovery probe goes when the pinned link's server is out of service but other
 * sources of the file serve (Mirrors.ts); null: the pinned link, as for a download of one URL.
 */
export interface RecoveryTargets {
  recoveryTarget(): { href: string; guard: RedirectGuard; answered(probe: ProbeResult): void } | null;
}

/** Timer lateness below this is ordinary jitter; above it the loop was frozen (a GC pause, a busy machine). */
const FROZEN_MIN_MS = 25;
/** Frozen stretches kept: longer than any connection stays silent before it is judged. */
const FROZEN_KEEP_MS = 120_000;
const FROZEN_KEEP_COUNT = 256;

/**
 * Taking paths out of service and bringing them back (ARCHITECTURE "Failover"): a path that errs
 * or stalls, or that the monitor says went down, loses all its work at once; a connection that
 * hears nothing for longer than its path's rhythm allows is stalled; a failed path is probed with
 * back-off and returns when it answers with the same version of the file. Also the two verdicts
 * about paths the download waits on: a cap used up, and no path left to carry on.
 */
export class LaneFailover {
  /** The latest error a path or fetch met: what the download fails with when it gives up. */
  lastError: PathwiseError | null = null;
  private readonly lanes: PathLanes;
  private readonly served: ServedFile;
  private readonly continuity: ContinuityTracker;
  private readonly pushback: ServerPushback;
  private readonly tuning: TransferTuning;
  private readonly options: TransferOptions;
  private readonly host: FailoverHost;
  /** When the event loop did not run (a GC pause, a busy laptop, a suspend): no connection could be heard. */
  private readonly frozen: Array<{ from: number; to: number }> = [];
  private readonly sources: RecoveryTargets | null;
  /** Paths the monitor called good again while their recovery probe was out: probed again as it ends. */
  private readonly goodAgain = new Set<string>();

  constructor(
    parts: {
      lanes: PathLanes;
      served: ServedFile;
      continuity: ContinuityTracker;
      pushback?: ServerPushback;
      mirrors?: RecoveryTargets;
    },
    tuning: TransferTuning,
    options: TransferOptions,
    host: FailoverHost,
  ) {
    this.lanes = parts.lanes;
    this.served = parts.served;
    this.continuity = parts.continuity;
    this.pushback = parts.pushback ?? new ServerPushback(tuning);
    this.sources = parts.mirrors ?? null;
    this.tuning = tuning;
    this.options = options;
    this.host = host;
  }

  /** The monitor's latest view of the paths: a path that goes down, changes or turns unverified drops out. */
  update(paths: readonly EnginePath[]): void {
    const now = performance.now();
    for (const path of paths) {
      const lane = this.lanes.get(path.name);
      if (!lane) continue;
      const wasPresent = lane.present;
      const wasHealth = lane.path.health;
      const wasVerified = lane.path.verified !== false;
      const addressChanged = lane.path.address !== path.address;
      lane.path = { ...path, rank: lane.path.rank, preference: lane.path.preference };
      if (this.options.allowedPaths == null) lane.path.preference = path.preference;
      if (wasVerified && lane.path.verified === false) {
        this.drop(lane, now, `${lane.name} is unverified: its bytes left through another interface`);
      } else if (wasPresent && (!lane.present || addressChanged)) {
        this.drop(lane, now, lane.present ? `${lane.name} changed its address` : `${lane.name} went down`);
      } else if (!wasPresent && lane.present && this.host.running()) {
        // Back up: check it with a probe before it carries payload again.
        lane.fault ??= {
          kind: 'error',
          error: new PathwiseError(TransferErrorCodes.unreachable, `${lane.name} was down.`),
          since: now,
        };
        lane.retryAt = now;
        lane.failures = 0;
      } else if (lane.present && wasHealth !== 'good' && path.health === 'good' && this.host.running()) {
        this.retryNow(lane, now);
      }
    }
  }

  /**
   * The monitor's verdict says the path reaches the internet again (issue 23): a path out of
   * service for the path's own trouble is probed now rather than when its back-off (up to
   * retryMaxMs) ends. Not one that a server pushed back (its Retry-After stands), nor one benched
   * for this run.
   */
  private retryNow(lane: PathLane, now: number): void {
    if (!lane.fault || !Number.isFinite(lane.retryAt) || isPushBack(lane.fault.error)) return;
    if (lane.recovering) {
      this.goodAgain.add(lane.name);
      return;
    }
    lane.retryAt = Math.min(lane.retryAt, now);
    lane.failures = 0;
  }

  /** Takes a path out of service after an error or stall; it comes back after a successful probe. */
  fault(lane: PathLane, error: PathwiseError, now: number): void {
    const stalled = error.code === TransferErrorCodes.stalled;
    lane.fault = { kind: stalled ? 'stalled' : 'error', error, since: now };
    lane.failures++;
    lane.retryAt = now + Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** (lane.failures - 1));
    this.lastError = error;
    this.reportLost(lane, error.message, error.code);
    // The same cause usually hits the path's other connections: move all its work now.
    for (const other of lane.fetches) other.abort(error);
    if (lane.fetches.size === 0) lane.dropAgent();
  }

  /**
   * Takes a path out of service for the rest of this run: the server's answers arrive wrong over
   * it (a middlebox that mangles them) while another path gets them right. It is not probed back
   * (a probe's answer would be right, the next range's wrong again); its other fetches stop and
   * their ranges go back to the plan.
   */
  bench(lane: PathLane, error: PathwiseError, now: number): void {
    lane.fault = { kind: 'error', error, since: now };
    lane.retryAt = Number.POSITIVE_INFINITY;
    this.lastError = error;
    this.reportLost(lane, `${error.message} ${lane.name} carries no more of this download.`);
    for (const other of lane.fetches) other.abort(null);
  }

  /** Says once that `lane` left service (until a path-restored); `code` tells the monitor why (issue 23). */
  private reportLost(lane: PathLane, detail: string, code?: string): void {
    if (lane.lost || !this.host.running()) return;
    lane.lost = true;
    this.continuity.report({
      kind: 'path-lost',
      from: lane.name,
      to: null,
      bytesLost: 0,
      stallMs: 0,
      detail,
      ...(code ? { code } : {}),
    });
  }

  /** The monitor says the path is gone: everything on it moves at once. */
  drop(lane: PathLane, now: number, why: string): void {
    const error = new PathwiseError(
      TransferErrorCodes.unreachable,
      `${why}; its ranges moved to the other paths.`,
    );
    if (this.host.running()) {
      for (const fetch of lane.fetches) fetch.abort(error);
      if (lane.fetches.size === 0) this.fault(lane, error, now);
    }
    lane.dropAgent();
  }

  /**
   * The watchdog's timer (or its deferred verdict) was due at `dueAt` and runs at `now`: a loop
   * that ran this late was frozen meanwhile, and no connection could be heard (its bytes waited
   * unread in the socket). That stretch does not count as any connection's silence.
   */
  loopRanLate(dueAt: number, now: number): void {
    if (now - dueAt < FROZEN_MIN_MS) return;
    const last = this.frozen.at(-1);
    if (last && dueAt <= last.to) last.to = Math.max(last.to, now);
    else this.frozen.push({ from: dueAt, to: now });
    while (
      this.frozen.length > FROZEN_KEEP_COUNT ||
      (this.frozen[0] && this.frozen[0].to < now - FROZEN_KEEP_MS)
    ) {
      this.frozen.shift();
    }
  }

  /** How long a connection has been silent while the loop ran: frozen stretches are nobody's silence. */
  private silence(fetch: RangeFetch, now: number): number {
    const silent = fetch.silentFor(now);
    const since = now - silent;
    let frozen = 0;
    for (const f of this.frozen) frozen += Math.max(0, Math.min(f.to, now) - Math.max(f.from, since));
    return silent - frozen;
  }

  /**
   * A connection that received nothing for longer than its path's rhythm allows is stalled. Call
   * it once the loop has read its sockets (not straight from a timer: see FetchScheduler.tick).
   */
  abortStalled(fetches: Iterable<RangeFetch>, now: number): void {
    for (const fetch of fetches) {
      const lane = this.lanes.get(fetch.lane) as PathLane;
      const rtt = lane.rttMs ?? 100;
      const limit = fetch.receiving
        ? Math.min(10_000, Math.max(this.tuning.stallFloorMs, 8 * fetch.gapMs, 4 * rtt))
        : Math.max(this.tuning.headerTimeoutMs, 4 * rtt);
      const silent = this.silence(fetch, now);
      if (silent > limit) {
        fetch.abort(
          new PathwiseError(
            TransferErrorCodes.stalled,
            `No data arrived over ${lane.name} for ${(silent / 1000).toFixed(1)} s; its work moved to the other paths.`,
          ),
        );
      }
    }
  }

  /** Probes failed paths when their back-off expires; a path that answers goes back into service. */
  recover(now: number): void {
    for (const lane of this.lanes.values()) {
      if (!lane.fault || lane.recovering || now < lane.retryAt || !lane.present) continue;
      if (lane.path.preference === 'never' || lane.path.verified === false) continue;
      lane.recovering = true;
      lane.dropAgent();
      const generation = this.served.generation;
      // A mirror that serves, when the pinned link's server does not: the path is judged, not it.
      const target = this.sources?.recoveryTarget() ?? null;
      probeRange(target?.href ?? this.served.href, {
        dispatcher: lane.dispatcher(),
        pathName: lane.name,
        timeoutMs: Math.max(2000, this.tuning.headerTimeoutMs),
        signal: this.host.signal(),
        guard: target?.guard ?? this.served.redirects,
      }).then(
        (probe) => {
          lane.recovering = false;
          this.goodAgain.delete(lane.name);
          if (generation !== this.served.generation || !this.host.running()) return;
          if (target) target.answered(probe);
          else if (!this.served.matches(probe)) {
            this.host.fileChanged(this.served.changedTo(probe));
            return;
          }
          lane.rttMs = probe.rttMs;
          lane.fault = null;
          lane.retryAt = 0;
          if (lane.lost) {
            lane.lost = false;
            this.continuity.report({
              kind: 'path-restored',
              from: null,
              to: lane.name,
              bytesLost: 0,
              stallMs: 0,
            });
          }
          this.host.pathRestored();
        },
        (error: unknown) => {
          lane.recovering = false;
          if (!lane.fault) return;
          lane.failures++;
          const now = performance.now();
          // Sent before the monitor saw the path answer again: the next probe goes at once.
          const goodAgain = this.goodAgain.delete(lane.name);
          lane.retryAt = goodAgain
            ? now
            : now + Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** (lane.failures - 1));
          if (error instanceof PathwiseError) {
            lane.fault.error = error;
            this.lastError = error;
            // A server that asks to wait is asked again when it said, not sooner.
            if (isPushBack(error))
              lane.retryAt = Math.max(lane.retryAt, now + this.pushback.pushBack(lane.name, error, now));
          }
        },
      );
    }
  }

  /** Says once per stretch when a path's cap is used up (and again after it got more budget). */
  notifyCaps(now: number): void {
    for (const lane of this.lanes.values()) {
      const spent = this.lanes.spent(lane, now);
      if (spent && !lane.capNotified) {
        lane.capNotified = true;
        this.continuity.report({
          kind: 'cap-reached',
          from: lane.name,
          to: null,
          bytesLost: 0,
          stallMs: 0,
          detail: `${lane.name} reached its data cap; it carries no more of this download.`,
        });
      } else if (!spent && lane.capNotified) {
        lane.capNotified = false;
      }
    }
  }

  /**
   * With nothing running and no usable path: the error the download fails with, once every
   * allowed path is at its cap (unless told to wait for budget) or nothing arrived for `giveUpMs`;
   * null while it should still wait.
   */
  giveUp(now: number, lastProgressAt: number): PathwiseError | null {
    if (this.lanes.select(now, true).length > 0) return null;
    const capped = [...this.lanes.values()].filter(
      (l) => l.present && !l.fault && l.path.preference !== 'never' && this.lanes.spent(l, now),
    );
    const others = [...this.lanes.values()].filter(
      (l) => l.present && l.path.preference !== 'never' && !this.lanes.spent(l, now),
    );
    if (capped.length > 0 && others.length === 0) {
      if (this.options.whenCapped === 'wait') return null;
      return new PathwiseError(
        TransferErrorCodes.capReached,
        `Every allowed path reached its data cap (${capped.map((l) => l.name).join(', ')}). The partial download is kept; raise the cap or add a path and run it again to resume.`,
      );
    }
    if (now - lastProgressAt > this.tuning.giveUpMs) return this.lastError ?? this.lanes.noPathError();
    return null;
  }
}
