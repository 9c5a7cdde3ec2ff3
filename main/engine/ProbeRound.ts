import { existsSync } from 'node:fs';
import type { TransferMode } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import type { LaneFailover } from './LaneFailover.ts';
import type { PathLane } from './PathLane.ts';
import type { PathLanes } from './PathLanes.ts';
import { DEFAULT_PLANNER, type RangePlanner } from './RangePlanner.ts';
import type { RangeFetch } from './RangeFetch.ts';
import { leadRange, probeRange, type LeadRequest, type ProbeResult } from './RangeProbe.ts';
import type { ServedFile } from './ServedFile.ts';
import { TransferJournal } from './TransferJournal.ts';
import { originOf, type ServerPushback } from './ServerPushback.ts';
import { isFatal, isPushBack, TransferErrorCodes, type HttpStatusError } from './transferErrors.ts';
import type { TransferTuning } from './TransferOptions.ts';

/** What the probe round needs of the run it opens. */
export interface ProbeRoundHost {
  /** The run's abort signal: the probe and the leads end with the run. */
  signal(): AbortSignal;
  /** Throws when the user paused or cancelled the run. */
  throwIfStopped(): void;
  /** The probe started or stopped waiting for servers that pushed back (the transfer says so). */
  waitingChanged(): void;
}

/** A connection turned away before any answer: refused, or reset/closed as it opened. */
const TURNED_AWAY = new Set<string>([TransferErrorCodes.refused, TransferErrorCodes.connectionLost]);

/** Resolves after `ms`, or as soon as `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Starts a fetch for [start, end) on `lane` over an answer already on its way (the probe's or a lead's). */
export type OpenAnswerStart = (
  lane: PathLane,
  start: number,
  end: number,
  probe?: ProbeResult,
  lead?: LeadRequest,
) => void;

/**
 * A download's first round trip (ARCHITECTURE "One download"): the probe over the best path that
 * answers, the connections the first ranges will use opened while it is on its way, and in a fresh
 * aggregate download a lead on each other selected path. Payload starts with them, before the
 * file is prepared; once the plan exists, the answers it can use become the first fetches and
 * the rest are closed.
 */
export class ProbeRound {
  /** The probe's answer kept with its body unread (a first chunk, or a whole file) and its path. */
  private kept: { result: ProbeResult; lane: string } | null = null;
  private probeLane: string | null = null;
  /** Ranges asked for on the other paths alongside the probe (see sendLeads). */
  private leads: LeadRequest[] = [];
  private readonly lanes: PathLanes;
  private readonly failover: LaneFailover;
  private readonly served: ServedFile;
  private readonly pushback: ServerPushback;
  private readonly tuning: TransferTuning;
  private readonly mode: TransferMode;
  private readonly host: ProbeRoundHost;

  constructor(
    parts: { lanes: PathLanes; failover: LaneFailover; served: ServedFile; pushback: ServerPushback },
    tuning: TransferTuning,
    mode: TransferMode,
    host: ProbeRoundHost,
  ) {
    this.lanes = parts.lanes;
    this.failover = parts.failover;
    this.served = parts.served;
    this.pushback = parts.pushback;
    this.tuning = tuning;
    this.mode = mode;
    this.host = host;
  }

  /**
   * Probes `url` (the pinned link, else the user's) over the paths in the policy's order until one
   * answers. Network errors try the next path; what the server itself says (404, a broken answer)
   * ends the transfer at once; a server that pushes back (429, 503) is waited for, as long as it
   * asks, and asked again (ServerPushback), until the download's patience runs out.
   */
  async probeAnyLane(keepBody: boolean, file: string, url: string = this.served.href): Promise<ProbeResult> {
    for (;;) {
      const round = await this.probeRound(keepBody, file, url);
      if ('result' in round) return round.result;
      await this.waitOut(round.pushed);
    }
  }

