import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { link, open, rename, stat, statfs, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ContinuityEvent, TransferInfo, TransferMode, TransferState } from '../../common/contract.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import { PathwiseError } from '../../common/errors.ts';
import { lockDownload } from './downloadLock.ts';
import type { EnginePath } from './EnginePath.ts';
import { describeValidator, sameValidator, type Validator } from './httpHeaders.ts';
import { createPathAgent, type PathAgentFactory } from './pathAgent.ts';
import { PartFile } from './PartFile.ts';
import { PathLane } from './PathLane.ts';
import type { SharedPathPools } from './pathPools.ts';
import { PathLimits } from './PathLimits.ts';
import { selectPaths, type PolicyPath } from './PathPolicy.ts';
import { PrefixHasher } from './PrefixHasher.ts';
import { RangeFetch, type FetchKind, type FetchResult } from './RangeFetch.ts';
import {
  DEFAULT_PLANNER,
  RangePlanner,
  type Asker,
  type Assignment,
  type PlannerOptions,
} from './RangePlanner.ts';
import {
  leadRange,
  probeRange,
  type LeadRequest,
  type ProbeResult,
  type ResponseBody,
} from './RangeProbe.ts';
import { RangeSet } from './RangeSet.ts';
import { noteReceived } from './receiveMemory.ts';
import { nameFromUrl, safeFileName, uniqueFileName } from './SafeFileName.ts';
import { TransferJournal, type JournalState } from './TransferJournal.ts';
import { diskError, isFatal, TransferErrorCodes } from './transferErrors.ts';

export interface TransferTuning {
  /** Parallel connections per path in aggregate and handover mode (interactive uses one). */
  connectionsPerPath: number;
  /** A receiving connection is stalled after this long without bytes, at least (adaptive above it). */
  stallFloorMs: number;
  /** How long to wait for response headers before calling a connection stalled. */
  headerTimeoutMs: number;
  probeTimeoutMs: number;
  /** How often written data is synced and the journal updated. */
  checkpointMs: number;
  tickMs: number;
  /** Fail when no path has delivered a byte for this long and none is usable. */
  giveUpMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often a file that changes on the server is started over before giving up. */
  maxRestarts: number;
  planner: Partial<PlannerOptions>;
}

export const DEFAULT_TUNING: TransferTuning = {
  connectionsPerPath: 2,
  stallFloorMs: 1000,
  headerTimeoutMs: 2500,
  probeTimeoutMs: 10_000,
  checkpointMs: 1000,
  tickMs: 100,
  giveUpMs: 30_000,
  retryBaseMs: 500,
  retryMaxMs: 8000,
  maxRestarts: 2,
  planner: {},
};

export interface TransferOptions {
  id?: string;
  url: string;
  /** The final file's full path (the CLI's -o)… */
  file?: string;
  /** …or a folder, the name then coming from `fileName`, Content-Disposition or the URL. */
  directory?: string;
  fileName?: string;
  mode?: TransferMode;
  paths: EnginePath[];
  /** The paths the user named (--paths), shown in TransferInfo; null for the policy's paths. */
  allowedPaths?: string[] | null;
  /** Per-transfer byte caps, path name → bytes. */
  caps?: Record<string, number>;
  sha256?: string;
  limits?: PathLimits;
  agentFactory?: PathAgentFactory;
  /** The app's pools, shared by its downloads (kept-alive connections); else each run owns its own. */
  pools?: SharedPathPools;
  /** When every usable path is at its cap: fail (the CLI) or wait for more budget (the app). */
  whenCapped?: 'fail' | 'wait';
  tuning?: Partial<TransferTuning>;
}

export interface TransferDone {
  status: 'done';
  file: string;
  bytes: number;
  sha256: string;
  durationMs: number;
  /** Bytes already on disk from an earlier run. */
  resumedBytes: number;
  paths: Record<string, { bytes: number }>;
}

export type TransferOutcome =
  TransferDone | { status: 'failed'; error: PathwiseError } | { status: 'paused' } | { status: 'cancelled' };

interface TransferEvents {
  /** State, path states or the file name changed (progress is read with info()). */
  change: [];
  bytes: [PathBytesEvent];
  continuity: [ContinuityEvent];
}

/** Thrown inside a run when the user paused or cancelled it. */
class StopSignal extends Error {}

interface PendingContinuity {
  kind: 'failover' | 'handover';
  from: string;
  /** When the path last delivered a byte (performance.now()). */
  since: number;
  /** Resolved by the first byte of a fetch starting in [start, end) (a failover)… */
  start?: number;
  end?: number;
  /** …or by the first byte on this path (a handover). */
  to?: string;
  detail?: string;
}

/**
 * One download, URL → file, over the paths the policy allows (PRODUCT.md §2). Probes the server
 * once, plans byte ranges over per-path connection pools, moves the unfinished ranges of a path
 * that goes down, errors or stalls to the others at once, honours caps and rate limits, keeps a
 * crash-safe part file and journal, and publishes the file under its final name only when it is
 * complete and its SHA-256 is known (and matches, when one was given).
 */
export class Transfer extends EventEmitter<TransferEvents> {
  readonly id: string;
  readonly url: string;
  readonly mode: TransferMode;
  readonly createdAt = Date.now();
  private readonly options: TransferOptions;
  private readonly tuning: TransferTuning;
  private readonly limits: PathLimits;
  private readonly lanes = new Map<string, PathLane>();
  private readonly fetches = new Map<RangeFetch, Promise<void>>();

  private file: string;
  private fileResolved: boolean;
  private state: TransferState = 'queued';
  private error: PathwiseError | null = null;
  private finishedAt: number | null = null;
  private sha256: string | null = null;

  /** A server without ranges: the probe's open 200 answer and the path it came over. */
  private probe: { result: ProbeResult; lane: string } | null = null;
  private probeLane: string | null = null;
  /** Ranges asked for on the other paths alongside the probe (see sendLeads). */
  private leads: LeadRequest[] = [];
  private published = false;
  private size: number | null = null;
  private rangeSupport: boolean | null = null;
  private validator: Validator = { etag: null, lastModified: null };
  private encoding: string | null = null;
  private pinnedUrl: URL | null = null;

