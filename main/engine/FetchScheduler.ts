import type { TransferMode } from '../../common/contract.ts';
import type { PathwiseError } from '../../common/errors.ts';
import type { ContinuityTracker } from './ContinuityTracker.ts';
import type { DownloadFiles } from './DownloadFiles.ts';
import { breakPair, failureCause, settleEndgame } from './fetchOutcome.ts';
import type { LaneFailover } from './LaneFailover.ts';
import { LinkRefresh } from './LinkRefresh.ts';
import type { Mirrors } from './Mirrors.ts';
import type { PartFile } from './PartFile.ts';
import type { PathLane } from './PathLane.ts';
import type { PathLanes } from './PathLanes.ts';
import type { PathLimits } from './PathLimits.ts';
import type { OpenAnswerStart, ProbeRound } from './ProbeRound.ts';
import { RangeFetch, type FetchKind, type FetchResult } from './RangeFetch.ts';
import { RangePlanner, type Asker, type Assignment } from './RangePlanner.ts';
import type { LeadRequest, ProbeResult, ResponseBody } from './RangeProbe.ts';
import type { RangeSet } from './RangeSet.ts';
import { noteReceived } from './receiveMemory.ts';
import type { ServedFile } from './ServedFile.ts';
import type { ServerPushback } from './ServerPushback.ts';
import { diskError, isPushBack, TransferErrorCodes } from './transferErrors.ts';
import type { TransferTuning } from './TransferOptions.ts';
import { UnrangedStream, type StreamHost } from './UnrangedStream.ts';
import { VersionRestart, type RestartTarget } from './VersionRestart.ts';

/** What the scheduling needs of the transfer it runs for. */
export interface SchedulerHost {
  /** The transfer is in its running state (not probing, stopping or over). */
  running(): boolean;
  /** Path states may have changed: the transfer tells its listeners when they did. */
  lanesChanged(): void;
  /** The final file's name (a write that fails names it). */
  file(): string;
  /** The run's abort signal: waits end with the run. */
  signal(): AbortSignal;
}

/** Wrong answers in a row, over all paths, after which the server is taken to keep lying. */
const MAX_BAD_ANSWERS = 5;
/** Wrong answers in a row over one path after which that path carries no more of this download. */
const MAX_BAD_ANSWERS_PER_PATH = 3;
/** How long a range answered wrongly over one path waits for another path before any may take it. */
const RETRY_ELSEWHERE_MS = 2000;

/** The parts of a transfer the scheduling works with. */
export interface SchedulerParts {
  served: ServedFile;
  files: DownloadFiles;
  lanes: PathLanes;
  failover: LaneFailover;
  round: ProbeRound;
  continuity: ContinuityTracker;
  limits: PathLimits;
  pushback: ServerPushback;
  mirrors: Mirrors;
}

/**
 * The download phase of a run (ARCHITECTURE "Planning"): keeps every connection the policy allows
 * busy with a planned range (or runs the one stream of a server without ranges), holds each
 * fetch's bytes against its path's cap, reads how each fetch ended, beats the run's clock
 * (stall watchdog, recovery probes, checkpoints, reports), and settles once the file is whole.
 */
