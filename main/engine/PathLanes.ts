import type { TransferInfo, TransferMode } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import type { ContinuityTracker } from './ContinuityTracker.ts';
import { createPathAgent } from './pathAgent.ts';
import { PathLane } from './PathLane.ts';
import type { PathLimits } from './PathLimits.ts';
import { selectPaths, type PolicyPath } from './PathPolicy.ts';
import { signRequests } from './requestAuth.ts';
import { TransferErrorCodes } from './transferErrors.ts';
import type { TransferOptions } from './TransferOptions.ts';

export type LaneState = TransferInfo['paths'][string]['state'];

export interface PathLanesOptions {
  transferId: string;
  mode: TransferMode;
  connectionsPerPath: number;
  /** Caps and rate limits shared by every transfer. */
  limits: PathLimits;
  continuity: ContinuityTracker;
  /** Tells the ledger what a path carried (the transfer's `bytes` event). */
  reportBytes: (event: PathBytesEvent) => void;
}

/**
 * The paths of one transfer, a `PathLane` each, and the rules that read them together: which may
 * carry payload now, how much more each may take under its caps, which the policy picks (and,
 * outside aggregate mode, which one is primary: a change of primary is a handover), how many
 * connections each gets, what each shows in the transfer's info, and the bytes each carried,
 * reported to the ledger.
 */
export class PathLanes {
  /** The path a handover or interactive download runs on; null before the first probe answered. */
  primary: string | null = null;
  private readonly byName = new Map<string, PathLane>();
  private readonly mode: TransferMode;
  private readonly connectionsPerPath: number;
  private readonly limits: PathLimits;
  private readonly continuity: ContinuityTracker;
  private readonly transferId: string;
  private readonly reportBytes: (event: PathBytesEvent) => void;
  private lastReportAt = 0;

  constructor(transfer: TransferOptions, options: PathLanesOptions) {
    this.mode = options.mode;
    this.connectionsPerPath = options.connectionsPerPath;
    this.limits = options.limits;
    this.continuity = options.continuity;
    this.transferId = options.transferId;
    this.reportBytes = options.reportBytes;
    const factory = transfer.agentFactory ?? createPathAgent;
    // Every request of the download leaves through these: each carries its access (headers, logins,
    // cookies), and the cookies its servers set are kept for the requests after (one jar per download).
    const sign = signRequests(transfer.access, transfer.givenUrl ?? transfer.url);
    for (const path of transfer.paths) {
      this.byName.set(
        path.name,
        new PathLane(path, factory, transfer.caps?.[path.name] ?? null, transfer.pools ?? null, sign),
      );
    }
  }

  get(name: string): PathLane | undefined {
    return this.byName.get(name);
  }

  values(): MapIterator<PathLane> {
    return this.byName.values();
  }

  /** A new run: every path starts with clean counters and in service. */
  resetForRun(): void {
    for (const lane of this.byName.values()) {
      lane.bytes = 0;
      lane.reported = 0;
      lane.fault = null;
      lane.failures = 0;
      lane.badAnswers = 0;
      lane.lost = false;
      lane.capNotified = false;
      lane.meter.reset();
    }
  }

  /** A path may carry payload: present, allowed, healthy, not failed, not over its cap. */
  usable(lane: PathLane, now: number): boolean {
    if (!lane.present || lane.fault || lane.path.preference === 'never') return false;
    if (lane.path.verified === false) return false;
    if (lane.path.health === 'offline' || lane.path.health === 'captive') return false;
    return !this.spent(lane, now);
  }

  /** The cap is used up (not merely promised to fetches in flight). */
  spent(lane: PathLane, now: number): boolean {
    if (lane.capBytes !== null && lane.bytes >= lane.capBytes) return true;
    const remaining = this.limits.remaining(lane.name, now);
    return remaining !== null && remaining - lane.unreportedReserved <= 0;
  }

  allowance(lane: PathLane, now: number): number | null {
    const shared = this.limits.allowance(lane.name, now);
    const own = lane.capBytes === null ? null : Math.max(0, lane.capBytes - lane.bytes - lane.reserved);
    if (shared === null) return own;
    return own === null ? shared : Math.min(shared, own);
  }

  /**
   * The paths the policy picks now, best first. Outside aggregate mode (and not for a probe) a new
   * first choice becomes the primary path, and the move is awaited as a handover.
   */
  select(now: number, probing = false): string[] {
    const views: PolicyPath[] = [...this.byName.values()].map((lane) => ({
      name: lane.name,
      preference: lane.path.preference,
      rank: lane.path.rank,
      usable: this.usable(lane, now),
      health: lane.path.health,
      rttMs: lane.rttMs,
    }));
    const chosen = selectPaths(this.mode, views, this.primary);
    if (probing || this.mode === 'aggregate') return chosen;
    const next = chosen[0] ?? null;
    if (next !== this.primary && next !== null) {
      if (this.primary !== null) {
        const from = this.byName.get(this.primary);
        this.continuity.awaitHandover(
          this.primary,
          next,
          from?.lastByteAt ?? now,
          from?.fault ? from.fault.error.message : `${next} is preferred and usable again.`,
        );
      }
      this.primary = next;
    }
    return chosen;
  }

  /** Connections per path: one in interactive mode (latency first), else the tuning's number. */
  connections(): number {
    return this.mode === 'interactive' ? 1 : Math.max(1, this.connectionsPerPath);
  }

  state(lane: PathLane, now: number): LaneState {
    if (lane.path.preference === 'never') return 'excluded';
    if (lane.path.verified === false) return 'unverified';
    if (!lane.present) return 'down';
    if (lane.fault) return lane.fault.kind === 'stalled' ? 'stalled' : 'down';
    if (this.spent(lane, now)) return 'capped';
    return lane.fetches.size > 0 ? 'active' : 'idle';
  }

  /** Every path's state in one string: the transfer says `change` when it differs from the last. */
  stateKey(now: number): string {
    return [...this.byName.values()].map((l) => `${l.name}:${this.state(l, now)}`).join(',');
  }

  noPathError(): PathwiseError {
    const names = [...this.byName.values()].map((l) =>
      !l.path.up
        ? `${l.name} is down`
        : !l.path.address
          ? `${l.name} has no address`
          : `${l.name} is not allowed`,
    );
    return new PathwiseError(
      TransferErrorCodes.noPath,
      names.length
        ? `No network path can carry this download: ${names.join(', ')}.`
        : 'No network path can carry this download: none is up.',
    );
  }

  /**
   * Reports what each path carried since the last report (at most every 250 ms unless `force`)
   * and lets go of the shared budget held for those bytes, now that the ledger counts them.
   */
  flushBytes(now: number, force: boolean): void {
    if (!force && now - this.lastReportAt < 250) return;
    this.lastReportAt = now;
    for (const lane of this.byName.values()) {
      const delta = lane.bytes - lane.reported;
      if (delta > 0) {
        lane.reported = lane.bytes;
        this.reportBytes({
          transferId: this.transferId,
          path: lane.name,
          direction: 'down',
          bytes: delta,
          at: Date.now(),
        });
      }
      if (lane.unreportedReserved > 0) {
        this.limits.release(lane.name, lane.unreportedReserved);
        lane.unreportedReserved = 0;
      }
    }
  }
}