  private part: PartFile | null = null;
  private journal: TransferJournal | null = null;
  private unlock: (() => Promise<void>) | null = null;
  private hasher: PrefixHasher | null = null;
  private planner: RangePlanner<RangeFetch> | null = null;
  private resumedBytes = 0;
  /** Bytes on disk when the part file was last closed (shown while paused or failed). */
  private keptBytes = 0;

  private running: Promise<TransferOutcome> | null = null;
  private stopRequest: 'pause' | 'cancel' | null = null;
  private phase = new AbortController();
  private completion: { resolve: () => void; reject: (error: unknown) => void } | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private lastProgressAt = 0;
  private lastCheckpointAt = 0;
  private lastReportAt = 0;
  private checkpointed = -1;
  private checkpointing: Promise<void> | null = null;
  private generation = 0;
  private restarting = false;
  private restarts = 0;
  private nextFetchId = 1;
  private primary: string | null = null;
  private pending: PendingContinuity[] = [];
  private laneStateKey = '';
  private streamComplete = false;
  private lastError: PathwiseError | null = null;

  constructor(options: TransferOptions) {
    super();
    this.options = options;
    this.id = options.id ?? randomUUID();
    this.url = options.url;
    this.mode = options.mode ?? 'aggregate';
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.limits = options.limits ?? new PathLimits();
    if (options.file) {
      this.file = options.file;
      this.fileResolved = true;
    } else {
      const directory = options.directory ?? '.';
      this.file = join(directory, safeFileName(options.fileName ?? nameFromUrl(options.url)));
      this.fileResolved = false;
    }
    const factory = options.agentFactory ?? createPathAgent;
    for (const path of options.paths) {
      this.lanes.set(
        path.name,
        new PathLane(path, factory, options.caps?.[path.name] ?? null, options.pools ?? null),
      );
    }
  }

  // ─── Public API ────────────────────────────────────────────────────────────────────────────