export class FetchScheduler implements StreamHost, RestartTarget {
  readonly fetches = new Map<RangeFetch, Promise<void>>();
  readonly stream: UnrangedStream;
  /** Starting over (a stream that broke, a new version): nothing is scheduled meanwhile. */
  restarting = false;
  /** Renewing an expired link (LinkRefresh): nothing is scheduled meanwhile. */
  refreshing = false;
  /** Renews the signed link the user's URL redirected to when it stops working. */
  readonly refresh: LinkRefresh;
  /** Wrong answers (BadAnswerError) in a row, over all paths. */
  private badAnswers = 0;
  /** When a path last delivered a byte: how long the download has gone without progress. */
  lastProgressAt = 0;
  private planner: RangePlanner<RangeFetch> | null = null;
  private completion: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  private ticker: NodeJS.Timeout | null = null;
  /** When the ticker last ran: a tick much later than its interval means the loop was frozen. */
  private lastTickAt = 0;
  /** The stall verdict, deferred until the loop has read its sockets (see tick). */
  private verdict: NodeJS.Immediate | null = null;
  private lastCheckpointAt = 0;
  private nextFetchId = 1;
  /** An answer already on its way (the probe's first chunk, a lead) becomes a chunk's fetch. */
  private readonly startOpen: OpenAnswerStart = (lane, start, end, probe, lead) =>
    this.startFetch(lane, this.createFetch(lane, 'chunk', start, end, probe, lead));
  private readonly restart: VersionRestart;
  private readonly served: ServedFile;
  private readonly files: DownloadFiles;
  private readonly lanes: PathLanes;
  private readonly failover: LaneFailover;
  private readonly round: ProbeRound;
  private readonly continuity: ContinuityTracker;
  private readonly limits: PathLimits;
  private readonly pushback: ServerPushback;
  private readonly mirrors: Mirrors;
  private readonly tuning: TransferTuning;
  private readonly mode: TransferMode;
  private readonly host: SchedulerHost;

  constructor(parts: SchedulerParts, tuning: TransferTuning, mode: TransferMode, host: SchedulerHost) {
    this.served = parts.served;
    this.files = parts.files;
    this.lanes = parts.lanes;
    this.failover = parts.failover;
    this.round = parts.round;
    this.continuity = parts.continuity;
    this.limits = parts.limits;
    this.pushback = parts.pushback;
    this.mirrors = parts.mirrors;
    this.tuning = tuning;
    this.mode = mode;
    this.host = host;
    this.stream = new UnrangedStream(parts, this);
    this.restart = new VersionRestart(parts, tuning.maxRestarts, this, () => host.file());
    this.refresh = new LinkRefresh(parts, tuning, this, host);
  }

  /** A new run: nothing streamed yet, no restarts spent, the give-up clock starting at `startedAt`. */
  resetForRun(startedAt: number): void {
    this.stream.complete = false;
    this.restart.reset();
    this.refresh.reset();
    this.mirrors.reset();
    this.badAnswers = 0;
    this.lastProgressAt = startedAt;
  }

  /** Runs the download phase: resolves once every byte is on disk, rejects with why it can't be. */
  begin(): Promise<void> {
    if (this.served.rangeSupport) {
      this.planner = new RangePlanner(
        this.served.size as number,
        (this.files.part as PartFile).done,
        this.tuning.planner,
      );
      this.planner.serverCap = this.served.rangeCap;
      this.files.hasher?.advance((this.files.part as PartFile).done.prefixEnd());
    }
    return new Promise<void>((resolve, reject) => {
      this.completion = {
        resolve: () => {
          this.completion = null;
          resolve();
        },
        reject: (error) => {
          this.completion = null;
          reject(error);
        },
      };
      this.lastTickAt = performance.now();
      this.ticker = setInterval(() => this.tick(), this.tuning.tickMs);
      if (this.served.rangeSupport) {
        // Mirrors are probed, and piece hashes laid over the part file (Mirrors.ts).
        this.mirrors.begin({
          waiting: () => this.waiting(),
          signal: () => this.host.signal(),
          reject: (error) => this.reject(error),
          refetch: (start, end) => this.refetch(start, end),
          pump: () => this.pump(),
          checkComplete: () => this.checkComplete(),
        });
        this.round.adopt(this.planner as RangePlanner<RangeFetch>, this.startOpen);
      }
      this.pump();
      this.checkComplete();
    });
  }

  waiting(): boolean {
    return this.completion !== null;
  }

  reject(error: unknown): void {
    this.completion?.reject(error);
  }

  /** The file changed on the server: start over with its new version (at most a few times). */
  fileChanged(error: PathwiseError): void {
    void this.restart.startOver(error);
  }

  stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    if (this.verdict) clearImmediate(this.verdict);
    this.verdict = null;
  }

  stopFetches(): Promise<unknown> {
    for (const fetch of this.fetches.keys()) fetch.abort(null);
    return Promise.all(this.fetches.values());
  }

  /** The run is ending: the download phase settles no more; resolves once every fetch has stopped. */
  stopAll(): Promise<unknown> {
    this.completion = null;
    return this.stopFetches();
  }

  replan(done: RangeSet): void {
    if (this.served.rangeSupport) {
      this.planner = new RangePlanner(this.served.size as number, done, this.tuning.planner);
      this.planner.serverCap = this.served.rangeCap;
      this.mirrors.restarted();
    }
    this.stream.complete = this.served.size === 0;
  }

  resume(): void {
    this.pump();
    this.checkComplete();
  }

  /** Fills every free connection slot on the paths the policy selects; called on every change. */
  pump(): void {
    if (!this.host.running() || this.restarting || this.refreshing || !this.completion) return;
    const now = performance.now();
    const chosen = this.lanes.select(now);
    // Paths the policy no longer selects hand their unfinished ranges back (handover, switch back).
    for (const lane of this.lanes.values()) {
      if (!chosen.includes(lane.name)) for (const fetch of lane.fetches) fetch.abort(null);
    }
    if (!this.served.rangeSupport) {
      this.stream.pump(chosen, this.fetches.size > 0);
      return;
    }
    const planner = this.planner as RangePlanner<RangeFetch>;
    const slots = this.lanes.connections();
    const origin = (this.served.pinnedUrl as URL).origin;
    // A path a server asked to wait asks it nothing more until then (what runs goes on); with
    // mirrors, until no source is left that it may ask.
    const lanes = chosen
      .map((n) => this.lanes.get(n) as PathLane)
      .filter((l) => this.mirrors.canAsk(l.name, origin, now));
    for (const lane of lanes) {
      const connections = this.pushback.connections(lane.name, origin, slots, now);
      while (lane.fetches.size < connections) {
        const assignment = planner.next(this.asker(lane, now), this.fetches.keys(), now);
        if (!assignment) break;
        this.launch(lane, assignment);
      }
    }
    // Ranges a failed path left behind don't wait for a slot to free up: they get extra
    // connections on the fastest paths (at most twice the usual number per path, and never more
    // than a server that limits connections takes).
    while (planner.hasUrgent) {
      const best = lanes
        .filter((l) => l.fetches.size < (this.pushback.limitOf(l.name, origin) ?? 2 * slots))
        .sort((a, b) => b.meter.rate(now) - a.meter.rate(now))[0];
      const assignment = best ? planner.next(this.asker(best, now), this.fetches.keys(), now) : null;
      if (!best || !assignment) break;
      this.launch(best, assignment);
    }
    this.checkComplete();
  }

  private asker(lane: PathLane, now: number): Asker {
    const measured = lane.meter.age(now) >= 300 ? lane.meter.rate(now) / (lane.fetches.size + 1) : 0;
    const origin = (this.served.pinnedUrl as URL).origin;
    return {
      lane: lane.name,
      // After a push-back the path's meter counts its waits: its ranges are sized from how fast
      // its answers came in (ServerPushback.answerRate).
      rate: Math.max(measured, this.pushback.answerRate(lane.name, origin, now)),
      rttMs: lane.rttMs ?? 100,
      allowance: this.lanes.allowance(lane, now),
      scale: this.pushback.chunkScale(lane.name, origin, now),
    };
  }

  private launch(lane: PathLane, assignment: Assignment<RangeFetch>): void {
    const kind: FetchKind = assignment.kind === 'fresh' ? 'chunk' : assignment.kind;
    const fetch = this.createFetch(lane, kind, assignment.start, assignment.end);
    if (assignment.kind === 'steal') assignment.victim.truncate(assignment.start);
    if (assignment.kind === 'duplicate') {
      assignment.victim.paired = true;
      fetch.paired = true;
    }
    this.startFetch(lane, fetch);
  }

  startStream(lane: PathLane, end: number, probe: ProbeResult | undefined): void {
    const fetch = this.createFetch(lane, 'stream', 0, end, probe);
    this.startFetch(lane, fetch);
  }

  private createFetch(
    lane: PathLane,
    kind: FetchKind,
    start: number,
    end: number,
    probe?: ProbeResult,
    lead?: LeadRequest,
  ): RangeFetch {
    const generation = this.served.generation;
    // The server asked: one of the mirrors (Mirrors.ts), else the pinned link. An answer already
    // on its way, and the stream of a server without ranges, are the pinned link's.
    const opened = probe !== undefined || lead !== undefined || kind === 'stream';
    const source = this.mirrors.pick(lane.name, start, opened, performance.now());
    const fetch = new RangeFetch({
      id: this.nextFetchId++,
      lane: lane.name,
      kind,
      dispatcher: lane.dispatcher(),
      url: source.url,
      start,
      end,
      expect: { size: this.served.size, validator: source.validator, encoding: source.encoding },
      part: this.files.part as PartFile,
      onBytes: (f, bytes, now) => this.onBytes(lane, f, bytes, now),
      onFirstByte: (f) => {
        this.continuity.firstByte(f);
        this.refresh.progressed(f.url);
      },
      onShortAnswer: (f, answered, before) => {
        if (generation === this.served.generation) this.onShortAnswer(lane, f, answered, before);
      },
      ...(lead ? { lead } : {}),
      ...(probe && (probe.wholeBody ?? probe.firstRange)
        ? {
            response: {
              body: (probe.wholeBody ?? probe.firstRange?.body) as ResponseBody,
              abort: probe.abort ?? (() => undefined),
            },
          }
        : {}),
    });
    this.mirrors.track(fetch, source);
    if (Number.isFinite(end)) {
      fetch.reserved = end - start;
      lane.reserved += fetch.reserved;
      this.limits.reserve(lane.name, fetch.reserved);
    }
    return fetch;
  }

  private startFetch(lane: PathLane, fetch: RangeFetch): void {
    const generation = this.served.generation;
    lane.fetches.add(fetch);
    const done = fetch.run().then(
      (result) => this.onFetchEnd(lane, fetch, result, generation),
      (error: unknown) =>
        this.onFetchEnd(
          lane,
          fetch,
          { status: 'failed', error: diskError(error, this.host.file()) },
          generation,
        ),
    );
    this.fetches.set(fetch, done);
    this.host.lanesChanged();
  }

  private onBytes(lane: PathLane, fetch: RangeFetch, bytes: number, now: number): number {
    noteReceived(bytes);
    lane.bytes += bytes;
    lane.meter.add(bytes, now);
    lane.lastByteAt = now;
    this.lastProgressAt = now;
    const used = Math.min(bytes, fetch.reserved);
    fetch.reserved -= used;
    lane.reserved -= used;
    // Held against the shared budget until the ledger has been told (flushBytes).
    lane.unreportedReserved += used;
    return this.limits.throttle(lane.name, bytes, now);
  }

  private onFetchEnd(lane: PathLane, fetch: RangeFetch, result: FetchResult, generation: number): void {
    lane.fetches.delete(fetch);
    this.fetches.delete(fetch);
    if (fetch.reserved > 0) {
      lane.reserved -= fetch.reserved;
      this.limits.release(lane.name, fetch.reserved);
      fetch.reserved = 0;
    }
    const now = performance.now();
    // Its source books its bytes and, for a failure that server is to blame for, the failure.
    const sourceFault = this.mirrors.ended(lane, fetch, result, now);
    if (generation !== this.served.generation || !this.completion) {
      this.host.lanesChanged();
      return;
    }
    if (!this.served.rangeSupport) {
      this.stream.onEnd(lane, fetch, result, now);
      return;
    }
    const planner = this.planner as RangePlanner<RangeFetch>;
    if (result.status === 'complete') {
      lane.failures = 0;
      lane.badAnswers = 0;
      this.badAnswers = 0;
      this.pushback.answered(lane.name, fetch.url.origin, now, fetch.rate(now));
      settleEndgame(fetch, this.fetches.keys());
    } else {
      breakPair(fetch, this.fetches.keys());
      const released = planner.release(fetch, this.fetches.keys(), (this.files.part as PartFile).done);
      if (sourceFault) {
        // The server's trouble, not the path's: the range goes to another source, first in line.
        for (const [start, end] of released) planner.prioritize(start, end);
      } else if (result.status === 'failed' && !this.onFailure(lane, fetch, result.error, released, now)) {
        return;
      }
    }
    this.pump();
    this.host.lanesChanged();
  }

  /**
   * What a failed fetch's range and path come to, by whose trouble the failure was (failureCause);
   * false when the download phase ends with it or starts over.
   */
  private onFailure(
    lane: PathLane,
    fetch: RangeFetch,
    error: PathwiseError,
    released: Array<readonly [number, number]>,
    now: number,
  ): boolean {
    const planner = this.planner as RangePlanner<RangeFetch>;
    const completion = this.completion as NonNullable<typeof this.completion>;
    const cause = failureCause(error, fetch, lane, {
      now,
      stallFloorMs: this.tuning.stallFloorMs,
      redirected: this.served.redirected,
    });
    if (cause !== 'fatal') this.failover.lastError = error;
    switch (cause) {
      case 'fatal':
        if (error.code === TransferErrorCodes.changed) void this.restart.startOver(error);
        else completion.reject(error);
        return false;
      case 'bad-answer':
        return this.badAnswer(lane, error, released, now);
      case 'link-stopped':
        // Its range waits in the plan while the link is renewed from the user's URL.
        this.refresh.stopped(fetch.url, error);
        return true;
      // A refused range was never started: it goes back to the plan as ordinary work (the lowest
      // bytes go first anyway), not first in line as a failed path's ranges, which get extra
      // connections at once: a server that pushes back refuses those too. Whoever takes it next
      // takes the bytes after it too, as long a range as a push-back calls for.
      case 'pushed-back':
        if (isPushBack(error)) this.pushback.pushBack(lane.name, error, now);
        return true;
      case 'turned-away':
        // A server that takes fewer connections from this path: keep to those that work.
        this.pushback.limitHit(
          lane.name,
          fetch.url.origin,
          [...lane.fetches].filter((f) => f.receiving).length,
          now,
        );
        // The whole path waits as asked: a server (nginx's limit_req) may count the refused
        // request against the path's rate too, and the next would be refused again.
        if (isPushBack(error) && error.retryAfterMs !== null) this.pushback.pushBack(lane.name, error, now);
        return true;
      case 'path':
        this.failover.fault(lane, error, now);
        break;
      case 'connection-stall':
        for (const [start, end] of released) planner.prioritize(start, end);
        return true;
      case 'server-cut':
        break;
    }
    if (this.mode === 'aggregate') {
      for (const [start, end] of released) {
        planner.prioritize(start, end);
        this.continuity.awaitFailover(lane.name, fetch.lastProgressAt, start, end, error.message);
      }
    }
    return true;
  }

  /**
   * One range answered wrongly (another range, a length that disagrees): its bytes were never
   * written. It is asked again, over another path first where there is one; a path that answers
   * wrongly three times in a row carries no more of this download (a middlebox that mangles
   * answers), and five wrong answers in a row over all paths end it: the server keeps lying.
   */
  private badAnswer(
    lane: PathLane,
    error: PathwiseError,
    released: Array<readonly [number, number]>,
    now: number,
  ): boolean {
    const planner = this.planner as RangePlanner<RangeFetch>;
    this.badAnswers++;
    lane.badAnswers++;
    if (this.badAnswers >= MAX_BAD_ANSWERS) {
      this.completion?.reject(error);
      return false;
    }
    const elsewhere = [...this.lanes.values()].some((l) => l !== lane && this.lanes.usable(l, now));
    const avoid = elsewhere ? { lane: lane.name, until: now + RETRY_ELSEWHERE_MS } : undefined;
    for (const [start, end] of released) planner.prioritize(start, end, avoid);
    if (elsewhere && lane.badAnswers >= MAX_BAD_ANSWERS_PER_PATH) this.failover.bench(lane, error, now);
    return true;
  }

  /**
   * The server answered `fetch` with less than asked (it caps range sizes): [answered, before)
   * goes back to the plan at once, later chunks are planned no larger, and what was reserved
   * against the path's cap for those bytes is let go.
   */
  private onShortAnswer(lane: PathLane, fetch: RangeFetch, answered: number, before: number): void {
    const planner = this.planner;
    if (!planner || !this.completion) return;
    this.served.noteRangeCap(answered - fetch.start);
    planner.serverCap = this.served.rangeCap;
    planner.giveBack(answered, before, this.fetches.keys(), (this.files.part as PartFile).done);
    const unreserved = Math.min(fetch.reserved, before - answered);
    if (unreserved > 0) {
      fetch.reserved -= unreserved;
      lane.reserved -= unreserved;
      this.limits.release(lane.name, unreserved);
    }
    // Not from inside the fetch's own check: the other connections get the rest on the next turn.
    queueMicrotask(() => this.pump());
  }

  /** [start, end) must be fetched again (a piece that failed its hash): back in the plan, first in line. */
  private refetch(start: number, end: number): void {
    const planner = this.planner;
    if (!planner || !this.completion) return;
    const done = (this.files.part as PartFile).done;
    for (const [s, e] of planner.giveBack(start, end, this.fetches.keys(), done)) planner.prioritize(s, e);
    this.pump();
  }

  private tick(): void {
    const now = performance.now();
    this.failover.loopRanLate(this.lastTickAt + this.tuning.tickMs, now);
    this.lastTickAt = now;
    if (!this.host.running() || !this.completion) return;
    this.judgeStalls(now);
    this.failover.recover(now);
    this.mirrors.tick(now);
    this.lanes.flushBytes(now, false);
    if (now - this.lastCheckpointAt >= this.tuning.checkpointMs) {
      this.lastCheckpointAt = now;
      void this.files.checkpoint(false).catch((error: unknown) => this.completion?.reject(error));
    }
    this.failover.notifyCaps(now);
    this.pump();
    this.checkGiveUp(now);
    this.host.lanesChanged();
  }

  /**
   * The stall watchdog's verdict. A timer runs at the start of the loop's turn, before the
   * sockets are read: after a freeze (a GC pause, a busy laptop, a suspend) every connection
   * would look silent for the whole freeze although its bytes wait unread. So the verdict waits
   * for this turn's reads (setImmediate runs after them) and does not count frozen time.
   */
  private judgeStalls(tickAt: number): void {
    this.verdict ??= setImmediate(() => {
      this.verdict = null;
      if (!this.host.running() || !this.completion) return;
      const now = performance.now();
      this.failover.loopRanLate(tickAt, now);
      this.failover.abortStalled(this.fetches.keys(), now);
    });
  }

  /** With nothing running and no usable path, the download waits a while, then fails naming the cause. */
  private checkGiveUp(now: number): void {
    if (this.fetches.size > 0 || !this.completion || this.restarting || this.refreshing) return;
    // A server that only ever asks to wait is waited for, up to the download's patience.
    if (this.pushback.patienceSpent(now)) {
      this.completion.reject(this.pushback.giveUpError());
      return;
    }
    const error = this.failover.giveUp(now, this.lastProgressAt);
    if (error) this.completion.reject(error);
  }

  checkComplete(): void {
    // Pieces still being checked against the Metalink's hashes may yet go back to be fetched.
    if (!this.completion || this.restarting || this.mirrors.checking) return;
    if (!this.served.rangeSupport) {
      if (this.stream.complete) this.completion.resolve();
      return;
    }
    const planner = this.planner as RangePlanner<RangeFetch>;
    if (!planner.unassigned.isEmpty || this.fetches.size > 0) return;
    const part = this.files.part as PartFile;
    const gaps = part.done.gapsIn(0, this.served.size as number);
    if (gaps.length === 0) {
      this.completion.resolve();
      return;
    }
    for (const [s, e] of gaps) planner.unassigned.add(s, e);
    this.pump();
  }
}
