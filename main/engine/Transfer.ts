import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
import type { ContinuityEvent, TransferInfo, TransferMode, TransferState } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import { ContinuityTracker } from './ContinuityTracker.ts';
import { DownloadFiles } from './DownloadFiles.ts';
import type { EnginePath } from './EnginePath.ts';
import { FetchScheduler } from './FetchScheduler.ts';
import { LaneFailover } from './LaneFailover.ts';
import { Mirrors } from './Mirrors.ts';
import { PathLanes } from './PathLanes.ts';
import { PathLimits } from './PathLimits.ts';
import { ProbeRound } from './ProbeRound.ts';
import { exists } from './publishFile.ts';
import type { ProbeResult } from './RangeProbe.ts';
import { fetchDocument, isMetalinkDocument, MetalinkServed, servedAsMetalink } from './remoteMetalink.ts';
import { explainRefusal } from './requestAuth.ts';
import { nameFromUrl, safeFileName, uniqueFileName } from './SafeFileName.ts';
import { ServedFile } from './ServedFile.ts';
import { ServerPushback } from './ServerPushback.ts';
import { TransferJournal, type JournalState } from './TransferJournal.ts';
import { requireAbsolute, TransferErrorCodes } from './transferErrors.ts';
import {
  DEFAULT_TUNING,
  type TransferDone,
  type TransferOptions,
  type TransferOutcome,
  type TransferTuning,
} from './TransferOptions.ts';

// What callers of a transfer name lives in TransferOptions.ts; importers reach it here as before.
export { DEFAULT_TUNING } from './TransferOptions.ts';
export type { TransferDone, TransferOptions, TransferOutcome, TransferTuning } from './TransferOptions.ts';

interface TransferEvents {
  /** State, path states or the file name changed (progress is read with info()). */
  change: [];
  bytes: [PathBytesEvent];
  continuity: [ContinuityEvent];
}

/** Thrown inside a run when the user paused or cancelled it. */
class StopSignal extends Error {}

/**
 * One download, URL → file, over the paths the policy allows (PRODUCT.md §2). Probes the server
 * once, plans byte ranges over per-path connection pools, moves the unfinished ranges of a path
 * that goes down, errors or stalls to the others at once, honours caps and rate limits, keeps a
 * crash-safe part file and journal, and publishes the file under its final name only when it is
 * complete and its SHA-256 is known (and matches, when one was given).
 *
 * This class is the coordinator: its public face (run, pause, cancel, info, events) and a run's
 * course (probe, prepare the file, download, finish or tear down). The work is done by its parts:
 * `ProbeRound` (the first round trip), `DownloadFiles` (the part file, journal, hash and final
 * name), `FetchScheduler` (the download phase), `PathLanes` and `LaneFailover` (the paths and
 * their faults), `ContinuityTracker` (continuity events), all sharing one `ServedFile`.
 */
export class Transfer extends EventEmitter<TransferEvents> {
  readonly id: string;
  readonly url: string;
  readonly mode: TransferMode;
  readonly createdAt = Date.now();
  private readonly options: TransferOptions;
  private readonly tuning: TransferTuning;
  private readonly served: ServedFile;
  private readonly pushback: ServerPushback;
  private readonly files: DownloadFiles;
  private readonly continuity: ContinuityTracker;
  private readonly lanes: PathLanes;
  private readonly failover: LaneFailover;
  /** The file's other URLs (mirrors): which source each range is asked of. */
  private readonly mirrors: Mirrors;
  private readonly round: ProbeRound;
  private readonly scheduler: FetchScheduler;

  private file: string;
  private fileResolved: boolean;
  private state: TransferState = 'queued';
  private error: PathwiseError | null = null;
  private finishedAt: number | null = null;

  private running: Promise<TransferOutcome> | null = null;
  private stopRequest: 'pause' | 'cancel' | null = null;
  private phase = new AbortController();
  private startedAt = 0;
  private laneStateKey = '';
  /**
   * A remote Metalink's download (remoteMetalink.ts) runs as two inner transfers under this one's
   * id: the document's, then the file's; this one says what they do. Null otherwise.
   */
  private inner: { transfer: Transfer; file: boolean } | null = null;
  /** The URL is a Metalink document: named so, or its server said so (remoteMetalink.ts servedAsMetalink). */
  private document: boolean;
  /** The paths as the monitor last told them: an inner transfer starts with these. */
  private latestPaths: readonly EnginePath[];

