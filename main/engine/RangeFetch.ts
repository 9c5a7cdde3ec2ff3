import type { Dispatcher } from 'undici';
import { PathwiseError } from '../../common/errors.ts';
import {
  conditionalHeaders,
  contentEncoding,
  contentLength,
  header,
  parseContentRange,
  sameValidator,
  validatorOf,
  type Validator,
} from './httpHeaders.ts';
import type { PartFile } from './PartFile.ts';
import { discard, requestHeaders, type LeadRequest, type ResponseBody } from './RangeProbe.ts';
import { RateMeter } from './RateMeter.ts';
import {
  badAnswer,
  answeredWhole,
  changedOnServer,
  httpStatusError,
  networkError,
  TransferErrorCodes,
} from './transferErrors.ts';
import { request as sendRequest } from '../network/undiciCore.ts';

/** chunk: fresh work; steal: the tail of another connection's range; duplicate: the endgame race; stream: a server without ranges. */
export type FetchKind = 'chunk' | 'steal' | 'duplicate' | 'stream';

export type FetchResult =
  { status: 'complete' } | { status: 'stopped' } | { status: 'failed'; error: PathwiseError };

export interface RangeFetchOptions {
  id: number;
  lane: string;
  kind: FetchKind;
  dispatcher: Dispatcher;
  url: URL;
  start: number;
  /** Exclusive; Infinity for a stream of unknown length. */
  end: number;
  /** What every answer must agree with (pinned at the probe). */
  expect: { size: number | null; validator: Validator; encoding: string | null };
  part: PartFile;
  /** Counts received bytes; returns how many ms to stop reading (a rate limit), 0 to go on. */
  onBytes: (fetch: RangeFetch, bytes: number, now: number) => number;
  onFirstByte?: (fetch: RangeFetch) => void;
  /**
   * The server answered less than asked, from the right start (a server that caps range sizes):
   * the fetch now ends at `end`, and [end, before) is the caller's to plan again.
   */
  onShortAnswer?: (fetch: RangeFetch, end: number, before: number) => void;
  /** An answer that is already open: the probe's (a 200 for a stream, a 206 for the first chunk). */
  response?: { body: ResponseBody; abort: () => void };
  /**
   * This very range, asked for without a validator while the probe was on its way: its answer is
   * used if it names the pinned version, else it is dropped and the range asked for again.
   */
  lead?: LeadRequest;
}

/** Received bytes held in memory per connection before reading pauses until the disk catches up. */
const HIGH_WATER = 512 << 10;

/**
 * One HTTP request on one path: asks for [start, end) with the pinned validators, checks the
 * answer against RFC 9110 (206, Content-Range, Content-Length, validators, encoding), and streams
 * the body straight to its offset in the part file. It never writes past `end`, which a steal may
 * lower while it runs; bytes received before a failure are kept.
 */
export class RangeFetch {
  readonly id: number;
  readonly lane: string;
  readonly kind: FetchKind;
  readonly start: number;
  readonly requestEnd: number;
  readonly startedAt = performance.now();
  readonly meter = new RateMeter(1000, 100);
  pos: number;
  end: number;
  bytes = 0;
  paired = false;
  /** Bytes still promised to this fetch against its path's cap. */
  reserved = 0;
  headersAt: number | null = null;
  firstByteAt: number | null = null;
  lastProgressAt = this.startedAt;
  /** Smoothed time between body chunks, for the adaptive stall threshold. */
  gapMs = 0;
  /** Where the server's answer ends (exclusive): the request's end, or less when it capped the range. */
  answerEnd: number;

  private readonly options: RangeFetchOptions;
  private readonly controller = new AbortController();
  private body: ResponseBody | null = null;
  private stopReason: { error: PathwiseError | null } | null = null;
  private finishConsume: (() => void) | null = null;
  private queue: Buffer[] = [];
  private queued = 0;
  private flushedTo: number;
  private writing: Promise<void> | null = null;
  private writeError: PathwiseError | null = null;
  private holdUntil = 0;
  private holdTimer: NodeJS.Timeout | null = null;
  private paused = false;
  private settledWaiters: Array<() => void> = [];

  constructor(options: RangeFetchOptions) {
    this.options = options;
    this.id = options.id;
    this.lane = options.lane;
    this.kind = options.kind;
    this.start = options.start;
    this.requestEnd = options.end;
    this.pos = options.start;
    this.end = options.end;
    this.flushedTo = options.start;
    this.answerEnd = options.end;
  }

  /** Where this fetch asks (the pinned link it was started with). */
  get url(): URL {
    return this.options.url;
  }

  rate(now: number): number {
    return this.firstByteAt === null ? 0 : this.meter.rate(now);
  }

  /** How long this connection has gone without bytes while it could have received some. */
  silentFor(now: number): number {
    if (this.paused || this.stopReason) return 0;
    return now - this.lastProgressAt;
  }

  get receiving(): boolean {
    return this.headersAt !== null;
  }

  get stopped(): boolean {
    return this.stopReason !== null;
  }

