import { z } from 'zod';
import { describeValidator, sameValidator, type Validator } from './httpHeaders.ts';
import type { ProbeResult } from './RangeProbe.ts';
import { RangeSet } from './RangeSet.ts';
import { RedirectGuard, type AddressRules } from './RedirectGuard.ts';

/** RFC 5854 §4.2.16.2: priorities run from 1 (most preferred) to 999999. */
export const LOWEST_PRIORITY = 999_999;

/** The SHA-256 of every `length` bytes of the file, in order (the last piece may be shorter). */
export interface PieceHashes {
  length: number;
  sha256: string[];
}

/** One more URL of the same file: a mirror (Metalink's `<url>`, or a further URL on the command line). */
export interface MirrorSpec {
  url: string;
  /** Metalink's priority: 1 is the most preferred; absent, after every ranked one. */
  priority?: number;
}

/**
 * Where else the file can be fetched (TransferOptions.mirrors): the URLs besides the primary
 * (TransferOptions.url), and what a Metalink says the file must be.
 */
export interface MirrorOptions {
  urls: MirrorSpec[];
  /** The file's size as the Metalink gives it: a source that serves another size is not this file. */
  size?: number;
  /** SHA-256 of each piece of the file (Metalink's `<pieces type="sha-256">`). */
  pieces?: PieceHashes;
  /**
   * The URL given (TransferOptions.url) is a Metalink document, not the file (`pathwise get
   * https://…/file.meta4`): the download fetches it first, then the file it describes
   * (remoteMetalink.ts). `urls` is then empty.
   */
  document?: 'metalink';
  /**
   * Which of the document's files (`--select-file`: a name, or a number from 1); its only one when
   * absent. Also with `urls` empty and no `document`, for a URL that may turn out to be a Metalink
   * (TransferOptions.followMetalink).
   */
  select?: string;
}

const httpUrl = z
  .string()
  .max(8192)
  .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'An http(s) URL.');

/** MirrorOptions as a message carries them (the handoff socket): checked before an engine sees them. */
export const MirrorOptionsSchema = z.object({
  urls: z
    .array(z.object({ url: httpUrl, priority: z.number().int().min(1).max(1_000_000).optional() }))
    .max(256),
  size: z.number().int().nonnegative().optional(),
  pieces: z
    .object({
      length: z.number().int().positive(),
      sha256: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(1 << 20),
    })
    .optional(),
  document: z.literal('metalink').optional(),
  select: z.string().min(1).max(1024).optional(),
});

/**
 * - `new`: not asked yet; `probing`: its first byte is being asked for;
 * - `ready`: it serves the file (same size, ranges, a version that doesn't contradict the others);
 * - `resting`: it failed and is asked again after a back-off;
 * - `dropped`: it is not this file, lies, or kept failing: nothing more is asked of it in this run.
 */
export type SourceState = 'new' | 'probing' | 'ready' | 'resting' | 'dropped';

/** Where a range is asked, and what its answer must agree with. */
export interface SourcePin {
  url: URL;
  validator: Validator;
  encoding: string | null;
}

/** What a journal keeps of one source: the validator it was pinned with (a resume compares it). */
export interface SavedSource {
  url: string;
  etag: string | null;
  lastModified: string | null;
}

/** One server the file can come from, and how it has done in this run. */
export class MirrorSource {
  readonly url: string;
  readonly priority: number;
  /** 0 for the primary (the URL the user gave first), then the mirrors in the order given. */
  readonly index: number;
  readonly redirects: RedirectGuard;
  state: SourceState = 'new';
  /** Its own pin, once a probe answered (the source the download's ServedFile was pinned from reads that instead). */
  pin: SourcePin | null = null;
  /** Payload bytes received from it in this run by fetches that have ended. */
  bytes = 0;
  /** Bytes/s one connection to it gets (smoothed over finished fetches); null until measured. */
  connectionRate: number | null = null;
  /** Failures in a row (a finished range starts it over). */
  failures = 0;
  /** Pieces it alone wrote that failed their hash. */
  badPieces = 0;
  /** When a resting source is asked again (performance.now()). */
  retryAt = 0;
  /** Why it rests or was dropped, in words; null while it serves. */
  why: string | null = null;
  /** The file's bytes it wrote in this run: who to blame when a piece fails its hash. */
  readonly wrote = new RangeSet();

