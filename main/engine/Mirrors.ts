import type { TransferInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import type { DownloadFiles } from './DownloadFiles.ts';
import type { Validator } from './httpHeaders.ts';
import { MirrorPieces } from './MirrorPieces.ts';
import {
  leastLoaded,
  LOWEST_PRIORITY,
  MirrorSource,
  refusal,
  type MirrorOptions,
  type Reference,
} from './MirrorSource.ts';
import type { PathLane } from './PathLane.ts';
import type { PathLanes } from './PathLanes.ts';
import type { FetchResult, RangeFetch } from './RangeFetch.ts';
import { probeRange, type ProbeResult } from './RangeProbe.ts';
import type { AddressRules } from './RedirectGuard.ts';
import { nameFromUrl } from './SafeFileName.ts';
import type { ServedFile } from './ServedFile.ts';
import { originOf, type ServerPushback } from './ServerPushback.ts';
import type { JournalState } from './TransferJournal.ts';
import {
  BadAnswerError,
  HttpStatusError,
  isPushBack,
  linkStopped,
  networkError,
  TransferErrorCodes,
} from './transferErrors.ts';
import type { TransferTuning } from './TransferOptions.ts';

/** What the sources need of the download phase they serve (FetchScheduler). */
export interface MirrorHost {
  /** The download phase still waits on its fetches. */
  waiting(): boolean;
  signal(): AbortSignal;
  /** Ends the download phase with an error (no source is left). */
  reject(error: unknown): void;
  /** [start, end) must be fetched again (a piece that failed its hash), before anything else. */
  refetch(start: number, end: number): void;
  pump(): void;
  checkComplete(): void;
}

/** Where one range is asked: a source (null for the download's one URL) and its pin. */
export interface SourcePick {
  source: MirrorSource | null;
  url: URL;
  validator: Validator;
  encoding: string | null;
}

/** A path's recovery probe when the source the download was pinned from is out of service. */
export interface RecoveryTarget {
  href: string;
  guard: MirrorSource['redirects'];
  /** The probe answered (the path works): the source is judged by what it said. */
  answered(probe: ProbeResult): void;
}

/** Failures in a row after which a source is dropped for this run. */
const MAX_FAILURES = 5;
/** Wrong ranges (another Content-Range, a length that disagrees) in a row after which it is dropped. */
const MAX_BAD_ANSWERS = 2;
const PROBES_AT_ONCE = 4;

/** Failures that are the server's doing: it answered, or refused to. */
const SERVER_CODES = new Set<string>([
  TransferErrorCodes.refused,
  TransferErrorCodes.tls,
  TransferErrorCodes.httpStatus,
  TransferErrorCodes.badResponse,
  TransferErrorCodes.redirect,
  TransferErrorCodes.changed,
  TransferErrorCodes.truncated,
]);
/** Failures that may be the path's or the server's: told apart by the path's other connections. */
const UNCERTAIN_CODES = new Set<string>([
  TransferErrorCodes.timeout,
  TransferErrorCodes.connectionLost,
  TransferErrorCodes.network,
  TransferErrorCodes.dns,
]);

/**
 * Mirrors: one file from several servers (`pathwise get URL1 URL2 …`, a Metalink). The first URL
 * is the primary; the download is pinned from the first source that answers its probe (normally
 * the primary; ServedFile), and every other source is probed as the download starts and used only
 * if it serves the same file (MirrorSource.refusal). Each range is asked of one source: a path's
 * connections are spread over the sources, the faster ones getting more (an idle connection goes
 * to the source with the fewest connections on its path per unit of speed), so each path's share
 * is split over the mirrors. A failure the server is to blame for (a status, a refusal, a lie
 * about the range, a cut) rests that source and moves its range elsewhere, first in line; it is
 * dropped when it is not this file (another size, a 404), keeps lying or keeps failing. A piece
 * that fails the Metalink's hash is fetched again from one source, and the source that wrote it
 * dropped. The download fails only when no source is left.
 *
 * With one URL (and no piece hashes) none of this applies: every range goes to the pinned link
 * and the download's own rules (LinkRefresh, VersionRestart) hold unchanged.
 */
export class Mirrors {
  readonly sources: MirrorSource[];
  /** The source the download's ServedFile was pinned from (its pin is read there). */
  private anchor: MirrorSource;
  private readonly fetchSource = new Map<RangeFetch, MirrorSource>();
  private readonly served: ServedFile;
  private readonly lanes: PathLanes;
  private readonly pushback: ServerPushback;
  private readonly files: DownloadFiles;
  private readonly tuning: TransferTuning;
  private readonly options: MirrorOptions | null;
  private readonly hashDecides: boolean;
  private host: MirrorHost | null = null;
  private pieces: MirrorPieces | null = null;
  private lastReadyAt = 0;
  private probeTurn = 0;
  private lastError: PathwiseError | null = null;

  constructor(
    transfer: { url: string; mirrors?: MirrorOptions; sha256?: string; addressRules?: AddressRules },
    parts: { served: ServedFile; lanes: PathLanes; pushback: ServerPushback; files: DownloadFiles },
    tuning: TransferTuning,
  ) {
    this.served = parts.served;
    this.lanes = parts.lanes;
    this.pushback = parts.pushback;
    this.files = parts.files;
    this.tuning = tuning;
    this.options = transfer.mirrors ?? null;
    this.hashDecides = Boolean(transfer.sha256 ?? this.options?.pieces);
    const given = [{ url: transfer.url, priority: 0 }, ...(this.options?.urls ?? [])];
    const unique = given.filter((g, i) => given.findIndex((o) => o.url === g.url) === i);
    this.sources = unique.map(
      (g, i) => new MirrorSource(g.url, g.priority ?? LOWEST_PRIORITY + 1, i, transfer.addressRules),
    );
    this.anchor = this.sources[0] as MirrorSource;
  }

  /** More than one source: ranges are spread over them and a failing one is left behind. */
  get active(): boolean {
    return this.sources.length > 1;
  }

  /** Pieces still to be judged: the download is not complete before they are. */
  get checking(): boolean {
    return this.pieces?.busy ?? false;
  }

  // ─── The run ───────────────────────────────────────────────────────────────────────────────

  /** A new run: every source is asked again, its counters from zero. */
  reset(): void {
    this.pieces?.stop();
    this.pieces = null;
    this.host = null;
    this.fetchSource.clear();
    this.lastError = null;
    for (const source of this.sources) {
      Object.assign(source, { state: 'new', pin: null, bytes: 0, failures: 0, badPieces: 0, why: null });
      source.wrote.remove(0, Number.MAX_SAFE_INTEGER);
    }
    this.anchor = this.sources[0] as MirrorSource;
  }

  /**
   * The download's first probe (`probe(url)`, through ProbeRound): the primary's, or when it fails
   * and there are mirrors, the next source's by priority, so a primary that is down or not this
   * file (another size than the Metalink's) does not end a download others can serve. The source
   * that answers is the one the download is pinned from. Path faults the failed probes left are
   * undone: they were the server's doing, and the next source is asked over the same paths.
   */
  async firstProbe(probe: (url?: string) => Promise<ProbeResult>): Promise<ProbeResult> {
    if (!this.active) return probe();
    const order = [...this.sources].sort((a, b) => a.priority - b.priority || a.index - b.index);
    let first: unknown = null;
    for (const source of order) {
      const faults = [...this.lanes.values()].map((l) => [l, l.fault, l.failures, l.retryAt] as const);
      try {
        const result = await probe(source.index === 0 ? undefined : source.url);
        const size = this.options?.size;
        if (size !== undefined && result.size !== size) {
          result.abort?.();
          const why = `it serves ${result.size ?? 'an unknown number of'} bytes, not the ${size} of the Metalink`;
          this.dropNow(source, why);
          first ??= new PathwiseError(TransferErrorCodes.sha256, why);
          continue;
        }
        this.anchor = source;
        source.state = 'ready';
        // The file is named after the first URL, whichever source answered first.
        return source.index === 0
          ? result
          : { ...result, fileName: result.fileName ?? nameFromUrl(this.sources[0]?.url ?? '') };
      } catch (error) {
        if (!(error instanceof PathwiseError) || error.code === TransferErrorCodes.noPath) throw error;
        first ??= error;
        for (const [lane, fault, failures, retryAt] of faults)
          Object.assign(lane, { fault, failures, retryAt });
        this.charge(source, error, performance.now());
      }
    }
    throw this.noneLeft(first as PathwiseError, true);
  }

  /** The download phase starts: mirrors are probed, and piece hashes laid over the part file. */
  begin(host: MirrorHost): void {
    this.host = host;
    this.lastReadyAt = performance.now();
    this.pieces = this.layPieces();
    // Bytes an earlier run left are checked like new ones (a crash may have kept a bad piece).
    if (this.files.resumedBytes > 0) this.pieces?.checkWhole();
    this.tick(performance.now());
  }

  /** The file changed on the server and the download starts over: every mirror is asked again. */
  restarted(): void {
    this.pieces?.stop();
    for (const source of this.sources) {
      source.wrote.remove(0, Number.MAX_SAFE_INTEGER);
      if (source !== this.anchor && source.live) Object.assign(source, { state: 'new', pin: null });
    }
    this.pieces = this.layPieces();
  }

  /** The Metalink's piece hashes over the part file, when they fit it. */
  private layPieces(): MirrorPieces | null {
    const hashes = this.options?.pieces;
    const size = this.served.size;
    if (!this.host || !MirrorPieces.usable(hashes, this.files, size)) return null;
    const host = this.host;
    return new MirrorPieces(hashes, size as number, this.files, {
      sources: this.sources,
      running: () => this.fetchSource.entries(),
      drop: (source, why, error) => this.drop(source, why, error),
      refetch: (start, end) => host.refetch(start, end),
      idle: () => host.checkComplete(),
    });
  }

  /** Every tick: sources due a probe are asked; with none able to serve for `giveUpMs`, the download fails. */
  tick(now: number): void {
    if (!this.active || !this.host?.waiting()) return;
    let probing = this.sources.filter((s) => s.state === 'probing').length;
    for (const source of [...this.sources].sort((a, b) => a.priority - b.priority)) {
      if (probing >= PROBES_AT_ONCE) break;
      if (source.state === 'new' || (source.state === 'resting' && now >= source.retryAt)) {
        if (this.probe(source, now)) probing++;
      }
    }
    if (this.sources.some((s) => s.state === 'ready')) this.lastReadyAt = now;
    else if (probing === 0 && now - this.lastReadyAt > this.tuning.giveUpMs)
      this.host.reject(this.noneLeft());
  }

  // ─── Which source a range is asked of ──────────────────────────────────────────────────────

  /** May `lane` ask anything now: a source is ready that has not told it to wait. */
  canAsk(lane: string, origin: string, now: number): boolean {
    if (!this.active) return this.pushback.waitFor(lane, origin, now) === 0;
    return this.sources.some((s) => s.state === 'ready' && this.mayAsk(s, lane, now));
  }

  /**
   * The source a range from `start` is asked of over `lane`: the source a failed piece is pinned
   * to, else the one whose connections on this path are fewest for its speed (an unmeasured one
   * counts as the fastest, so it is tried; priority breaks ties). An answer already on its way (the probe's, a
   * lead's) or the one stream of a server without ranges is the pinned source's.
   */
  pick(lane: string, start: number, pinnedOnly: boolean, now: number): SourcePick {
    const source = pinnedOnly || !this.active ? this.anchor : (this.choose(lane, start, now) ?? this.anchor);
    return { source, ...this.pinOf(source) };
  }

  /** A fetch was made for `pick`: its bytes, speed and failure are its source's. */
  track(fetch: RangeFetch, pick: SourcePick): void {
    if (pick.source) this.fetchSource.set(fetch, pick.source);
  }

  private choose(lane: string, start: number, now: number): MirrorSource | null {
    const pinned = this.pieces?.pinnedAt(start);
    if (pinned?.state === 'ready' && this.mayAsk(pinned, lane, now)) return pinned;
    const load = new Map<MirrorSource, number>();
    for (const [fetch, source] of this.fetchSource) {
      if (fetch.lane === lane) load.set(source, (load.get(source) ?? 0) + 1);
    }
    const ready = this.sources
      .filter((s) => s.state === 'ready' && this.mayAsk(s, lane, now))
      .map((s) => ({
        source: s,
        load: load.get(s) ?? 0,
        rate: s.connectionRate,
        priority: s.priority,
        index: s.index,
      }));
    return leastLoaded(ready)?.source ?? null;
  }

  private mayAsk(source: MirrorSource, lane: string, now: number): boolean {
    return this.pushback.waitFor(lane, originOf(this.pinOf(source).url.href), now) === 0;
  }

  private pinOf(source: MirrorSource): Omit<SourcePick, 'source'> {
    if (source !== this.anchor && source.pin) return source.pin;
    return {
      url: this.served.pinnedUrl as URL,
      validator: this.served.validator,
      encoding: this.served.encoding,
    };
  }

  // ─── How fetches end ───────────────────────────────────────────────────────────────────────

  /**
   * A fetch ended: its bytes and speed are booked to its source. True when its failure is the
   * source's to bear (it rests or is dropped, and the caller only plans its range again, first in
   * line); false when the download's own rules judge it (a path's fault, a push-back, or the
   * primary as the last source: LinkRefresh and VersionRestart).
   */
  ended(lane: PathLane, fetch: RangeFetch, result: FetchResult, now: number): boolean {
    const source = this.fetchSource.get(fetch);
    this.fetchSource.delete(fetch);
    if (!source) return false;
    source.bytes += fetch.bytes;
    // Who wrote which bytes matters only to blame a piece that fails its hash.
    if (this.pieces && fetch.pos > fetch.start) source.wrote.add(fetch.start, fetch.pos);
    source.sample(fetch.bytes, now - (fetch.firstByteAt ?? fetch.startedAt));
    if (result.status === 'complete') {
      source.failures = 0;
      return false;
    }
    // (Without a host the download runs as one stream from the pinned link: its own rules hold.)
    if (result.status !== 'failed' || !this.active || !this.host || !source.live) return false;
    if (isPushBack(result.error)) return false;
    const othersLeft = this.sources.some((s) => s !== source && s.live);
    if (source.index === 0 && source === this.anchor && !othersLeft) return false;
    if (!this.serversFault(result.error, lane, fetch, now)) return false;
    this.charge(source, result.error, now);
    return true;
  }

  /**
   * The server, not the path, is to blame: it answered (a status, a lie, a refusal, a cut after
   * bytes), or the path's other connections delivered after this one went quiet.
   */
  private serversFault(error: PathwiseError, lane: PathLane, fetch: RangeFetch, now: number): boolean {
    if (error instanceof BadAnswerError || SERVER_CODES.has(error.code)) return true;
    if (!UNCERTAIN_CODES.has(error.code)) return false;
    if (error.code === TransferErrorCodes.connectionLost && fetch.bytes > 0) return true;
    const siblingsDeliver = [...lane.fetches].some(
      (f) => f.receiving && now - f.lastProgressAt < this.tuning.stallFloorMs,
    );
    return siblingsDeliver || (lane.lastByteAt !== null && lane.lastByteAt > fetch.lastProgressAt);
  }

  /** A failure `source` is to blame for: it rests (asked again after a back-off) or is dropped. */
  private charge(source: MirrorSource, error: PathwiseError, now: number): void {
    source.failures++;
    this.lastError = error;
    const limit = error instanceof BadAnswerError ? MAX_BAD_ANSWERS : MAX_FAILURES;
    if (source.failures >= limit || this.notThisFile(source, error)) {
      this.drop(source, error.message, error);
      return;
    }
    source.state = 'resting';
    source.why = error.message;
    // A link that stopped working (a signed one that expired) is asked for again at once.
    const renew = linkStopped(error) || error.code === TransferErrorCodes.redirect;
    source.retryAt = renew
      ? now
      : now + Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** (source.failures - 1));
  }

  /** The source does not have this file: another version or size, or a status that says it is gone. */
  private notThisFile(source: MirrorSource, error: PathwiseError): boolean {
    if (error.code === TransferErrorCodes.changed) return true;
    if (!(error instanceof HttpStatusError) || error.status >= 500 || error.status === 408) return false;
    // A 401/403/404/410 from a link a redirect led to is an expired link: asked again from its URL.
    const pinned = source === this.anchor ? this.served.pinnedUrl : source.pin?.url;
    const redirected = pinned !== null && pinned !== undefined && pinned.href !== new URL(source.url).href;
    return !(redirected && linkStopped(error));
  }

  /** Nothing more is asked of `source` in this run; its running ranges stop and go elsewhere. */
  private drop(source: MirrorSource, why: string, error?: PathwiseError): void {
    if (!source.live) return;
    this.dropNow(source, why);
    if (error) this.lastError = error;
    for (const [fetch, owner] of this.fetchSource) if (owner === source) fetch.abort(null);
    this.pieces?.forget(source);
    if (!this.sources.some((s) => s.live)) this.host?.reject(this.noneLeft());
    else this.host?.pump();
  }

  private dropNow(source: MirrorSource, why: string): void {
    source.state = 'dropped';
    source.why = why;
  }

  /** Every source was dropped, or none could serve for giveUpMs: what the download fails with. */
  private noneLeft(last: PathwiseError | null = this.lastError, atStart = false): PathwiseError {
    const each = this.sources.map((s) => `${s.url}: ${s.why ?? s.state}`).join('; ');
    const message = atStart
      ? `None of this file's sources could serve it (${each}).`
      : `No source of this file is left (${each}). What arrived is kept: run the download again to resume.`;
    // Told as the last failure was (its code, and its status for a server's answer).
    if (last instanceof HttpStatusError) {
      return new HttpStatusError(last.status, message, last.url, last.retryAfterMs);
    }
    return new PathwiseError(last?.code ?? TransferErrorCodes.network, message);
  }

  // ─── Probing sources ───────────────────────────────────────────────────────────────────────

  /** Asks `source` for its first byte over one of the usable paths (in turn); false when none is. */
  private probe(source: MirrorSource, now: number): boolean {
    const usable = this.lanes.select(now, true).map((name) => this.lanes.get(name) as PathLane);
    const lane = usable[this.probeTurn++ % Math.max(1, usable.length)];
    const host = this.host;
    if (!lane || !host) return false;
    source.state = 'probing';
    const generation = this.served.generation;
    // From the URL as given: a link its redirects led to may have expired (a signed one).
    probeRange(source.url, {
      dispatcher: lane.dispatcher(),
      pathName: lane.name,
      timeoutMs: this.tuning.probeTimeoutMs,
      signal: host.signal(),
      guard: source.redirects,
    }).then(
      (probe) => this.probed(source, probe, generation),
      (error: unknown) => this.probeFailed(source, lane, error, generation),
    );
    return true;
  }

  private stale(source: MirrorSource, generation: number): boolean {
    if (generation === this.served.generation && this.host?.waiting() && source.state === 'probing')
      return false;
    if (source.state === 'probing') source.state = 'new';
    return true;
  }

  private probed(source: MirrorSource, probe: ProbeResult, generation: number): void {
    if (this.stale(source, generation)) return;
    if (source === this.anchor) {
      if (!this.served.matches(probe)) {
        this.drop(source, `it now serves another version (${this.served.changedTo(probe).message})`);
        return;
      }
      this.served.pinnedUrl = new URL(probe.url);
    } else {
      const why = refusal(probe, this.reference());
      if (why) {
        this.drop(source, why);
        return;
      }
      source.pin = { url: new URL(probe.url), validator: probe.validator, encoding: probe.encoding };
    }
    source.state = 'ready';
    source.why = null;
    this.host?.pump();
  }

  private probeFailed(source: MirrorSource, lane: PathLane, error: unknown, generation: number): void {
    if (this.stale(source, generation)) return;
    const coded = networkError(error, { host: new URL(source.url).host, path: lane.name });
    const now = performance.now();
    if (isPushBack(coded)) {
      source.state = 'resting';
      source.why = coded.message;
      source.retryAt = now + this.pushback.pushBack(lane.name, coded, now);
      return;
    }
    if (coded.code === TransferErrorCodes.badResponse || coded.code === TransferErrorCodes.redirect) {
      this.drop(source, coded.message, coded);
      return;
    }
    this.charge(source, coded, now);
  }

  /** What a source's probe is judged against: the pinned version. */
  private reference(): Reference {
    return {
      size: this.served.size,
      encoding: this.served.encoding,
      validator: this.served.validator,
      url: this.served.href,
      hashDecides: this.hashDecides,
    };
  }

  /**
   * A path's recovery probe, when the source the download was pinned from can't answer it (it
   * rests or was dropped): asked of a source that serves, so a path is not kept out of service
   * by one server's trouble. Null: the pinned link, as without mirrors.
   */
  recoveryTarget(): RecoveryTarget | null {
    if (!this.active || this.anchor.state === 'ready') return null;
    const source = this.sources.find((s) => s.state === 'ready');
    if (!source) return null;
    return {
      href: this.pinOf(source).url.href,
      guard: source.redirects,
      answered: (probe) => {
        const why = refusal(probe, this.reference());
        if (why) this.drop(source, why);
      },
    };
  }

  // ─── What is said about them ───────────────────────────────────────────────────────────────

  /** Each source's state and bytes for TransferInfo (and --json); undefined with one source. */
  info(): TransferInfo['sources'] {
    if (!this.active) return undefined;
    const running = new Map<MirrorSource, number>();
    for (const [fetch, source] of this.fetchSource)
      running.set(source, (running.get(source) ?? 0) + fetch.bytes);
    return this.sources.map((s) => ({
      url: s.url,
      state: s.state,
      bytes: s.bytes + (running.get(s) ?? 0),
      why: s.why,
    }));
  }

  /** The validators a journal keeps per source, so a resume pinned from another source can compare. */
  saved(): JournalState['sources'] {
    if (!this.active) return undefined;
    return this.sources.flatMap((s) => {
      const pinned = s === this.anchor ? (this.served.pinnedUrl ? this.pinOf(s) : null) : s.pin;
      return pinned
        ? [{ url: s.url, etag: pinned.validator.etag, lastModified: pinned.validator.lastModified }]
        : [];
    });
  }

  /** The validator the journal kept for the source this run was pinned from; null when it has none. */
  validatorFor(saved: JournalState): Validator | null {
    const entry = saved.sources?.find((s) => s.url === this.anchor.url);
    return entry ? { etag: entry.etag, lastModified: entry.lastModified } : null;
  }
}