  constructor(options: TransferOptions) {
    super();
    this.options = options;
    this.id = options.id ?? randomUUID();
    this.url = options.url;
    this.mode = options.mode ?? 'aggregate';
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.latestPaths = options.paths;
    this.document = isMetalinkDocument(options);
    // Where the file goes is named from the root, or the download is refused here (E_DISK).
    if (options.file) {
      this.file = requireAbsolute(options.file, 'file');
      this.fileResolved = true;
    } else {
      const directory = requireAbsolute(options.directory ?? '.', 'folder');
      this.file = join(directory, safeFileName(options.fileName ?? nameFromUrl(options.url)));
      this.fileResolved = false;
    }
    // The parts, each built on the ones before it; they reach back into the transfer only through
    // the callbacks given here (none imports Transfer, so the engine's files stay free of cycles).
    const limits = options.limits ?? new PathLimits();
    this.served = new ServedFile(options.url, options.addressRules);
    this.pushback = new ServerPushback(this.tuning);
    this.files = new DownloadFiles(this.served);
    this.continuity = new ContinuityTracker(this.id, (event) => this.emit('continuity', event));
    this.lanes = new PathLanes(options, {
      transferId: this.id,
      mode: this.mode,
      connectionsPerPath: this.tuning.connectionsPerPath,
      limits,
      continuity: this.continuity,
      reportBytes: (event) => this.emit('bytes', event),
    });
    const { served, lanes, pushback, files } = this;
    this.mirrors = new Mirrors(options, { served, lanes, pushback, files }, this.tuning);
    this.files.sources = this.mirrors;
    const parts = {
      served: this.served,
      files: this.files,
      continuity: this.continuity,
      lanes: this.lanes,
      pushback: this.pushback,
      mirrors: this.mirrors,
    };
    this.failover = new LaneFailover(parts, this.tuning, options, {
      running: () => this.state === 'running',
      signal: () => this.phase.signal,
      fileChanged: (error) => this.scheduler.fileChanged(error),
      pathRestored: () => {
        this.scheduler.pump();
        this.emitChangeIfLanesChanged();
      },
    });
    this.round = new ProbeRound({ ...parts, failover: this.failover }, this.tuning, this.mode, {
      signal: () => this.phase.signal,
      throwIfStopped: () => this.throwIfStopped(),
      waitingChanged: () => this.emit('change'),
    });
    const all = { ...parts, failover: this.failover, round: this.round, limits };
    this.scheduler = new FetchScheduler(all, this.tuning, this.mode, {
      running: () => this.state === 'running',
      lanesChanged: () => this.emitChangeIfLanesChanged(),
      file: () => this.file,
      signal: () => this.phase.signal,
    });
  }

  // ─── Public API ────────────────────────────────────────────────────────────────────────────

  /** Runs (or resumes) the download; resolves with how it ended. Calling it while running joins the run. */
  run(): Promise<TransferOutcome> {
    this.running ??= this.start().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** A run: the file's, or a Metalink's (the document, then the file), as the URL is or turns out to be. */
  private async start(): Promise<TransferOutcome> {
    this.stopRequest = null;
    if (this.document) return this.viaDocument();
    const outcome = await this.execute();
    if (outcome !== 'metalink') return outcome;
    // Its server answered with a Metalink: nothing was written as the file; from now on this is
    // the document's download (a resume too, fetching it again).
    this.document = true;
    return this.viaDocument();
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
      // A remote Metalink's part file is its file download's; this one's name is the document's.
      if (this.inner) await this.inner.transfer.cancel();
      else if (!this.document) await this.files.discard(this.file);
      this.setState('cancelled');
      return;
    }
    this.stop('cancel');
    await this.running;
  }

  /** The monitor's latest view of the paths: a path that goes down drops out at once. */
  updatePaths(paths: readonly EnginePath[]): void {
    this.latestPaths = paths;
    this.inner?.transfer.updatePaths(paths);
    this.failover.update(paths);
    this.scheduler.pump();
    this.emitChangeIfLanesChanged();
  }