  constructor(url: string, priority: number, index: number, addressRules?: AddressRules) {
    this.url = url;
    this.priority = priority;
    this.index = index;
    this.redirects = new RedirectGuard(url, addressRules);
  }

  get live(): boolean {
    return this.state !== 'dropped';
  }

  /** A fetch from it ended after `elapsedMs` of answer with `bytes`: its connections' speed, smoothed. */
  sample(bytes: number, elapsedMs: number): void {
    if (elapsedMs < 200) return;
    const rate = (bytes * 1000) / elapsedMs;
    this.connectionRate = this.connectionRate === null ? rate : 0.7 * this.connectionRate + 0.3 * rate;
  }
}

/** What a source's answer is judged against: the version the download pinned, and how it may be told apart. */
export interface Reference {
  size: number | null;
  encoding: string | null;
  validator: Validator;
  /** Where the pinned version came from (validators of one server are comparable). */
  url: string;
  /**
   * A hash decides whether the bytes are right (the expected SHA-256, or piece hashes): then
   * validators need not agree at all.
   */
  hashDecides: boolean;
}

/**
 * Why a source's probe shows it is not serving the pinned file, in words; null when it may be.
 *
 * Mirrors are different servers, and validators are not made alike: nginx's ETag is the mtime
 * and size in hex, Apache's adds the inode, a CDN makes its own; so two mirrors of one file
 * rarely share an ETag, and an ETag is compared only between URLs of one origin. Last-Modified
 * survives a copy that keeps times (rsync -t, most mirror scripts), so where both servers send
 * one and they differ, the file may be another version of the same size. The size (and encoding,
 * and byte ranges) must always match. When a hash decides (the expected SHA-256 or the Metalink's
 * piece hashes), validators that differ are allowed: the hash catches another version's bytes,
 * and refusing such a mirror would only refuse the mirrors that copy without keeping times.
 * Without a hash, a validator that contradicts is refused: nothing else could tell the versions
 * apart, and a file is never made of two.
 */
export function refusal(probe: ProbeResult, reference: Reference): string | null {
  if (!probe.rangeSupport) return 'it does not serve byte ranges';
  if (probe.size !== reference.size) {
    return `it serves ${probe.size ?? 'an unknown number of'} bytes, not ${reference.size ?? 'an unknown number'}`;
  }
  if (probe.encoding !== reference.encoding) {
    return `it serves the file ${probe.encoding ?? 'unencoded'}, not ${reference.encoding ?? 'unencoded'}`;
  }
  if (reference.hashDecides) return null;
  const sameServer =
    URL.canParse(reference.url) && new URL(probe.url).origin === new URL(reference.url).origin;
  if (sameServer && !sameValidator(probe.validator, reference.validator)) {
    return `the same server names another version (${describeValidator(probe.validator)}, not ${describeValidator(reference.validator)})`;
  }
  const mine = probe.validator.lastModified;
  const theirs = reference.validator.lastModified;
  if (mine && theirs && Date.parse(mine) !== Date.parse(theirs)) {
    return `its copy was last modified ${mine}, the first source's ${theirs}: another version? Give the file's SHA-256 (--sha256) to use it anyway`;
  }
  return null;
}

/** A source as the choice of the next range sees it. */
export interface Candidate {
  /** Fetches it has running on the asking path. */
  load: number;
  /** Bytes/s one connection to it gets; null until measured. */
  rate: number | null;
  priority: number;
  index: number;
}

/**
 * The source the next connection of a path asks: the one with the fewest connections on that
 * path per unit of speed, so a path's connections spread over equally fast mirrors and a mirror
 * far slower than the others gets none (deprioritised: it is asked again when they fail). A
 * source not measured yet counts as the fastest that is, and wins a tie with it, so it is tried
 * and measured soon; priority, then the order given, break other ties.
 */
export function leastLoaded<T extends Candidate>(candidates: readonly T[]): T | undefined {
  const measured = candidates.flatMap((c) => (c.rate === null ? [] : [c.rate]));
  const best = measured.length > 0 ? Math.max(...measured) : 1;
  const score = (c: T): number => (c.load + 1) / Math.max(Number.MIN_VALUE, c.rate ?? best);
  const untried = (c: T): number => (c.rate === null ? 0 : 1);
  return [...candidates].sort(
    (a, b) => score(a) - score(b) || untried(a) - untried(b) || a.priority - b.priority || a.index - b.index,
  )[0];
}