  /** One try over every path that may probe: the first answer, or the push-back every path met. */
  private async probeRound(
    keepBody: boolean,
    file: string,
    url: string,
  ): Promise<{ result: ProbeResult } | { pushed: HttpStatusError }> {
    // Payload in the probe is for a fresh download only: a resumed one may have these bytes.
    // (Two stat calls of a few microseconds, made at once: asked of the thread pool they would
    // hold the probe back by a round trip through the event loop, 0.5–3 ms while it is busy.)
    const partPath = `${file}.part`;
    const fresh = !existsSync(partPath) && !existsSync(TransferJournal.fileFor(partPath));
    const now = performance.now();
    const candidates = this.lanes.select(now, true);
    const others = [...this.lanes.values()]
      .filter((l) => this.lanes.usable(l, now) && !candidates.includes(l.name))
      .sort((a, b) => a.path.rank - b.path.rank)
      .map((l) => l.name);
    const order = [...candidates, ...(this.mode === 'aggregate' ? others : [])];
    if (order.length === 0) throw this.lanes.noPathError();
    let first: PathwiseError | null = null;
    let pushed: HttpStatusError | null = null;
    const retried = new Set<string>();
    for (let i = 0; i < order.length; i++) {
      const lane = this.lanes.get(order[i] as string) as PathLane;
      // A path a server asked to wait sends nothing to it until the wait is over.
      if (this.pushback.waitAny(lane.name, now) > 0) {
        pushed ??= this.pushback.last;
        continue;
      }
      try {
        const firstBytes = fresh && candidates.includes(lane.name) ? this.probeChunk(lane) : 1;
        const companions = candidates.filter(
          (other) => other !== lane.name && this.lanes.usable(this.lanes.get(other) as PathLane, now),
        );
        const leads = keepBody && fresh && first === null && pushed === null && this.mode === 'aggregate';
        return {
          result: await this.probeOn(lane, url, keepBody, firstBytes, companions, leads ? now : null),
        };
      } catch (error) {
        this.dropLeads();
        this.host.throwIfStopped();
        const coded =
          error instanceof PathwiseError
            ? error
            : new PathwiseError('E_NETWORK', String(error), { cause: error });
        if (isPushBack(coded)) {
          // The server is there and asks for patience: the path is fine, it only waits.
          this.pushback.pushBack(lane.name, coded, performance.now());
          pushed = coded;
          continue;
        }
        if (isFatal(coded)) throw coded;
        if (TURNED_AWAY.has(coded.code) && !retried.has(lane.name)) {
          // One connection turned away (a server that limits each client's connections may take
          // the next one): the same path tries once more before it counts as failed.
          retried.add(lane.name);
          i--;
          continue;
        }
        first ??= coded;
        this.failover.fault(lane, coded, performance.now());
      }
    }
    if (pushed) return { pushed };
    throw first ?? this.lanes.noPathError();
  }

  /**
   * The probe over `lane`; its companions' connections open meanwhile, and with `leadsAt` (a fresh
   * aggregate download) they send leads too. Learns a server's range cap from a short first answer.
   */
  private async probeOn(
    lane: PathLane,
    url: string,
    keepBody: boolean,
    firstBytes: number,
    companions: string[],
    leadsAt: number | null,
  ): Promise<ProbeResult> {
    const asked = probeRange(url, {
      dispatcher: lane.dispatcher(),
      pathName: lane.name,
      timeoutMs: this.tuning.probeTimeoutMs,
      keepBody,
      firstBytes,
      signal: this.host.signal(),
      guard: this.served.redirects,
    });
    this.preconnect(companions);
    if (leadsAt !== null) this.sendLeads(url, companions, firstBytes, leadsAt);
    const result = await asked;
    lane.rttMs = result.rttMs;
    this.probeLane = lane.name;
    this.lanes.primary ??= this.mode === 'aggregate' ? null : lane.name;
    this.pushback.answered(lane.name, originOf(result.url), performance.now());
    const end = result.firstRange?.end;
    if (end !== undefined && result.size !== null && end < Math.min(firstBytes, result.size)) {
      // Less than asked of a file that has more: the server caps range sizes.
      this.served.noteRangeCap(end);
    }
    return result;
  }

  /** Every path that may probe was pushed back: waits until the first may ask again, or gives up. */
  private async waitOut(pushed: HttpStatusError): Promise<void> {
    const now = performance.now();
    if (this.pushback.patienceSpent(now)) throw this.pushback.giveUpError(pushed);
    const waits = [...this.lanes.values()]
      .filter((l) => this.lanes.usable(l, now))
      .map((l) => this.pushback.waitAny(l.name, now));
    const wait = waits.length > 0 ? Math.min(...waits) : this.tuning.backoffBaseMs;
    this.host.waitingChanged();
    await pause(Math.max(10, wait), this.host.signal());
    this.host.waitingChanged();
    this.host.throwIfStopped();
  }

  /**
   * Opens the connections the first ranges will use on the given paths (those the policy selects),
   * while the probe and the file's preparation run: when the first chunks are planned, their
   * handshakes are done. Paths that may not carry payload are never named here.
   */
  preconnect(names: string[]): void {
    let origin: URL;
    try {
      origin = new URL(this.served.href);
    } catch {
      return; // the probe reports a bad URL
    }
    const slots = this.lanes.connections();
    // A pool opens only what is missing next to the connections still waiting in it.
    for (const name of names) this.lanes.get(name)?.preconnect(origin, slots);
  }

