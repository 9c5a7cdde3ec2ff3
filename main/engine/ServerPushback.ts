import { formatDuration } from '../../common/format.ts';
import { HttpStatusError, statusText } from './transferErrors.ts';

/** How long the engine waits when a server pushes back, and for how long in all. */
export interface PushbackTuning {
  /** The first wait when a server pushes back without a Retry-After; doubled each time, with jitter. */
  backoffBaseMs: number;
  /** The longest single wait: a Retry-After asking for more is cut to this. */
  backoffMaxMs: number;
  /** How long a download waits on servers that answer nothing but "come back later" before it fails. */
  pushbackPatienceMs: number;
}

/** Without a Retry-After, waits grow from backoffBaseMs up to this (or backoffMaxMs, if lower). */
const GUESSED_MAX_MS = 60_000;
/** A lowered connection count tries one more connection after this long without a refusal. */
const LIMIT_RETRY_MS = 30_000;
/** The most a push-back multiplies a path's ranges from a server by. */
const SCALE_MAX = 16;
/** Ranges go back to their usual size after this long without a push-back. */
const SCALE_CALM_MS = 60_000;

interface Wait {
  /** When the path may ask this server again (performance.now()). */
  until: number;
  /** What Retry-After asked for (ms); null when the server did not say. */
  asked: number | null;
  status: number;
  host: string;
  /** Push-backs in a row without a good answer between them: a guessed wait doubles with each. */
  attempts: number;
}

interface Limit {
  /** Connections this path keeps open to this server. */
  count: number;
  /** When it was last lowered or raised. */
  at: number;
}

/** A URL's origin, or the text itself when it is not a URL. */
export function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : url;
}

/** A wait in words, in whole seconds below a minute ("27 s"), else as a duration ("10 min"). */
function inWords(ms: number): string {
  return ms < 60_000 ? `${Math.max(1, Math.ceil(ms / 1000))} s` : formatDuration(ms);
}

/**
 * Servers that push back, remembered per path and server
 * (origin): a 429 or 503 makes that path wait before it asks that server again, as long as
 * Retry-After says (at most `backoffMaxMs`) or, without one, 1 s doubling with jitter; the other
 * paths go on meanwhile and no path is taken out of service for it. A server that refuses, resets
 * or turns away a path's extra connections while its others work (a per-client connection limit)
 * gets fewer connections from that path; one more is tried now and then. Also what the download
 * says while it waits.
 */
export class ServerPushback {
  private readonly waits = new Map<string, Wait>();
  private readonly limits = new Map<string, Limit>();
  /** Per path and server: how many times longer its ranges are since the server pushed back. */
  private readonly scales = new Map<string, { scale: number; at: number }>();
  /** Per path and server: how fast (bytes/s) the path's last answer from the server came in. */
  private readonly answerRates = new Map<string, number>();
  private readonly tuning: PushbackTuning;
  private readonly random: () => number;
  /** Since when the servers have answered nothing but push-backs (null after any good answer). */
  private pushedSince: number | null = null;
  /** The latest push-back: what the download fails with if the servers never relent. */
  last: HttpStatusError | null = null;

  constructor(tuning: PushbackTuning, random: () => number = Math.random) {
    this.tuning = tuning;
    this.random = random;
  }

  /** The server answered `error` (a push-back) to `lane`: returns how long that path now waits for it. */
  pushBack(lane: string, error: HttpStatusError, now: number): number {
    const origin = originOf(error.url);
    const key = `${lane} ${origin}`;
    const attempts = (this.waits.get(key)?.attempts ?? 0) + 1;
    const { backoffBaseMs, backoffMaxMs } = this.tuning;
    const ceiling = Math.min(backoffMaxMs, GUESSED_MAX_MS, backoffBaseMs * 2 ** (attempts - 1));
    // As long as the server asks, but never less than half the guess: a server that says
    // "Retry-After: 0" again and again is not asked in a tight loop.
    const wait =
      error.retryAfterMs !== null
        ? Math.min(Math.max(error.retryAfterMs, ceiling / 2), backoffMaxMs)
        : // Half fixed, half random: paths (and clients) told off together don't come back together.
          ceiling / 2 + (this.random() * ceiling) / 2;
    const host = URL.canParse(origin) ? new URL(origin).host : origin;
    this.waits.set(key, {
      until: now + wait,
      asked: error.retryAfterMs,
      status: error.status,
      host,
      attempts,
    });
    this.pushedSince ??= now;
    this.last = error;
    // A server that limits requests (per second, or in flight) gets fewer of them for the same
    // bytes: each push-back doubles the ranges this path asks it for (sized meanwhile from how
    // fast its answers came in, not from its meter: see answerRate).
    const scale = this.chunkScale(lane, origin, now);
    this.scales.set(key, { scale: Math.min(SCALE_MAX, scale * 2), at: now });
    return wait;
  }

