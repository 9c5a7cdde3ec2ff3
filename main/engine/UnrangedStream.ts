import type { ContinuityTracker } from './ContinuityTracker.ts';
import type { DownloadFiles } from './DownloadFiles.ts';
import type { LaneFailover } from './LaneFailover.ts';
import type { PartFile } from './PartFile.ts';
import type { PathLane } from './PathLane.ts';
import type { PathLanes } from './PathLanes.ts';
import type { ProbeRound } from './ProbeRound.ts';
import type { FetchResult, RangeFetch } from './RangeFetch.ts';
import type { ProbeResult } from './RangeProbe.ts';
import type { ServedFile } from './ServedFile.ts';
import type { ServerPushback } from './ServerPushback.ts';
import { isFatal, isPushBack, TransferErrorCodes } from './transferErrors.ts';

/** What the stream needs of the scheduling it runs in. */
export interface StreamHost {
  /** Starting over: nothing is scheduled while the part file is being reset. */
  restarting: boolean;
  /** Runs the stream's fetch of [0, end) on `lane`, over the probe's open answer when there is one. */
  startStream(lane: PathLane, end: number, probe: ProbeResult | undefined): void;
  /** Ends the download phase with an error. */
  reject(error: unknown): void;
  pump(): void;
  checkComplete(): void;
}

/**
 * A server without byte ranges (ARCHITECTURE "One download": servers without ranges get one
 * stream): the whole file comes as one answer over one path, and what a broken stream brought
 * can't be kept, since nothing can be asked for from the middle. So a failure starts the file
 * over from byte 0, on whichever path is usable then. A server that pushes back (429, 503) when
 * the file is asked again is waited for as it asks (ServerPushback, per path), the path staying
 * in service and the download saying why it waits, as with ranges.
 */
export class UnrangedStream {
  /** The stream delivered the whole file. */
  complete = false;
  private readonly lanes: PathLanes;
  private readonly round: ProbeRound;
  private readonly served: ServedFile;
  private readonly files: DownloadFiles;
  private readonly failover: LaneFailover;
  private readonly continuity: ContinuityTracker;
  private readonly pushback: ServerPushback;
  private readonly host: StreamHost;

  constructor(
    parts: {
      lanes: PathLanes;
      round: ProbeRound;
      served: ServedFile;
      files: DownloadFiles;
      failover: LaneFailover;
      continuity: ContinuityTracker;
      pushback: ServerPushback;
    },
    host: StreamHost,
  ) {
    this.lanes = parts.lanes;
    this.round = parts.round;
    this.served = parts.served;
    this.files = parts.files;
    this.failover = parts.failover;
    this.continuity = parts.continuity;
    this.pushback = parts.pushback;
    this.host = host;
  }

  /**
   * Starts the stream on the first path the policy picks that no server asked to wait, unless it
   * runs (`busy`) or is done; while every path waits, the scheduler's tick asks again.
   */
  pump(chosen: string[], busy: boolean): void {
    if (busy || this.complete) return;
    const now = performance.now();
    const name = chosen.find((n) => this.pushback.waitAny(n, now) <= 0);
    const lane = name ? this.lanes.get(name) : undefined;
    if (!lane) return;
    const probe = this.round.takeWholeBody(lane.name);
    const end = this.served.size ?? Number.POSITIVE_INFINITY;
    this.host.startStream(lane, end, probe);
  }

  onEnd(lane: PathLane, fetch: RangeFetch, result: FetchResult, now: number): void {
    if (result.status === 'complete') {
      this.pushback.answered(lane.name, fetch.url.origin, now);
      this.complete = true;
      this.host.checkComplete();
      return;
    }
    if (result.status === 'failed' && isPushBack(result.error)) {
      // Asked to come back later: this path waits as the server says, and stays in service.
      this.failover.lastError = result.error;
      this.pushback.pushBack(lane.name, result.error, now);
      if (fetch.pos === 0) {
        this.host.pump();
        return;
      }
    } else if (fetch.pos > 0) {
      this.pushback.answered(lane.name, fetch.url.origin, now);
    }
    if (
      result.status === 'failed' &&
      isFatal(result.error) &&
      result.error.code !== TransferErrorCodes.changed
    ) {
      this.host.reject(result.error);
      return;
    }
    if (result.status === 'failed' && !isPushBack(result.error)) {
      this.failover.lastError = result.error;
      if (result.error.code !== TransferErrorCodes.changed) this.failover.fault(lane, result.error, now);
    }
    // Without ranges nothing received can be kept: start over, on whichever path is usable.
    const lost = fetch.pos;
    this.host.restarting = true;
    void (async () => {
      await (this.files.part as PartFile).reset(this.served.size);
      await this.files.hasher?.reset();
      this.host.restarting = false;
      this.continuity.report({
        kind: 'restart',
        from: lane.name,
        to: null,
        bytesLost: lost,
        stallMs: 0,
        detail: `The server does not serve byte ranges, so the download started over${result.status === 'failed' ? `: ${result.error.message}` : '.'}`,
      });
      this.host.pump();
    })().catch((error: unknown) => this.host.reject(error));
  }
}
