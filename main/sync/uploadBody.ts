import { createReadStream } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { Attempt } from './WebDavClient.ts';

/** A job's upload rate limit: one token bucket for all its uploads. */
export class RateBucket {
  private readonly rateBps: number | null;
  private tokens: number;
  private at = performance.now();

  constructor(rateBps: number | null) {
    this.rateBps = rateBps && rateBps > 0 ? rateBps : null;
    this.tokens = this.burst();
  }

  private burst(): number {
    return this.rateBps === null ? 0 : Math.max(16 * 1024, this.rateBps * 0.1);
  }

  /** How long to wait (ms) before sending `bytes` more. */
  take(bytes: number, now = performance.now()): number {
    if (this.rateBps === null) return 0;
    this.tokens = Math.min(this.burst(), this.tokens + ((now - this.at) * this.rateBps) / 1000) - bytes;
    this.at = now;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.rateBps;
  }
}

export interface BodyHooks {
  /** Bytes handed to the path's socket. */
  book: (path: string, bytes: number) => void;
  bucket: RateBucket;
  /** Give up on a path when it takes nothing for this long. */
  stallMs: number;
}

const CHUNK = 64 * 1024;

/** What an upload sends: a file's content read whole, a file (streamed), or a part of one. */
export type BodySource = Buffer | string | { file: string; start: number; end: number };

function read(source: BodySource): Readable {
  if (Buffer.isBuffer(source)) return Readable.from(chunks(source), { objectMode: false });
  if (typeof source === 'string') return createReadStream(source, { highWaterMark: CHUNK });
  // `end` is exclusive here, inclusive for createReadStream.
  return createReadStream(source.file, { start: source.start, end: source.end - 1, highWaterMark: CHUNK });
}

/**
 * An upload's body for one attempt: the bytes counted under the path as the socket takes them,
 * held to the job's rate, and watched: a path that takes nothing for `stallMs` is given up (the
 * attempt aborts; the next path gets the body again from its first byte — a plain WebDAV PUT
 * cannot be resumed, so a large file on Nextcloud goes up in chunks, chunkedUpload.ts).
 */
export function uploadBody(source: BodySource, attempt: Attempt, hooks: BodyHooks): Readable {
  const input = read(source);
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`the upload stalled on ${attempt.path}`), { code: 'ETIMEDOUT' });
      attempt.abort(error);
      counted.destroy(error);
    }, hooks.stallMs);
  };
  const counted = new Transform({
    highWaterMark: CHUNK,
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      hooks.book(attempt.path, chunk.length);
      const wait = hooks.bucket.take(chunk.length);
      clearTimeout(timer);
      const pass = (): void => {
        arm();
        done(null, chunk);
      };
      if (wait > 0) setTimeout(pass, wait);
      else pass();
    },
    flush(done) {
      clearTimeout(timer);
      done();
    },
  });
  counted.on('close', () => clearTimeout(timer));
  input.on('error', (error: Error) => counted.destroy(error));
  arm();
  return input.pipe(counted);
}

function* chunks(buffer: Buffer): Generator<Buffer> {
  for (let at = 0; at < buffer.length; at += CHUNK) yield buffer.subarray(at, at + CHUNK);
}

/**
 * Bodies for one request's attempts (WebDavClient.send makes one per path it tries), and the
 * bytes the failed attempts had sent: what went out again on the next path.
 */
export function attemptBodies(
  hooks: BodyHooks,
  source: BodySource,
): { body: (attempt: Attempt) => Readable; resent: () => number } {
  const attempts: number[] = [];
  return {
    body: (attempt) => {
      const index = attempts.push(0) - 1;
      return uploadBody(source, attempt, {
        ...hooks,
        book: (name, bytes) => {
          attempts[index] = (attempts[index] ?? 0) + bytes;
          hooks.book(name, bytes);
        },
      });
    },
    resent: () => attempts.slice(0, -1).reduce((a, b) => a + b, 0),
  };
}