  /**
   * Resolves once the requests sent so far are on the wire or failed: every path's pool has a
   * connection for them, or gave up on one; or once `signal` aborts (the waiting stops).
   */
  async requestsSent(signal?: AbortSignal): Promise<void> {
    if (this.inner) return this.inner.transfer.requestsSent(signal);
    const origins = new Set<string>();
    for (const href of [this.url, this.served.pinnedUrl?.href]) {
      if (href && URL.canParse(href)) origins.add(new URL(href).origin);
    }
    const waits: Promise<void>[] = [];
    for (const lane of this.lanes.values())
      for (const origin of origins) waits.push(lane.whenSent(origin, signal));
    await Promise.all(waits);
  }

  info(): TransferInfo {
    // A remote Metalink's file download is this download, under the URL the user gave.
    if (this.inner?.file) return { ...this.inner.transfer.info(), id: this.id, url: this.url };
    const now = performance.now();
    const running = this.state === 'running';
    const paths: TransferInfo['paths'] = {};
    let rate = 0;
    for (const lane of this.lanes.values()) {
      const laneRate = running ? lane.meter.rate(now) : 0;
      rate += laneRate;
      paths[lane.name] = { bytes: lane.bytes, rate: laneRate, state: this.lanes.state(lane, now) };
      // A server asked this path to wait (429, 503): said in words while the download runs.
      const waiting = this.live() ? this.pushback.reason(lane.name, now) : null;
      if (waiting) (paths[lane.name] as TransferInfo['paths'][string]).waiting = waiting;
    }
    const received =
      this.files.part?.done.size ?? (this.state === 'done' ? (this.served.size ?? 0) : this.files.keptBytes);
    return {
      id: this.id,
      url: this.url,
      file: this.file,
      mode: this.mode,
      state: this.state,
      size: this.served.size,
      received,
      rate,
      paths,
      allowedPaths: this.options.allowedPaths ?? null,
      rangeSupport: this.served.rangeSupport,
      sha256: this.files.sha256,
      error: this.error ? { code: this.error.code, message: this.error.message } : null,
      createdAt: this.createdAt,
      finishedAt: this.finishedAt,
      waiting:
        (running && received !== this.served.size ? this.waitingFor(now) : null) ?? this.serverWait(paths),
      ...(this.mirrors.active ? { sources: this.mirrors.info() } : {}),
    };
  }

  private live(): boolean {
    return this.state === 'running' || this.state === 'probing';
  }

  /**
   * Why a live download asks nothing although paths are usable: a link being renewed, or every
   * path it may use told by the server to wait (the one back soonest says why); null otherwise.
   */
  private serverWait(paths: TransferInfo['paths']): TransferInfo['waiting'] {
    if (!this.live()) return null;
    const link = this.scheduler.refresh.reason;
    if (link) return { reason: 'link', paths: [], detail: link };
    const now = performance.now();
    const names = this.lanes.select(now, true);
    if (names.length === 0 || names.some((name) => !paths[name]?.waiting)) return null;
    const soonest = names
      .map((name) => ({ name, wait: this.pushback.waitAny(name, now) }))
      .sort((a, b) => a.wait - b.wait)[0] as { name: string };
    return { reason: 'server', paths: names, detail: paths[soonest.name]?.waiting as string };
  }

  /** Why a running download moves nothing: its paths are at their caps, or none is usable; null when one is. */
  private waitingFor(now: number): TransferInfo['waiting'] {
    if (this.lanes.select(now, true).length > 0) return null;
    const capped = [...this.lanes.values()].filter(
      (l) => l.present && !l.fault && l.path.preference !== 'never' && this.lanes.spent(l, now),
    );
    return capped.length > 0
      ? { reason: 'cap', paths: capped.map((l) => l.name) }
      : { reason: 'no-path', paths: [] };
  }

  get currentState(): TransferState {
    return this.inner?.file ? this.inner.transfer.currentState : this.state;
  }

  // ─── The run ───────────────────────────────────────────────────────────────────────────────