  /** How many times longer the ranges `lane` asks `origin` for are (1 until it pushes back). */
  chunkScale(lane: string, origin: string, now: number): number {
    const scale = this.scales.get(`${lane} ${origin}`);
    return scale && now - scale.at < SCALE_CALM_MS ? scale.scale : 1;
  }

  /**
   * How fast (bytes/s) `lane`'s last answer from `origin` came in while its ranges are scaled after
   * a push-back (0 otherwise): what its ranges are sized from then. The path's own meter counts its
   * waits as if the path were slow, so ranges sized from it after a wait take a fraction of a
   * second, and a server that allows a request a second refuses the next one (the bench's pushback
   * scenario: 1 MiB at 40 Mbit, then a second's wait for the refusal, on every path).
   */
  answerRate(lane: string, origin: string, now: number): number {
    return this.chunkScale(lane, origin, now) > 1 ? (this.answerRates.get(`${lane} ${origin}`) ?? 0) : 0;
  }

  /** How much longer `lane` waits before asking `origin` again (0: it may ask now). */
  waitFor(lane: string, origin: string, now: number): number {
    const wait = this.waits.get(`${lane} ${origin}`);
    return wait ? Math.max(0, wait.until - now) : 0;
  }

  /** The longest `lane` still waits for any server (a probe may be redirected to any of them). */
  waitAny(lane: string, now: number): number {
    let longest = 0;
    for (const [key, wait] of this.waits) {
      if (key.startsWith(`${lane} `)) longest = Math.max(longest, wait.until - now);
    }
    return longest;
  }

  /**
   * `origin` answered `lane` with what was asked, the bytes coming in at `rate` (bytes/s, 0 when
   * not measured): once the path's wait is over, a later push-back starts from the first wait
   * again (an answer to a request sent before the wait keeps it).
   */
  answered(lane: string, origin: string, now: number, rate = 0): void {
    const key = `${lane} ${origin}`;
    if ((this.waits.get(key)?.until ?? 0) <= now) this.waits.delete(key);
    if (rate > 0) this.answerRates.set(key, rate);
    this.pushedSince = null;
  }

  /** The servers have answered nothing but push-backs for longer than the download's patience. */
  patienceSpent(now: number): boolean {
    return this.pushedSince !== null && now - this.pushedSince > this.tuning.pushbackPatienceMs;
  }

  /** What the download fails with once the servers have pushed back longer than its patience. */
  giveUpError(error: HttpStatusError | null = this.last): HttpStatusError {
    const status = error?.status ?? 503;
    const host = error && URL.canParse(error.url) ? new URL(error.url).host : 'The server';
    return new HttpStatusError(
      status,
      `${host} answered nothing but ${statusText(status)} for ${formatDuration(this.tuning.pushbackPatienceMs)}; Pathwise stopped waiting. What arrived is kept: run the download again later to resume.`,
      error?.url ?? '',
      error?.retryAfterMs ?? null,
    );
  }

  /** Why `lane` sends nothing now, in words; null when no server asked it to wait. */
  reason(lane: string, now: number): string | null {
    let longest: Wait | null = null;
    for (const [key, wait] of this.waits) {
      if (!key.startsWith(`${lane} `) || wait.until <= now) continue;
      if (!longest || wait.until > longest.until) longest = wait;
    }
    if (!longest) return null;
    const { host, asked } = longest;
    const left = inWords(longest.until - now);
    const status = statusText(longest.status);
    if (asked === null) return `${host} is busy (${status}); trying again in ${left}`;
    if (asked > this.tuning.backoffMaxMs) {
      return `${host} asked to wait ${inWords(asked)} (${status}); trying again in ${left}`;
    }
    return `${host} asked to wait ${inWords(asked)} (${status}), ${left} left`;
  }

  /**
   * How many connections `lane` may keep to `origin`: `configured`, or fewer where the server
   * turned extra ones away; a lowered count tries one more after a while without refusals.
   */
  connections(lane: string, origin: string, configured: number, now: number): number {
    const key = `${lane} ${origin}`;
    const limit = this.limits.get(key);
    if (!limit) return configured;
    if (now - limit.at >= LIMIT_RETRY_MS) {
      limit.count++;
      limit.at = now;
    }
    // Forgotten once it no longer holds back even the extra connections urgent ranges may get.
    if (limit.count > 2 * configured) {
      this.limits.delete(key);
      return configured;
    }
    return Math.min(configured, limit.count);
  }

  /** The most connections `lane` may open to `origin` (extra ones included), or null when the server set no limit. */
  limitOf(lane: string, origin: string): number | null {
    return this.limits.get(`${lane} ${origin}`)?.count ?? null;
  }

  /** `origin` turned away one of `lane`'s connections while `working` others were answered: keep to those. */
  limitHit(lane: string, origin: string, working: number, now: number): void {
    const key = `${lane} ${origin}`;
    const count = Math.max(1, Math.min(this.limits.get(key)?.count ?? working, working));
    this.limits.set(key, { count, at: now });
  }
}