  /**
   * Asks for the next chunks on the other paths the policy selects while the probe is on its way,
   * one each (an aggregate download starting fresh): without them a path's first range leaves
   * only after the probe's answer and the file's preparation, 10–60 ms later. They carry no
   * validator, as the probe does not: an answer is used only if it names the version the probe
   * pinned (`RangeFetch` asks again with the validator otherwise), and one the download cannot
   * use (a smaller file, a redirect, a resume) is closed at once.
   */
  private sendLeads(url: string, names: string[], from: number, now: number): void {
    const { initialChunk } = { ...DEFAULT_PLANNER, ...this.tuning.planner };
    // A probe capped below a chunk: its path's budget is tight, leave the plan to the planner.
    if (from < initialChunk) return;
    let start = from;
    for (const name of names) {
      const lane = this.lanes.get(name) as PathLane;
      const allowance = this.lanes.allowance(lane, now);
      if (allowance !== null && allowance < initialChunk) continue;
      this.leads.push(
        leadRange(url, {
          dispatcher: lane.dispatcher(),
          lane: name,
          start,
          end: start + initialChunk,
          signal: this.host.signal(),
        }),
      );
      start += initialChunk;
    }
  }

  dropLeads(): void {
    for (const lead of this.leads) lead.abort();
    this.leads = [];
  }

  /**
   * How much the probe over `lane` asks for: the planner's first chunk when the path may carry it
   * (the policy selects it and its caps allow a chunk), else just the first byte.
   */
  private probeChunk(lane: PathLane): number {
    const { initialChunk, minChunk } = { ...DEFAULT_PLANNER, ...this.tuning.planner };
    const allowance = this.lanes.allowance(lane, performance.now());
    if (allowance !== null && allowance < minChunk) return 1;
    return Math.max(1, Math.min(initialChunk, allowance ?? initialChunk));
  }

  /**
   * The file is prepared: the probe's open answer is kept for the download if it carries payload
   * the download will ask for (a first chunk from a server with ranges, the whole file from one
   * without); otherwise it is closed.
   */
  keep(probe: ProbeResult): void {
    const rangeSupport = this.served.rangeSupport;
    if (
      this.probeLane &&
      ((probe.wholeBody && rangeSupport === false) || (probe.firstRange && rangeSupport))
    ) {
      this.kept = { result: probe, lane: this.probeLane };
    } else {
      probe.abort?.();
    }
  }

  /** The kept answer for the one stream of a server without ranges, if it came over `lane`; else it is closed. */
  takeWholeBody(lane: string): ProbeResult | undefined {
    // The probe's answer already carries the whole file: use it if it came over this path.
    const probe = this.kept?.lane === lane ? this.kept.result : undefined;
    if (!probe) this.kept?.result.abort?.();
    this.kept = null;
    return probe;
  }

  /** The run is over: a kept answer nobody read is closed. */
  dropKept(): void {
    this.kept?.result.abort?.();
    this.kept = null;
  }

  /**
   * The plan exists: the probe's first chunk and the leads whose ranges are still the download's
   * to fetch become their paths' first fetches (through `start`); the others are closed.
   */
  adopt(planner: RangePlanner<RangeFetch>, start: OpenAnswerStart): void {
    this.adoptFirstRange(planner, start);
    this.adoptLeads(planner, start);
  }

  /**
   * The probe's answer carries the first chunk: it becomes that chunk's fetch, if its path may
   * still carry payload and nothing else has those bytes; otherwise the answer is closed.
   */
  private adoptFirstRange(planner: RangePlanner<RangeFetch>, start: OpenAnswerStart): void {
    const kept = this.kept;
    this.kept = null;
    const first = kept?.result.firstRange;
    if (!kept || !first) return;
    const lane = this.claim(planner, kept.lane, 0, first.end);
    if (lane) start(lane, 0, first.end, kept.result);
    else kept.result.abort?.();
  }

  /** The leads whose ranges are still this download's to fetch become their paths' first fetches. */
  private adoptLeads(planner: RangePlanner<RangeFetch>, start: OpenAnswerStart): void {
    const leads = this.leads;
    this.leads = [];
    for (const lead of leads) {
      // An answer from before a redirect is of no use.
      const lane =
        lead.url === this.served.pinnedUrl?.href
          ? this.claim(planner, lead.lane, lead.start, lead.end)
          : null;
      if (lane) start(lane, lead.start, lead.end, undefined, lead);
      else lead.abort();
    }
  }

  /**
   * Takes [start, end) off the plan for an answer already on its way over path `name` (the
   * probe's first chunk, a lead), if that path may still carry it and nothing else has those
   * bytes; null otherwise.
   */
  private claim(
    planner: RangePlanner<RangeFetch>,
    name: string,
    start: number,
    end: number,
  ): PathLane | null {
    const lane = this.lanes.get(name);
    const now = performance.now();
    if (!lane || !this.lanes.usable(lane, now) || !this.lanes.select(now).includes(name)) return null;
    const allowance = this.lanes.allowance(lane, now);
    if (allowance !== null && allowance < end - start) return null;
    // (Bytes past the end of the file are never unassigned: a lead beyond it is refused here.)
    if (planner.unassigned.overlap(start, end) !== end - start) return null;
    planner.unassigned.remove(start, end);
    return lane;
  }
}