  /** The file's download; 'metalink' when its server answered with a Metalink instead (see prepare). */
  private async execute(): Promise<TransferOutcome | 'metalink'> {
    this.error = null;
    this.phase = new AbortController();
    this.served.pinnedUrl = null;
    this.files.published = false;
    this.startedAt = performance.now();
    this.scheduler.resetForRun(this.startedAt);
    this.lanes.resetForRun();
    this.setState('probing');
    try {
      // The probe's path first: the probe is what everything waits for. The others open while
      // its question is on the way (probeAnyLane).
      this.round.preconnect(this.lanes.select(performance.now(), true).slice(0, 1));
      await this.prepare();
      this.throwIfStopped();
      this.setState('running');
      if (this.files.published || this.served.size === 0) {
        this.scheduler.stream.complete = true;
      } else {
        await this.scheduler.begin();
      }
      const result = await this.finish();
      this.finishedAt = Date.now();
      this.setState('done');
      return result;
    } catch (caught) {
      return caught instanceof MetalinkServed ? 'metalink' : await this.ended(caught);
    } finally {
      this.scheduler.stopTicker();
      this.round.dropLeads();
      // Recovery probes still waiting on a dead path must not outlive the run.
      this.phase.abort();
      await Promise.all([...this.lanes.values()].map((l) => l.close()));
      await this.files.release();
    }
  }

  /**
   * A remote Metalink's run (a URL named so, or found to be one: start): its document fetched and
   * read by one inner transfer, then the file it describes downloaded by another (each run fetches
   * the document again: the file's part and journal are what a resume keeps).
   */
  private async viaDocument(): Promise<TransferOutcome> {
    this.error = null;
    this.inner = null;
    this.setState('probing');
    try {
      // Stopped already (while a probe found the URL to be a Metalink): nothing more is fetched.
      const read = this.stopRequest
        ? null
        : await fetchDocument({ ...this.options, id: this.id, paths: [...this.latestPaths] }, (o) =>
            this.adopt(new Transfer(o), false),
          );
      this.inner = null;
      if (read?.status === 'ended') return this.endedAs(read.outcome);
      if (!read || this.stopRequest)
        return this.endedAs({ status: this.stopRequest === 'pause' ? 'paused' : 'cancelled' });
      const file = this.adopt(new Transfer({ ...read.options, paths: [...this.latestPaths] }), true);
      const outcome = await file.run();
      this.state = file.currentState;
      return outcome;
    } catch (caught) {
      this.inner = null;
      const error =
        caught instanceof PathwiseError
          ? caught
          : new PathwiseError('E_INTERNAL', String(caught), { cause: caught });
      return this.endedAs({ status: 'failed', error });
    }
  }

  /** `transfer` runs for this one: its events are this one's. */
  private adopt(transfer: Transfer, file: boolean): Transfer {
    this.inner = { transfer, file };
    transfer.on('bytes', (event) => this.emit('bytes', event));
    transfer.on('continuity', (event) => this.emit('continuity', event));
    transfer.on('change', () => this.emit('change'));
    return transfer;
  }

  /** This transfer's own state after a run that ended before the file's download began. */
  private endedAs(outcome: Exclude<TransferOutcome, { status: 'done' }>): TransferOutcome {
    this.finishedAt = Date.now();
    if (outcome.status === 'failed') this.error = outcome.error;
    this.setState(outcome.status);
    return outcome;
  }