  /** Lower the end (another connection took the tail). Returns the new end. */
  truncate(newEnd: number): number {
    this.end = Math.max(this.pos, Math.min(this.end, newEnd));
    if (this.pos >= this.end) this.reachedEnd();
    return this.end;
  }

  /** Stop now; with an error the fetch counts as failed (stall, path down), else as stopped. */
  abort(error: PathwiseError | null = null): void {
    if (this.stopReason) return;
    this.stopReason = { error };
    this.controller.abort();
    this.options.response?.abort();
    this.options.lead?.abort();
    if (this.body) discard(this.body);
    this.finishConsume?.();
  }

  async run(): Promise<FetchResult> {
    let failure: PathwiseError | null = null;
    try {
      const body = this.options.response?.body ?? (await this.adoptLead()) ?? (await this.request());
      if (this.options.response) this.headersAt = performance.now();
      this.lastProgressAt = performance.now();
      if (this.stopReason) discard(body);
      else await this.consume(body);
    } catch (error) {
      // A PathwiseError (a refused answer) comes back as it is.
      failure = networkError(error, { host: this.options.url.host, path: this.lane });
    }
    await this.settled();
    if (this.writeError) return { status: 'failed', error: this.writeError };
    if (this.pos >= this.end) return { status: 'complete' };
    if (this.stopReason) {
      return this.stopReason.error
        ? { status: 'failed', error: this.stopReason.error }
        : { status: 'stopped' };
    }
    return {
      status: 'failed',
      error:
        failure ??
        new PathwiseError(
          TransferErrorCodes.truncated,
          `The server ended the answer early over ${this.lane} (${this.pos - this.start} of ${this.end - this.start} bytes).`,
        ),
    };
  }

  /**
   * The lead's answer when it is exactly this range of the pinned version, else null (the caller
   * asks again with the validator). Its network errors are this fetch's: the path failed.
   */
  private async adoptLead(): Promise<ResponseBody | null> {
    const lead = this.options.lead;
    if (!lead) return null;
    const response = await lead.response;
    if (response.statusCode === 429 || response.statusCode === 503) {
      // The server asks for patience: this range waits with its path, not asked again at once.
      discard(response.body);
      throw httpStatusError(response.statusCode, lead.url, response.headers);
    }
    try {
      if (!sameValidator(this.options.expect.validator, validatorOf(response.headers))) {
        throw new Error('another version');
      }
      this.check(response, true);
    } catch {
      discard(response.body);
      return null;
    }
    this.headersAt = performance.now();
    return response.body;
  }

  private async request(): Promise<ResponseBody> {
    const { url, expect } = this.options;
    const ranged = this.kind !== 'stream';
    const headers = ranged
      ? requestHeaders({
          range: `bytes=${this.start}-${this.requestEnd - 1}`,
          ...conditionalHeaders(expect.validator),
        })
      : requestHeaders();
    const response = await sendRequest(this.options.dispatcher, {
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers,
      signal: this.controller.signal,
    });
    this.headersAt = performance.now();
    try {
      this.check(response, ranged);
    } catch (error) {
      discard(response.body);
      throw error;
    }
    return response.body;
  }

  private check(response: Dispatcher.ResponseData, ranged: boolean): void {
    const { url, expect } = this.options;
    const { statusCode: status, headers } = response;
    const where = url.href;
    if (ranged && status === 200) throw answeredWhole(where);
    if (status === 412 || (ranged && status === 416)) {
      throw changedOnServer(
        where,
        status === 412 ? 'the server says the pinned version is gone (412)' : 'the file got shorter (416)',
      );
    }
    if (status >= 300 && status < 400) {
      throw new PathwiseError(
        TransferErrorCodes.redirect,
        `${where} now redirects (${status}) although it did not when the download started; run it again.`,
      );
    }
    if (status !== (ranged ? 206 : 200)) throw httpStatusError(status, where, headers);
    const validator = validatorOf(headers);
    if (expect.validator.etag && validator.etag && validator.etag !== expect.validator.etag) {
      throw changedOnServer(where, `ETag ${expect.validator.etag} became ${validator.etag}`);
    }
    if (
      !expect.validator.etag &&
      expect.validator.lastModified &&
      validator.lastModified &&
      validator.lastModified !== expect.validator.lastModified
    ) {
      throw changedOnServer(
        where,
        `Last-Modified went from ${expect.validator.lastModified} to ${validator.lastModified}`,
      );
    }
    if (contentEncoding(headers) !== expect.encoding) {
      throw changedOnServer(
        where,
        `Content-Encoding was ${expect.encoding ?? 'identity'} and is now ${contentEncoding(headers) ?? 'identity'}`,
      );
    }
    const length = contentLength(headers);
    if (!ranged) {
      if (expect.size !== null && length !== null && length !== expect.size) {
        throw changedOnServer(where, `its length went from ${expect.size} to ${length} bytes`);
      }
      if (this.end === Number.POSITIVE_INFINITY && length !== null) this.end = this.answerEnd = length;
      return;
    }
    this.checkRange(header(headers, 'content-range'), length);
  }