  /** Runs (or resumes) the download; resolves with how it ended. Calling it while running joins the run. */
  run(): Promise<TransferOutcome> {
    this.running ??= this.execute().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Stops the download keeping everything on disk; run() resumes it. */
  async pause(): Promise<void> {
    if (!this.running) {
      if (this.state === 'queued') this.setState('paused');
      return;
    }
    this.stop('pause');
    await this.running;
  }

  /** Stops the download and deletes its part file and journal. */
  async cancel(): Promise<void> {
    if (!this.running) {
      if (this.state === 'done' || this.state === 'cancelled') return;
      await this.discardPartial();
      this.setState('cancelled');
      return;
    }
    this.stop('cancel');
    await this.running;
  }

  /** The monitor's latest view of the paths: a path that goes down drops out at once. */
  updatePaths(paths: readonly EnginePath[]): void {
    const now = performance.now();
    for (const path of paths) {
      const lane = this.lanes.get(path.name);
      if (!lane) continue;
      const wasPresent = lane.present;
      const wasVerified = lane.path.verified !== false;
      const addressChanged = lane.path.address !== path.address;
      lane.path = { ...path, rank: lane.path.rank, preference: lane.path.preference };
      if (this.options.allowedPaths == null) lane.path.preference = path.preference;
      if (wasVerified && lane.path.verified === false) {
        this.dropLane(lane, now, `${lane.name} is unverified: its bytes left through another interface`);
      } else if (wasPresent && (!lane.present || addressChanged)) {
        this.dropLane(
          lane,
          now,
          lane.present ? `${lane.name} changed its address` : `${lane.name} went down`,
        );
      } else if (!wasPresent && lane.present && this.state === 'running') {
        // Back up: check it with a probe before it carries payload again.
        lane.fault ??= {
          kind: 'error',
          error: new PathwiseError(TransferErrorCodes.unreachable, `${lane.name} was down.`),
          since: now,
        };
        lane.retryAt = now;
        lane.failures = 0;
      }
    }
    this.pump();
    this.emitChangeIfLanesChanged();
  }

  /**
   * Resolves once the requests sent so far are on the wire or failed: every path's pool has a
   * connection for them, or gave up on one; or once `signal` aborts (the waiting stops).
   */
  async requestsSent(signal?: AbortSignal): Promise<void> {
    const origins = new Set<string>();
    for (const href of [this.url, this.pinnedUrl?.href]) {
      if (href && URL.canParse(href)) origins.add(new URL(href).origin);
    }
    const waits: Promise<void>[] = [];
    for (const lane of this.lanes.values())
      for (const origin of origins) waits.push(lane.whenSent(origin, signal));
    await Promise.all(waits);
  }

  info(): TransferInfo {
    const now = performance.now();
    const running = this.state === 'running';
    const paths: TransferInfo['paths'] = {};
    let rate = 0;
    for (const lane of this.lanes.values()) {
      const laneRate = running ? lane.meter.rate(now) : 0;
      rate += laneRate;
      paths[lane.name] = { bytes: lane.bytes, rate: laneRate, state: this.laneState(lane, now) };
    }
    return {
      id: this.id,
      url: this.url,
      file: this.file,
      mode: this.mode,
      state: this.state,
      size: this.size,
      received: this.part?.done.size ?? (this.state === 'done' ? (this.size ?? 0) : this.keptBytes),
      rate,
      paths,
      allowedPaths: this.options.allowedPaths ?? null,
      rangeSupport: this.rangeSupport,
      sha256: this.sha256,
      error: this.error ? { code: this.error.code, message: this.error.message } : null,
      createdAt: this.createdAt,
      finishedAt: this.finishedAt,
    };
  }

  get currentState(): TransferState {
    return this.state;
  }

  // ─── The run ───────────────────────────────────────────────────────────────────────────────

  private async execute(): Promise<TransferOutcome> {
    this.stopRequest = null;
    this.error = null;
    this.phase = new AbortController();
    this.pinnedUrl = null;
    this.published = false;
    this.streamComplete = false;
    this.restarts = 0;
    this.startedAt = performance.now();
    this.lastProgressAt = this.startedAt;
    for (const lane of this.lanes.values()) {
      lane.bytes = 0;
      lane.reported = 0;
      lane.fault = null;
      lane.failures = 0;
      lane.lost = false;
      lane.capNotified = false;
      lane.meter.reset();
    }
    this.setState('probing');
    try {
      // The probe's path first: the probe is what everything waits for. The others open while
      // its question is on the way (probeAnyLane).
      this.preconnect(this.selection(performance.now(), true).slice(0, 1));
      await this.prepare();
      this.throwIfStopped();
      this.setState('running');
      if (this.published || this.size === 0) {
        this.streamComplete = true;
      } else {
        await this.download();
      }
      const result = await this.finish();
      this.finishedAt = Date.now();
      this.setState('done');
      return result;
    } catch (caught) {
      const error =
        caught instanceof StopSignal
          ? null
          : caught instanceof PathwiseError
            ? caught
            : new PathwiseError('E_INTERNAL', caught instanceof Error ? caught.message : String(caught), {
                cause: caught,
              });
      await this.teardown(this.stopRequest !== 'cancel' && error?.code !== TransferErrorCodes.sha256);
      if (this.stopRequest === 'cancel') {
        await this.discardPartial();
        this.finishedAt = Date.now();
        this.setState('cancelled');
        return { status: 'cancelled' };
      }
      if (this.stopRequest === 'pause' || !error) {
        this.setState('paused');
        return { status: 'paused' };
      }
      this.error = error;
      this.finishedAt = Date.now();
      this.setState('failed');
      return { status: 'failed', error };
    } finally {
      this.stopTicker();
      this.dropLeads();
      // Recovery probes still waiting on a dead path must not outlive the run.
      this.phase.abort();
      await Promise.all([...this.lanes.values()].map((l) => l.close()));
      await this.unlock?.();
      this.unlock = null;
    }
  }

  private stop(kind: 'pause' | 'cancel'): void {
    this.stopRequest ??= kind;
    this.phase.abort();
    this.completion?.reject(new StopSignal());
  }

  private throwIfStopped(): void {
    if (this.stopRequest) throw new StopSignal();
  }

  /** Probe, pick the file name, take the lock, and resume from the journal or start fresh. */
  private async prepare(): Promise<void> {
    const probe = await this.probeAnyLane(true);
    if (!probe.rangeSupport) this.dropLeads();
    try {
      this.throwIfStopped();
      await this.resolveFile(probe);
      const partPath = `${this.file}.part`;
      this.unlock = await lockDownload(partPath, this.file).catch((error: unknown) => {
        throw diskError(error, partPath);
      });
      this.journal = new TransferJournal(partPath);
      const saved = await this.journal.load();
      if (await this.alreadyPublished(saved)) {
        probe.abort?.();
        return;
      }
      if (await exists(this.file)) {
        throw new PathwiseError(
          TransferErrorCodes.exists,
          `${this.file} already exists; Pathwise never overwrites a file. Delete it or choose another name.`,
        );
      }
      if (saved && saved.url !== this.url) {
        throw new PathwiseError(
          TransferErrorCodes.exists,
          `${partPath} belongs to a download of another URL (${saved.url}). Delete it or choose another name.`,
        );
      }
      this.applyProbe(probe);
      let done: RangeSet | undefined;
      if (saved) {
        const savedValidator = { etag: saved.etag, lastModified: saved.lastModified };
        const same =
          saved.rangeSupport &&
          probe.rangeSupport &&
          saved.size === probe.size &&
          saved.encoding === probe.encoding &&
          sameValidator(savedValidator, probe.validator) &&
          (savedValidator.etag !== null || savedValidator.lastModified !== null);
        if (same && (await exists(partPath))) {
          done = new RangeSet(saved.done);
          this.resumedBytes = done.size;
        } else if (saved.done.length > 0) {
          const lost = new RangeSet(saved.done).size;
          const why = !probe.rangeSupport
            ? 'the server does not serve byte ranges, so a download cannot be resumed'
            : !same
              ? `the file changed on the server (${describeValidator(savedValidator)} → ${describeValidator(probe.validator)})`
              : 'the part file is missing';
          this.continuity({
            kind: 'restart',
            from: null,
            to: null,
            bytesLost: lost,
            stallMs: 0,
            detail: `Started over: ${why}.`,
          });
        }
      }
      if (probe.firstRange && done && done.overlap(0, probe.firstRange.end) > 0) {
        // Resuming over the probe's bytes: don't fetch them twice.
        probe.abort?.();
        delete probe.firstRange;
      }
      if (this.size !== null) await this.checkFreeSpace(this.size - (done?.size ?? 0));
      this.part = await PartFile.open(partPath, this.size, done);
      this.hasher = new PrefixHasher(this.part);
      if (!done) await this.journal.remove();
      await this.saveJournal(null);
      this.checkpointed = this.part.done.size;
    } catch (error) {
      probe.abort?.();
      this.dropLeads();
      throw error;
    }
    if (
      this.probeLane &&
      ((probe.wholeBody && this.rangeSupport === false) || (probe.firstRange && this.rangeSupport))
    ) {
      this.probe = { result: probe, lane: this.probeLane };
    } else {
      probe.abort?.();
    }
  }

  /** A previous run finished but was killed between naming the file and cleaning up. */
  private async alreadyPublished(saved: JournalState | null): Promise<boolean> {
    if (!saved?.sha256 || saved.url !== this.url || !(await exists(this.file))) return false;
    const info = await stat(this.file);
    if (saved.size !== null && info.size !== saved.size) return false;
    this.size = info.size;
    this.sha256 = saved.sha256;
    this.resumedBytes = info.size;
    await unlink(`${this.file}.part`).catch(() => undefined);
    await this.journal?.remove();
    this.published = true;
    return true;
  }

  private async resolveFile(probe: ProbeResult): Promise<void> {
    if (this.fileResolved) return;
    const directory = this.options.directory ?? '.';
    const suggested =
      this.options.fileName ?? probe.fileName ?? nameFromUrl(probe.url) ?? nameFromUrl(this.url);
    const name = safeFileName(suggested);
    this.file = await uniqueFileName(directory, name, async (candidate) => {
      // A partial download of the same URL under this name is ours to resume.
      const saved = await new TransferJournal(`${candidate}.part`).load().catch(() => null);
      return saved?.url === this.url && !(await exists(candidate));
    });
    this.fileResolved = true;
    this.emit('change');
  }

  private applyProbe(probe: ProbeResult): void {
    this.size = probe.size;
    this.rangeSupport = probe.rangeSupport;
    this.validator = probe.validator;
    this.encoding = probe.encoding;
    this.pinnedUrl = new URL(probe.url);
  }

  private async checkFreeSpace(needed: number): Promise<void> {
    try {
      const fs = await statfs(dirname(this.file));
      const free = fs.bavail * fs.bsize;
      if (free < needed) {
        throw new PathwiseError(
          TransferErrorCodes.diskFull,
          `Not enough disk space for ${this.file}: ${needed} bytes are needed and ${free} are free. Free some space and run the download again.`,
        );
      }
    } catch (error) {
      if (error instanceof PathwiseError) throw error;
      // statfs is not available everywhere; writes still report a full disk.
    }
  }

  /**
   * Probes over the paths in the policy's order until one answers. Network errors try the next
   * path; what the server itself says (404, a broken answer) ends the transfer at once.
   */
  private async probeAnyLane(keepBody: boolean): Promise<ProbeResult> {
    // Payload in the probe is for a fresh download only: a resumed one may have these bytes.
    // (Two stat calls of a few microseconds, made at once: asked of the thread pool they would
    // hold the probe back by a round trip through the event loop, 0.5–3 ms while it is busy.)
    const partPath = `${this.file}.part`;
    const fresh = !existsSync(partPath) && !existsSync(TransferJournal.fileFor(partPath));
    const now = performance.now();
    const candidates = this.selection(now, true);
    const others = [...this.lanes.values()]
      .filter((l) => this.usable(l, now) && !candidates.includes(l.name))
      .sort((a, b) => a.path.rank - b.path.rank)
      .map((l) => l.name);
    const order = [...candidates, ...(this.mode === 'aggregate' ? others : [])];
    if (order.length === 0) throw this.noPathError();
    let first: PathwiseError | null = null;
    for (const name of order) {
      const lane = this.lanes.get(name) as PathLane;
      try {
        const url = this.pinnedUrl?.href ?? this.url;
        const firstBytes = fresh && candidates.includes(name) ? this.probeChunk(lane) : 1;
        const asked = probeRange(url, {
          dispatcher: lane.dispatcher(),
          pathName: lane.name,
          timeoutMs: this.tuning.probeTimeoutMs,
          keepBody,
          firstBytes,
          signal: this.phase.signal,
        });
        const companions = candidates.filter(
          (other) => other !== name && this.usable(this.lanes.get(other) as PathLane, now),
        );
        this.preconnect(companions);
        if (keepBody && fresh && first === null && this.mode === 'aggregate') {
          this.sendLeads(url, companions, firstBytes, now);
        }
        const result = await asked;
        lane.rttMs = result.rttMs;
        this.probeLane = lane.name;
        this.primary ??= this.mode === 'aggregate' ? null : lane.name;
        return result;
      } catch (error) {
        this.dropLeads();
        this.throwIfStopped();
        const coded =
          error instanceof PathwiseError
            ? error
            : new PathwiseError('E_NETWORK', String(error), { cause: error });
        if (isFatal(coded)) throw coded;
        first ??= coded;
        this.faultLane(lane, coded, performance.now());
      }
    }
    throw first ?? this.noPathError();
  }

  /**
   * Opens the connections the first ranges will use on the given paths (those the policy selects),
   * while the probe and the file's preparation run: when the first chunks are planned, their
   * handshakes are done. Paths that may not carry payload are never named here.
   */
  private preconnect(names: string[]): void {
    let origin: URL;
    try {
      origin = new URL(this.pinnedUrl?.href ?? this.url);
    } catch {
      return; // the probe reports a bad URL
    }
    const slots = this.connectionsFor();
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
      const allowance = this.allowance(lane, now);
      if (allowance !== null && allowance < initialChunk) continue;
      this.leads.push(
        leadRange(url, {
          dispatcher: lane.dispatcher(),
          lane: name,
          start,
          end: start + initialChunk,
          signal: this.phase.signal,
        }),
      );
      start += initialChunk;
    }
  }