  /** A run that did not finish: paused, cancelled (its files deleted) or failed with a coded error. */
  private async ended(caught: unknown): Promise<TransferOutcome> {
    const raw =
      caught instanceof StopSignal
        ? null
        : caught instanceof PathwiseError
          ? caught
          : new PathwiseError('E_INTERNAL', caught instanceof Error ? caught.message : String(caught), {
              cause: caught,
            });
    // A 401 or 403 told as the login's: whether one was sent, and that a resume needs it again.
    const error = explainRefusal(raw, {
      access: this.options.access,
      url: this.options.givenUrl ?? this.url,
      partFile: `${this.file}.part`,
      atStart: this.state === 'probing',
    });
    await this.teardown(this.stopRequest !== 'cancel' && error?.code !== TransferErrorCodes.sha256);
    if (this.stopRequest === 'cancel') {
      await this.files.discard(this.file);
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
  }

  private stop(kind: 'pause' | 'cancel'): void {
    this.stopRequest ??= kind;
    if (this.inner) void this.inner.transfer[kind]();
    this.phase.abort();
    this.scheduler.reject(new StopSignal());
  }

  private throwIfStopped(): void {
    if (this.stopRequest) throw new StopSignal();
  }

  /** Probe, pick the file name, take the lock, and resume from the journal or start fresh. */
  private async prepare(): Promise<void> {
    // The primary's probe; when it fails, a mirror's (Mirrors.firstProbe).
    const probe = await this.mirrors.firstProbe((url) => this.round.probeAnyLane(true, this.file, url));
    if (!probe.rangeSupport) this.round.dropLeads();
    try {
      this.throwIfStopped();
      // A URL that may be a Metalink and is one: before any name, lock or part file is taken.
      if (servedAsMetalink(this.options, probe)) throw new MetalinkServed();
      await this.resolveFile(probe);
      const saved = await this.files.lock(this.file);
      if (await this.files.alreadyPublished(saved, this.file)) {
        probe.abort?.();
        return;
      }
      await this.refuseToOverwrite(saved);
      this.served.pin(probe);
      const { done, lost } = await this.files.resumable(saved, probe, this.file);
      if (lost) {
        this.continuity.report({
          kind: 'restart',
          from: null,
          to: null,
          bytesLost: lost.bytes,
          stallMs: 0,
          detail: `Started over: ${lost.why}.`,
        });
      }
      if (probe.firstRange && done && done.overlap(0, probe.firstRange.end) > 0) {
        // Resuming over the probe's bytes: don't fetch them twice.
        probe.abort?.();
        delete probe.firstRange;
      }
      await this.files.open(this.file, done);
    } catch (error) {
      probe.abort?.();
      this.round.dropLeads();
      throw error;
    }
    this.round.keep(probe);
  }

  /** Pathwise never overwrites a file, nor takes over the part file of another URL's download. */
  private async refuseToOverwrite(saved: JournalState | null): Promise<void> {
    if (await exists(this.file)) {
      throw new PathwiseError(
        TransferErrorCodes.exists,
        `${this.file} already exists; Pathwise never overwrites a file. Delete it or choose another name.`,
      );
    }
    if (saved && saved.url !== this.url) {
      throw new PathwiseError(
        TransferErrorCodes.exists,
        `${this.file}.part belongs to a download of another URL (${saved.url}). Delete it or choose another name.`,
      );
    }
  }

  private async resolveFile(probe: ProbeResult): Promise<void> {
    if (this.fileResolved) return;
    // The folder the constructor checked (an unresolved file is still `<folder>/<name from the URL>`).
    const directory = dirname(this.file);
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

  private async finish(): Promise<TransferDone> {
    this.scheduler.stopTicker();
    this.lanes.flushBytes(performance.now(), true);
    const bytes = [...this.lanes.values()].reduce((n, l) => n + l.bytes, 0);
    const paths = Object.fromEntries([...this.lanes.values()].map((l) => [l.name, { bytes: l.bytes }]));
    const durationMs = Math.round(performance.now() - this.startedAt);
    // Published by an earlier run that was killed before cleaning up, or now.
    const sha256 = this.files.published
      ? (this.files.sha256 ?? '')
      : await this.files.finish(this.file, this.options.sha256);
    return {
      status: 'done',
      file: this.file,
      bytes,
      sha256,
      durationMs,
      resumedBytes: this.files.resumedBytes,
      paths,
      ...(this.mirrors.active ? { sources: this.mirrors.info() } : {}),
    };
  }

  /** Stops every fetch, waits for their writes, and (when asked) syncs what arrived into the journal. */
  private async teardown(keep: boolean): Promise<void> {
    this.scheduler.stopTicker();
    await this.scheduler.stopAll();
    this.round.dropKept();
    this.lanes.flushBytes(performance.now(), true);
    await this.files.close(keep);
  }

  // ─── Events ────────────────────────────────────────────────────────────────────────────────

  private emitChangeIfLanesChanged(): void {
    const now = performance.now();
    // Paths told to wait, and a link being renewed, are news too (the waiting reason changes).
    const waits = [...this.lanes.values()].map((l) => (this.pushback.waitAny(l.name, now) > 0 ? 'w' : '-'));
    const key = `${this.lanes.stateKey(now)}|${waits.join('')}|${this.scheduler.refresh.reason ? 'r' : ''}`;
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