  /**
   * A 206's range: it must start where asked and end at or before the requested end, with a
   * Content-Length that matches it. A shorter answer (a server that caps range sizes) is taken:
   * this fetch ends there and the rest goes back to be planned (onShortAnswer).
   */
  private checkRange(raw: string | undefined, length: number | null): void {
    const { url, expect } = this.options;
    const where = url.href;
    const range = parseContentRange(raw);
    if (range?.kind !== 'range') throw badAnswer(where, `a 206 with Content-Range "${raw ?? '(none)'}"`);
    if (range.size !== null && expect.size !== null && range.size !== expect.size) {
      throw changedOnServer(where, `its length went from ${expect.size} to ${range.size} bytes`);
    }
    const answered = range.end + 1;
    if (range.start !== this.start || answered > this.requestEnd) {
      throw badAnswer(
        where,
        `asked for bytes ${this.start}-${this.requestEnd - 1}, got Content-Range "${raw}"`,
      );
    }
    if (length !== null && length !== answered - this.start) {
      throw badAnswer(
        where,
        `Content-Length ${length} does not match the ${answered - this.start} bytes of Content-Range "${raw}"`,
      );
    }
    this.answerEnd = answered;
    const before = this.end;
    if (answered < before) {
      this.end = answered;
      this.options.onShortAnswer?.(this, answered, before);
    }
  }

  private consume(body: ResponseBody): Promise<void> {
    this.body = body;
    return new Promise<void>((resolve, reject) => {
      // Called again by later events, which a settled promise ignores; after a stop, run() reports the stop, not the error.
      const finish = (error?: unknown): void => {
        this.finishConsume = null;
        if (error) reject(error);
        else resolve();
      };
      this.finishConsume = () => finish();
      body.on('data', (chunk: Buffer) => this.onData(chunk));
      body.on('end', () => {
        if (this.end === Number.POSITIVE_INFINITY) this.end = this.pos;
        finish();
      });
      body.on('error', (error) => finish(error));
      body.on('close', () => finish());
      // A kept answer (the probe's) may have failed before anyone read it.
      if (body.destroyed) {
        finish(
          body.errored ??
            new PathwiseError(
              TransferErrorCodes.truncated,
              `The connection over ${this.lane} closed before its answer was read.`,
            ),
        );
      }
      // Nothing to do when the answer is empty: a steal that took all of it already stopped this fetch.
    });
  }

  private onData(chunk: Buffer): void {
    if (this.stopReason) return;
    const now = performance.now();
    const room = this.end - this.pos;
    const piece = chunk.subarray(0, room);
    if (piece.length > 0) {
      const gap = now - this.lastProgressAt;
      this.gapMs = this.firstByteAt === null ? 0 : this.gapMs * 0.9 + gap * 0.1;
      this.lastProgressAt = now;
      this.queue.push(piece);
      this.queued += piece.length;
      this.pos += piece.length;
      this.bytes += piece.length;
      this.meter.add(piece.length, now);
      if (this.firstByteAt === null) {
        this.firstByteAt = now;
        this.options.onFirstByte?.(this);
      }
      this.holdUntil = Math.max(this.holdUntil, now + this.options.onBytes(this, piece.length, now));
      this.flush();
      this.updateFlow();
    }
    if (this.pos >= this.end) this.reachedEnd();
  }

  /** Reading pauses while a rate limit holds it or the disk is behind; the watchdog ignores that time. */
  private updateFlow(): void {
    const body = this.body;
    if (!body || this.stopReason) return;
    const now = performance.now();
    const hold = now < this.holdUntil;
    if (hold && !this.holdTimer) {
      this.holdTimer = setTimeout(() => {
        this.holdTimer = null;
        this.updateFlow();
      }, this.holdUntil - now);
    }
    const shouldPause = hold || this.queued > HIGH_WATER;
    if (shouldPause && !this.paused) {
      this.paused = true;
      body.pause();
    } else if (!shouldPause && this.paused) {
      this.paused = false;
      this.lastProgressAt = now;
      body.resume();
    }
  }

  private reachedEnd(): void {
    if (this.pos < this.answerEnd) {
      // Another connection took the rest of this range: close this answer early.
      this.abort(null);
    }
    // Otherwise the body ends on its own, and the connection can be reused.
  }

  private flush(): void {
    // One write at a time; bytes that came meanwhile go with the next. After a failed write no more come (abort).
    if (this.writing || this.queue.length === 0) return;
    const buffers = this.queue;
    const length = this.queued;
    const position = this.flushedTo;
    this.queue = [];
    this.flushedTo += length;
    this.writing = this.options.part.write(buffers, position).then(
      () => {
        this.queued -= length;
        this.writing = null;
        this.flush();
        this.updateFlow();
        this.notifySettled();
      },
      (error: unknown) => {
        this.writing = null;
        this.writeError = error as PathwiseError;
        this.abort(this.writeError);
        this.notifySettled();
      },
    );
  }

  /** With no write running every byte received is written, or writing failed: flush starts one whenever bytes wait. */
  private notifySettled(): void {
    if (this.writing) return;
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once every byte received so far is written (or writing failed). */
  settled(): Promise<void> {
    if (this.holdTimer) {
      clearTimeout(this.holdTimer);
      this.holdTimer = null;
    }
    if (!this.writing) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }
}