  private dropLeads(): void {
    for (const lead of this.leads) lead.abort();
    this.leads = [];
  }

  /** The leads whose ranges are still this download's to fetch become their paths' first fetches. */
  private adoptLeads(): void {
    const leads = this.leads;
    this.leads = [];
    for (const lead of leads) {
      // An answer from before a redirect is of no use.
      const lane =
        lead.url === this.pinnedUrl?.href ? this.claimForOpenAnswer(lead.lane, lead.start, lead.end) : null;
      if (lane) this.startFetch(lane, this.createFetch(lane, 'chunk', lead.start, lead.end, undefined, lead));
      else lead.abort();
    }
  }

  /**
   * How much the probe over `lane` asks for: the planner's first chunk when the path may carry it
   * (the policy selects it and its caps allow a chunk), else just the first byte.
   */
  private probeChunk(lane: PathLane): number {
    const { initialChunk, minChunk } = { ...DEFAULT_PLANNER, ...this.tuning.planner };
    const allowance = this.allowance(lane, performance.now());
    if (allowance !== null && allowance < minChunk) return 1;
    return Math.max(1, Math.min(initialChunk, allowance ?? initialChunk));
  }

  private noPathError(): PathwiseError {
    const names = [...this.lanes.values()].map((l) =>
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

  private download(): Promise<void> {
    if (this.rangeSupport) {
      this.planner = new RangePlanner(this.size as number, (this.part as PartFile).done, this.tuning.planner);
      this.hasher?.advance((this.part as PartFile).done.prefixEnd());
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
      this.ticker = setInterval(() => this.tick(), this.tuning.tickMs);
      if (this.rangeSupport) {
        this.adoptFirstRange();
        this.adoptLeads();
      }
      this.pump();
      this.checkComplete();
    });
  }

  /**
   * The probe's answer carries the first chunk: it becomes that chunk's fetch, if its path may
   * still carry payload and nothing else has those bytes; otherwise the answer is closed.
   */
  private adoptFirstRange(): void {
    const kept = this.probe;
    this.probe = null;
    const first = kept?.result.firstRange;
    if (!kept || !first) return;
    const lane = this.claimForOpenAnswer(kept.lane, 0, first.end);
    if (lane) this.startFetch(lane, this.createFetch(lane, 'chunk', 0, first.end, kept.result));
    else kept.result.abort?.();
  }

  /**
   * Takes [start, end) off the plan for an answer already on its way over path `name` (the
   * probe's first chunk, a lead), if that path may still carry it and nothing else has those
   * bytes; null otherwise.
   */
  private claimForOpenAnswer(name: string, start: number, end: number): PathLane | null {
    const lane = this.lanes.get(name);
    const planner = this.planner as RangePlanner<RangeFetch>;
    const now = performance.now();
    if (!lane || !this.usable(lane, now) || !this.selection(now).includes(name)) return null;
    const allowance = this.allowance(lane, now);
    if (allowance !== null && allowance < end - start) return null;
    // (Bytes past the end of the file are never unassigned: a lead beyond it is refused here.)
    if (planner.unassigned.overlap(start, end) !== end - start) return null;
    planner.unassigned.remove(start, end);
    return lane;
  }

  private async finish(): Promise<TransferDone> {
    this.stopTicker();
    this.flushBytes(performance.now(), true);
    const bytes = [...this.lanes.values()].reduce((n, l) => n + l.bytes, 0);
    const paths = Object.fromEntries([...this.lanes.values()].map((l) => [l.name, { bytes: l.bytes }]));
    const durationMs = Math.round(performance.now() - this.startedAt);
    if (this.published) {
      // Published by an earlier run that was killed before cleaning up.
      return {
        status: 'done',
        file: this.file,
        bytes,
        sha256: this.sha256 ?? '',
        durationMs,
        resumedBytes: this.resumedBytes,
        paths,
      };
    }
    const part = this.part as PartFile;
    await part.drain();
    if (this.size === null) {
      this.size = part.done.size;
      await part.truncate(this.size);
    }
    if (!part.done.covers(0, this.size)) {
      throw new PathwiseError('E_INTERNAL', `The download ended with bytes missing from ${part.path}.`);
    }
    await part.sync();
    const sha256 = await (this.hasher as PrefixHasher).finish(this.size);
    const expected = this.options.sha256?.toLowerCase();
    if (expected && sha256 !== expected) {
      await part.close();
      this.part = null;
      await this.discardPartial();
      throw new PathwiseError(
        TransferErrorCodes.sha256,
        `The downloaded file's SHA-256 is ${sha256}, not the expected ${expected}; it was not saved. Check the link and the expected hash.`,
      );
    }
    this.sha256 = sha256;
    // A periodic checkpoint may still be on its way: the final save goes after it.
    await this.checkpointing?.catch(() => undefined);
    await this.saveJournal(sha256);
    await part.close();
    this.part = null;
    await publish(part.path, this.file);
    await this.journal?.remove();
    return {
      status: 'done',
      file: this.file,
      bytes,
      sha256,
      durationMs,
      resumedBytes: this.resumedBytes,
      paths,
    };
  }

  /** Stops every fetch, waits for their writes, and (when asked) syncs what arrived into the journal. */
  private async teardown(keep: boolean): Promise<void> {
    this.stopTicker();
    this.completion = null;
    for (const fetch of this.fetches.keys()) fetch.abort(null);
    await Promise.all(this.fetches.values());
    this.probe?.result.abort?.();
    this.probe = null;
    this.flushBytes(performance.now(), true);
    const part = this.part;
    if (!part) return;
    if (keep && this.rangeSupport) await this.checkpoint(true).catch(() => undefined);
    this.keptBytes = keep && this.rangeSupport ? part.done.size : 0;
    await part.close();
    this.part = null;
  }

  private async discardPartial(): Promise<void> {
    this.keptBytes = 0;
    const partPath = `${this.file}.part`;
    await unlink(partPath).catch(() => undefined);
    await new TransferJournal(partPath).remove().catch(() => undefined);
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  // ─── Scheduling ────────────────────────────────────────────────────────────────────────────

  /** A path may carry payload: present, allowed, healthy, not failed, not over its cap. */
  private usable(lane: PathLane, now: number): boolean {
    if (!lane.present || lane.fault || lane.path.preference === 'never') return false;
    if (lane.path.verified === false) return false;
    if (lane.path.health === 'offline' || lane.path.health === 'captive') return false;
    return !this.spent(lane, now);
  }

  /** The cap is used up (not merely promised to fetches in flight). */
  private spent(lane: PathLane, now: number): boolean {
    if (lane.capBytes !== null && lane.bytes >= lane.capBytes) return true;
    const remaining = this.limits.remaining(lane.name, now);
    return remaining !== null && remaining - lane.unreportedReserved <= 0;
  }

  private allowance(lane: PathLane, now: number): number | null {
    const shared = this.limits.allowance(lane.name, now);
    const own = lane.capBytes === null ? null : Math.max(0, lane.capBytes - lane.bytes - lane.reserved);
    if (shared === null) return own;
    return own === null ? shared : Math.min(shared, own);
  }

  private selection(now: number, probing = false): string[] {
    const views: PolicyPath[] = [...this.lanes.values()].map((lane) => ({
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
        const from = this.lanes.get(this.primary);
        this.pending.push({
          kind: 'handover',
          from: this.primary,
          to: next,
          since: from?.lastByteAt ?? now,
          detail: from?.fault ? from.fault.error.message : `${next} is preferred and usable again.`,
        });
      }
      this.primary = next;
    }
    return chosen;
  }

  private connectionsFor(): number {
    return this.mode === 'interactive' ? 1 : Math.max(1, this.tuning.connectionsPerPath);
  }

  /** Fills every free connection slot on the paths the policy selects; called on every change. */
  private pump(): void {
    if (this.state !== 'running' || this.restarting || !this.completion) return;
    const now = performance.now();
    const chosen = this.selection(now);
    // Paths the policy no longer selects hand their unfinished ranges back (handover, switch back).
    for (const lane of this.lanes.values()) {
      if (!chosen.includes(lane.name)) for (const fetch of lane.fetches) fetch.abort(null);
    }
    if (!this.rangeSupport) {
      this.pumpStream(chosen);
      return;
    }
    const planner = this.planner as RangePlanner<RangeFetch>;
    const slots = this.connectionsFor();
    const lanes = chosen.map((n) => this.lanes.get(n) as PathLane);
    for (const lane of lanes) {
      while (lane.fetches.size < slots) {
        const assignment = planner.next(this.asker(lane, now), this.fetches.keys(), now);
        if (!assignment) break;
        this.launch(lane, assignment);
      }
    }
    // Ranges a failed path left behind don't wait for a slot to free up: they get extra
    // connections on the fastest paths (at most twice the usual number per path).
    while (planner.hasUrgent) {
      const best = lanes
        .filter((l) => l.fetches.size < 2 * slots)
        .sort((a, b) => b.meter.rate(now) - a.meter.rate(now))[0];
      const assignment = best ? planner.next(this.asker(best, now), this.fetches.keys(), now) : null;
      if (!best || !assignment) break;
      this.launch(best, assignment);
    }
    this.checkComplete();
  }

  private asker(lane: PathLane, now: number): Asker {
    const rate = lane.meter.age(now) >= 300 ? lane.meter.rate(now) / (lane.fetches.size + 1) : 0;
    return { lane: lane.name, rate, rttMs: lane.rttMs ?? 100, allowance: this.allowance(lane, now) };
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

  private createFetch(
    lane: PathLane,
    kind: FetchKind,
    start: number,
    end: number,
    probe?: ProbeResult,
    lead?: LeadRequest,
  ): RangeFetch {
    const fetch = new RangeFetch({
      id: this.nextFetchId++,
      lane: lane.name,
      kind,
      dispatcher: lane.dispatcher(),
      url: this.pinnedUrl as URL,
      start,
      end,
      expect: { size: this.size, validator: this.validator, encoding: this.encoding },
      part: this.part as PartFile,
      onBytes: (f, bytes, now) => this.onBytes(lane, f, bytes, now),
      onFirstByte: (f) => this.onFirstByte(f),
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
    if (Number.isFinite(end)) {
      fetch.reserved = end - start;
      lane.reserved += fetch.reserved;
      this.limits.reserve(lane.name, fetch.reserved);
    }
    return fetch;
  }

  private startFetch(lane: PathLane, fetch: RangeFetch): void {
    const generation = this.generation;
    lane.fetches.add(fetch);
    const done = fetch.run().then(
      (result) => this.onFetchEnd(lane, fetch, result, generation),
      (error: unknown) =>
        this.onFetchEnd(lane, fetch, { status: 'failed', error: diskError(error, this.file) }, generation),
    );
    this.fetches.set(fetch, done);
    this.emitChangeIfLanesChanged();
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

  private onFirstByte(fetch: RangeFetch): void {
    const now = performance.now();
    this.pending = this.pending.filter((p) => {
      const resolved =
        p.to !== undefined
          ? p.to === fetch.lane
          : p.start !== undefined && p.end !== undefined && fetch.start >= p.start && fetch.start < p.end;
      if (!resolved) return true;
      this.continuity({
        kind: p.kind,
        from: p.from,
        to: fetch.lane,
        bytesLost: 0,
        stallMs: Math.max(0, Math.round(now - p.since)),
        ...(p.detail ? { detail: p.detail } : {}),
      });
      return false;
    });
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
    if (generation !== this.generation || !this.completion) {
      this.emitChangeIfLanesChanged();
      return;
    }
    if (!this.rangeSupport) {
      this.onStreamEnd(lane, fetch, result, now);
      return;
    }
    const planner = this.planner as RangePlanner<RangeFetch>;
    if (result.status === 'complete') {
      lane.failures = 0;
      // The other half of an endgame pair has nothing left to do.
      for (const other of this.fetches.keys()) {
        if (other.paired && other.pos >= fetch.start && other.end <= fetch.end) other.truncate(other.pos);
        else if (other.paired && fetch.paired && other.start <= fetch.start && other.end >= fetch.end) {
          other.paired = false;
        }
      }
    } else {
      for (const other of this.fetches.keys()) if (other.paired && fetch.paired) other.paired = false;
      const released = planner.release(fetch, this.fetches.keys(), (this.part as PartFile).done);
      if (result.status === 'failed') {
        const error = result.error;
        if (isFatal(error)) {
          if (error.code === TransferErrorCodes.changed) void this.restartOnChange(error);
          else this.completion.reject(error);
          return;
        }
        this.lastError = error;
        // A short answer that still brought bytes is the server's doing, not the path's.
        const serverCut =
          (error.code === TransferErrorCodes.truncated || error.code === TransferErrorCodes.connectionLost) &&
          fetch.bytes > 0;
        // One connection gone quiet while the same path kept delivering to its siblings all along
        // is that connection's trouble (TCP backing off after losses on a crowded link), not the
        // path's: its range moves on and the path stays in service. (A dead path silences all
        // its connections within a round trip of each other.)
        const recent = Math.min(this.tuning.stallFloorMs, now - fetch.lastProgressAt) / 4;
        const connectionStall =
          error.code === TransferErrorCodes.stalled &&
          lane.fetches.size > 0 &&
          lane.lastByteAt !== null &&
          now - lane.lastByteAt < recent;
        const pathProblem = !serverCut && !connectionStall;
        if (pathProblem) this.faultLane(lane, error, now);
        if (connectionStall) {
          for (const [start, end] of released) planner.prioritize(start, end);
        } else if (this.mode === 'aggregate') {
          for (const [start, end] of released) {
            planner.prioritize(start, end);
            this.pending.push({
              kind: 'failover',
              from: lane.name,
              since: fetch.lastProgressAt,
              start,
              end,
              detail: error.message,
            });
          }
        }
      }
    }
    this.pump();
    this.emitChangeIfLanesChanged();
  }

  /** Takes a path out of service after an error or stall; it comes back after a successful probe. */
  private faultLane(lane: PathLane, error: PathwiseError, now: number): void {
    const stalled = error.code === TransferErrorCodes.stalled;
    lane.fault = { kind: stalled ? 'stalled' : 'error', error, since: now };
    lane.failures++;
    lane.retryAt = now + Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** (lane.failures - 1));
    this.lastError = error;
    if (!lane.lost && this.state === 'running') {
      lane.lost = true;
      this.continuity({
        kind: 'path-lost',
        from: lane.name,
        to: null,
        bytesLost: 0,
        stallMs: 0,
        detail: error.message,
      });
    }
    // The same cause usually hits the path's other connections: move all its work now.
    for (const other of lane.fetches) other.abort(error);
    if (lane.fetches.size === 0) lane.dropAgent();
  }

  /** The monitor says the path is gone: everything on it moves at once. */
  private dropLane(lane: PathLane, now: number, why: string): void {
    const error = new PathwiseError(
      TransferErrorCodes.unreachable,
      `${why}; its ranges moved to the other paths.`,
    );
    if (this.state === 'running') {
      for (const fetch of lane.fetches) fetch.abort(error);
      if (lane.fetches.size === 0) this.faultLane(lane, error, now);
    }
    lane.dropAgent();
  }

  private tick(): void {
    if (this.state !== 'running' || !this.completion) return;
    const now = performance.now();
    this.watchdog(now);
    this.recoverLanes(now);
    this.flushBytes(now, false);
    if (now - this.lastCheckpointAt >= this.tuning.checkpointMs) {
      this.lastCheckpointAt = now;
      void this.checkpoint(false).catch((error: unknown) => this.completion?.reject(error));
    }
    this.notifyCaps(now);
    this.pump();
    this.checkGiveUp(now);
    this.emitChangeIfLanesChanged();
  }

  /** A connection that received nothing for longer than its path's rhythm allows is stalled. */
  private watchdog(now: number): void {
    for (const fetch of this.fetches.keys()) {
      const lane = this.lanes.get(fetch.lane) as PathLane;
      const rtt = lane.rttMs ?? 100;
      const limit = fetch.receiving
        ? Math.min(10_000, Math.max(this.tuning.stallFloorMs, 8 * fetch.gapMs, 4 * rtt))
        : Math.max(this.tuning.headerTimeoutMs, 4 * rtt);
      const silent = fetch.silentFor(now);
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
  private recoverLanes(now: number): void {
    for (const lane of this.lanes.values()) {
      if (!lane.fault || lane.recovering || now < lane.retryAt || !lane.present) continue;
      if (lane.path.preference === 'never' || lane.path.verified === false) continue;
      lane.recovering = true;
      lane.dropAgent();
      const generation = this.generation;
      probeRange(this.pinnedUrl?.href ?? this.url, {
        dispatcher: lane.dispatcher(),
        pathName: lane.name,
        timeoutMs: Math.max(2000, this.tuning.headerTimeoutMs),
        signal: this.phase.signal,
      }).then(
        (probe) => {
          lane.recovering = false;
          if (generation !== this.generation || this.state !== 'running') return;
          if (
            probe.size !== this.size ||
            probe.rangeSupport !== this.rangeSupport ||
            !sameValidator(probe.validator, this.validator)
          ) {
            void this.restartOnChange(
              new PathwiseError(
                TransferErrorCodes.changed,
                `The file changed on the server (${describeValidator(this.validator)} → ${describeValidator(probe.validator)}).`,
              ),
            );
            return;
          }
          lane.rttMs = probe.rttMs;
          lane.fault = null;
          lane.retryAt = 0;
          if (lane.lost) {
            lane.lost = false;
            this.continuity({ kind: 'path-restored', from: null, to: lane.name, bytesLost: 0, stallMs: 0 });
          }
          this.pump();
          this.emitChangeIfLanesChanged();
        },
        (error: unknown) => {
          lane.recovering = false;
          if (!lane.fault) return;
          lane.failures++;
          lane.retryAt =
            performance.now() +
            Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** (lane.failures - 1));
          if (error instanceof PathwiseError) {
            lane.fault.error = error;
            this.lastError = error;
          }
        },
      );
    }
  }

  private notifyCaps(now: number): void {
    for (const lane of this.lanes.values()) {
      const spent = this.spent(lane, now);
      if (spent && !lane.capNotified) {
        lane.capNotified = true;
        this.continuity({
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

  /** With nothing running and no usable path, the download waits a while, then fails naming the cause. */
  private checkGiveUp(now: number): void {
    if (this.fetches.size > 0 || !this.completion || this.restarting) return;
    if (this.selection(now, true).length > 0) return;
    const capped = [...this.lanes.values()].filter(
      (l) => l.present && !l.fault && l.path.preference !== 'never' && this.spent(l, now),
    );
    const others = [...this.lanes.values()].filter(
      (l) => l.present && l.path.preference !== 'never' && !this.spent(l, now),
    );
    if (capped.length > 0 && others.length === 0) {
      if (this.options.whenCapped !== 'wait') {
        this.completion.reject(
          new PathwiseError(
            TransferErrorCodes.capReached,
            `Every allowed path reached its data cap (${capped.map((l) => l.name).join(', ')}). The partial download is kept; raise the cap or add a path and run it again to resume.`,
          ),
        );
      }
      return;
    }
    if (now - this.lastProgressAt > this.tuning.giveUpMs) {
      this.completion.reject(this.lastError ?? this.noPathError());
    }
  }

  private checkComplete(): void {
    if (!this.completion || this.restarting) return;
    if (!this.rangeSupport) {
      if (this.streamComplete) this.completion.resolve();
      return;
    }
    const planner = this.planner as RangePlanner<RangeFetch>;
    if (!planner.unassigned.isEmpty || this.fetches.size > 0) return;
    const part = this.part as PartFile;
    const gaps = part.done.gapsIn(0, this.size as number);
    if (gaps.length === 0) {
      this.completion.resolve();
      return;
    }
    for (const [s, e] of gaps) planner.unassigned.add(s, e);
    this.pump();
  }

  // ─── Servers without ranges: one stream, restarted on failure ──────────────────────────────

  private pumpStream(chosen: string[]): void {
    if (this.fetches.size > 0 || this.streamComplete) return;
    const lane = chosen[0] ? this.lanes.get(chosen[0]) : undefined;
    if (!lane) return;
    // The probe's answer already carries the whole file: use it if it came over this path.
    const probe = this.probe?.lane === lane.name ? this.probe.result : undefined;
    if (!probe) this.probe?.result.abort?.();
    this.probe = null;
    const end = this.size ?? Number.POSITIVE_INFINITY;
    const fetch = this.createFetch(lane, 'stream', 0, end, probe);
    this.startFetch(lane, fetch);
  }

  private onStreamEnd(lane: PathLane, fetch: RangeFetch, result: FetchResult, now: number): void {
    if (result.status === 'complete') {
      this.streamComplete = true;
      this.checkComplete();
      return;
    }
    if (
      result.status === 'failed' &&
      isFatal(result.error) &&
      result.error.code !== TransferErrorCodes.changed
    ) {
      this.completion?.reject(result.error);
      return;
    }
    if (result.status === 'failed') {
      this.lastError = result.error;
      if (result.error.code !== TransferErrorCodes.changed) this.faultLane(lane, result.error, now);
    }
    // Without ranges nothing received can be kept: start over, on whichever path is usable.
    const lost = fetch.pos;
    this.restarting = true;
    void (async () => {
      await (this.part as PartFile).reset(this.size);
      await this.hasher?.reset();
      this.restarting = false;
      this.continuity({
        kind: 'restart',
        from: lane.name,
        to: null,
        bytesLost: lost,
        stallMs: 0,
        detail: `The server does not serve byte ranges, so the download started over${result.status === 'failed' ? `: ${result.error.message}` : '.'}`,
      });
      this.pump();
    })().catch((error: unknown) => this.completion?.reject(error));
  }

  // ─── A file that changed on the server ────────────────────────────────────────────────────

  private async restartOnChange(error: PathwiseError): Promise<void> {
    if (this.restarting || !this.completion) return;
    if (this.restarts >= this.tuning.maxRestarts) {
      this.completion.reject(error);
      return;
    }
    this.restarts++;
    this.restarting = true;
    this.generation++;
    try {
      for (const fetch of this.fetches.keys()) fetch.abort(null);
      await Promise.all(this.fetches.values());
      const part = this.part as PartFile;
      const lost = part.done.size;
      this.pinnedUrl = null;
      const probe = await this.probeAnyLane(false);
      this.applyProbe(probe);
      await part.reset(this.size);
      await this.hasher?.reset();
      if (this.size !== null) await this.checkFreeSpace(this.size);
      if (this.rangeSupport) {
        this.planner = new RangePlanner(this.size as number, part.done, this.tuning.planner);
      }
      this.streamComplete = this.size === 0;
      this.pending = [];
      await this.saveJournal(null);
      this.continuity({
        kind: 'restart',
        from: null,
        to: null,
        bytesLost: lost,
        stallMs: 0,
        detail: `${error.message.replace(/ Pathwise never mixes.*$/, '')} Started over with the new version.`,
      });
      this.restarting = false;
      this.pump();
      this.checkComplete();
    } catch (caught) {
      this.restarting = false;
      this.completion?.reject(caught);
    }
  }

  // ─── Durability ────────────────────────────────────────────────────────────────────────────

  /** Syncs the data, then records what was on disk before the sync: the journal never runs ahead. */
  private async checkpoint(force: boolean): Promise<void> {
    if (this.checkpointing) {
      await this.checkpointing;
      if (!force) return;
    }
    const part = this.part;
    if (!part || !this.rangeSupport) return;
    if (!force && part.done.size === this.checkpointed) return;
    const snapshot = part.done.clone();
    const generation = this.generation;
    this.checkpointing = (async () => {
      await part.sync();
      if (generation !== this.generation) return;
      await this.saveJournal(null, snapshot);
      this.checkpointed = snapshot.size;
    })().finally(() => {
      this.checkpointing = null;
    });
    await this.checkpointing;
  }

  private async saveJournal(sha256: string | null, done?: RangeSet): Promise<void> {
    if (!this.journal || !this.pinnedUrl) return;
    const journal = this.journal;
    await journal
      .save({
        version: 1,
        url: this.url,
        finalUrl: this.pinnedUrl.href,
        size: this.size,
        etag: this.validator.etag,
        lastModified: this.validator.lastModified,
        encoding: this.encoding,
        rangeSupport: this.rangeSupport ?? false,
        done: (done ?? this.part?.done ?? new RangeSet()).toArray().map(([s, e]) => [s, e]),
        sha256,
        updatedAt: Date.now(),
      })
      .catch((error: unknown) => {
        throw diskError(error, journal.file);
      });
  }

  // ─── Events ────────────────────────────────────────────────────────────────────────────────

  private flushBytes(now: number, force: boolean): void {
    if (!force && now - this.lastReportAt < 250) return;
    this.lastReportAt = now;
    for (const lane of this.lanes.values()) {
      const delta = lane.bytes - lane.reported;
      if (delta > 0) {
        lane.reported = lane.bytes;
        this.emit('bytes', {
          transferId: this.id,
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

  private continuity(event: Omit<ContinuityEvent, 'id' | 'at' | 'transferId'> & { at?: number }): void {
    this.emit('continuity', {
      id: randomUUID(),
      at: event.at ?? Date.now(),
      transferId: this.id,
      ...event,
    });
  }

  private laneState(lane: PathLane, now: number): TransferInfo['paths'][string]['state'] {
    if (lane.path.preference === 'never') return 'excluded';
    if (lane.path.verified === false) return 'unverified';
    if (!lane.present) return 'down';
    if (lane.fault) return lane.fault.kind === 'stalled' ? 'stalled' : 'down';
    if (this.spent(lane, now)) return 'capped';
    return lane.fetches.size > 0 ? 'active' : 'idle';
  }

  private emitChangeIfLanesChanged(): void {
    const now = performance.now();
    const key = [...this.lanes.values()].map((l) => `${l.name}:${this.laneState(l, now)}`).join(',');
    if (key !== this.laneStateKey) {
      this.laneStateKey = key;
      this.emit('change');
    }
  }

  private setState(state: TransferState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('change');
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Gives the finished part file its final name without ever replacing an existing file: a hard
 * link fails if the name is taken (rename would overwrite silently). Filesystems without hard
 * links fall back to a checked rename.
 */
async function publish(partPath: string, finalPath: string): Promise<void> {
  try {
    await link(partPath, finalPath);
    await unlink(partPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new PathwiseError(
        TransferErrorCodes.exists,
        `${finalPath} appeared while downloading; Pathwise never overwrites a file. The download is kept in ${partPath}.`,
      );
    }
    if (!(
      code === 'EPERM' ||
      code === 'ENOTSUP' ||
      code === 'EOPNOTSUPP' ||
      code === 'EXDEV' ||
      code === 'EMLINK'
    )) {
      throw diskError(error, finalPath);
    }
    if (await exists(finalPath)) {
      throw new PathwiseError(
        TransferErrorCodes.exists,
        `${finalPath} appeared while downloading; the download is kept in ${partPath}.`,
      );
    }
    await rename(partPath, finalPath);
  }
  const dir = await open(dirname(finalPath), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
