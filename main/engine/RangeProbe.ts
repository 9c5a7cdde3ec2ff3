import type { Dispatcher } from 'undici';
import { PathwiseError } from '../../common/errors.ts';
import { APP_VERSION } from '../base/version.ts';
import {
  contentEncoding,
  contentLength,
  dispositionFileName,
  header,
  mediaType,
  parseContentRange,
  validatorOf,
  type Validator,
} from './httpHeaders.ts';
import { RedirectGuard } from './RedirectGuard.ts';
import { badResponse, httpStatusError, networkError, TransferErrorCodes } from './transferErrors.ts';
import { request } from '../network/undiciCore.ts';

export const USER_AGENT = `Pathwise/${APP_VERSION}`;
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export type ResponseBody = Dispatcher.ResponseData['body'];

/** What the server told us about the file, once, before any byte range is fetched. */
export interface ProbeResult {
  /** The URL after redirects; every range goes here (redirects are resolved once and pinned). */
  url: string;
  /** Total size in bytes; null only for a server without ranges that sends no length. */
  size: number | null;
  rangeSupport: boolean;
  validator: Validator;
  /** Content-Encoding of the bytes (null = identity); every later answer must match it. */
  encoding: string | null;
  /** The name the server suggests in Content-Disposition, unsanitised. */
  fileName: string | null;
  /**
   * The answer's media type (Content-Type, lower case, no parameters; null without one): a server
   * may say that its answer is a Metalink rather than the file (remoteMetalink.ts servedAsMetalink).
   */
  mediaType?: string | null;
  /** Time from sending the request to the response headers, a first RTT estimate. */
  rttMs: number;
  /**
   * Only for a server that ignored the Range header: its 200 answer, whose body is the whole file
   * and has not been read. The caller must consume or destroy it.
   */
  wholeBody?: ResponseBody;
  /**
   * Only when more than the first byte was asked for and kept: the 206 answer's unread body, bytes
   * [0, end) of the file. The download's first chunk, already on its way while the file is
   * prepared. The caller must consume or destroy it.
   */
  firstRange?: { body: ResponseBody; end: number };
  /** Aborts the kept body's request. */
  abort?: () => void;
}

export interface ProbeOptions {
  dispatcher: Dispatcher;
  pathName: string;
  /** Give up when the headers have not arrived by then. */
  timeoutMs: number;
  /**
   * Keep the answer's body for the caller: a 200's (a server without ranges) and, when more than
   * one byte was asked for, a 206's (the first chunk). Otherwise bodies are discarded.
   */
  keepBody?: boolean;
  /**
   * How many bytes from the start to ask for (default 1). More makes the probe the download's
   * first chunk: payload flows one round trip and the file's preparation sooner.
   */
  firstBytes?: number;
  signal?: AbortSignal;
  /**
   * Where redirects may lead (a public link never into a private network); the transfer's, which
   * knows the link the user gave. Absent, the URL probed here counts as that link.
   */
  guard?: RedirectGuard;
}

/** Throws an answer's body away; undici reports that as an error, which nobody needs to hear. */
export function discard(body: ResponseBody): void {
  body.on('error', () => undefined);
  body.destroy();
}

export function requestHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...extra };
}

/**
 * Asks for the first bytes (`Range: bytes=0-N`, N = firstBytes - 1) to learn whether the server
 * serves ranges, how big the file is and which validator pins its version; follows redirects once
 * and pins the result. Each redirect's target is checked before anything is sent there: by its
 * scheme, and by the addresses it resolves to (`guard`).
 */
export async function probeRange(url: string, options: ProbeOptions): Promise<ProbeResult> {
  const asked = Math.max(1, Math.floor(options.firstBytes ?? 1));
  const guard = options.guard ?? new RedirectGuard(url);
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const answer = await askFirstBytes(current, asked, options);
    const { statusCode, headers, body } = answer.response;
    if (REDIRECTS.has(statusCode)) {
      discard(body);
      answer.release();
      const next = redirectTarget(url, current, statusCode, headers, hop);
      await guard.check(current, next, options.pathName);
      // A pause or cancel during the look-up: nothing more is sent.
      options.signal?.throwIfAborted();
      current = next;
      continue;
    }
    return readAnswer(current, asked, answer, options);
  }
}

/** One request of the probe, answered: what came back, when, and how to let go of it. */
interface ProbeAnswer {
  response: Dispatcher.ResponseData;
  /** Time from sending the request to the response headers. */
  rttMs: number;
  /** Aborts the request (a kept body's `abort` uses it). */
  controller: AbortController;
  /** Stops following the caller's signal: the answer was read, thrown away or handed on. */
  release: () => void;
}

/** Sends the probe's request to `current`, following the caller's signal, within the timeout. */
async function askFirstBytes(current: URL, asked: number, options: ProbeOptions): Promise<ProbeAnswer> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const sentAt = performance.now();
  let response: Dispatcher.ResponseData;
  try {
    response = await request(options.dispatcher, {
      origin: current.origin,
      path: `${current.pathname}${current.search}`,
      method: 'GET',
      headers: requestHeaders({ range: `bytes=0-${asked - 1}` }),
      signal: controller.signal,
    });
  } catch (error) {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (timedOut) {
      throw new PathwiseError(
        TransferErrorCodes.timeout,
        `The server ${current.host} did not answer within ${Math.round(options.timeoutMs / 1000)} s over ${options.pathName}.`,
      );
    }
    throw networkError(error, { host: current.host, path: options.pathName });
  }
  clearTimeout(timer);
  const rttMs = performance.now() - sentAt;
  const release = (): void => {
    options.signal?.removeEventListener('abort', onOuterAbort);
  };
  return { response, rttMs, controller, release };
}

/** Where a redirect leads, if Pathwise follows it: http(s) only, never down to plain HTTP, at most MAX_REDIRECTS. */
function redirectTarget(
  url: string,
  current: URL,
  statusCode: number,
  headers: Dispatcher.ResponseData['headers'],
  hop: number,
): URL {
  const location = header(headers, 'location');
  if (!location || !URL.canParse(location, current.href)) {
    throw badResponse(current.href, `a ${statusCode} redirect without a usable Location`);
  }
  const next = new URL(location, current);
  if (!/^https?:$/.test(next.protocol)) {
    throw new PathwiseError(
      TransferErrorCodes.redirect,
      `${current.href} redirects to ${next.href}, which is not http(s); Pathwise does not follow it.`,
    );
  }
  if (current.protocol === 'https:' && next.protocol === 'http:') {
    throw new PathwiseError(
      TransferErrorCodes.redirect,
      `${current.href} redirects from HTTPS to plain HTTP (${next.href}); Pathwise refuses the downgrade.`,
    );
  }
  if (hop >= MAX_REDIRECTS) {
    throw new PathwiseError(
      TransferErrorCodes.redirect,
      `${url} redirects more than ${MAX_REDIRECTS} times; the link is probably broken.`,
    );
  }
  next.hash = '';
  return next;
}

/** What the final (not redirecting) answer says about the file. */
function readAnswer(
  current: URL,
  asked: number,
  answer: ProbeAnswer,
  options: ProbeOptions,
): ProbeResult | Promise<ProbeResult> {
  const { statusCode, headers, body } = answer.response;
  const validator = validatorOf(headers);
  const encoding = contentEncoding(headers);
  const fileName = dispositionFileName(headers);
  const base = {
    url: current.href,
    validator,
    encoding,
    fileName,
    mediaType: mediaType(headers),
    rttMs: answer.rttMs,
  };

  if (statusCode === 206) return readFirstRange(current, asked, answer, options, base);
  if (statusCode === 416) {
    discard(body);
    answer.release();
    const range = parseContentRange(header(headers, 'content-range'));
    // A range from byte 0 is unsatisfiable only for an empty file.
    if (range?.kind === 'unsatisfied' && range.size === 0) return { ...base, size: 0, rangeSupport: true };
    throw badResponse(current.href, 'the server refused the first byte of a file that is not empty (416)');
  }
  if (statusCode === 200) {
    const length = contentLength(headers);
    if (options.keepBody) {
      body.on('error', () => undefined);
      return {
        ...base,
        size: length,
        rangeSupport: false,
        wholeBody: body,
        abort: () => {
          answer.release();
          discard(body);
          answer.controller.abort();
        },
      };
    }
    discard(body);
    answer.release();
    return { ...base, size: length, rangeSupport: false };
  }
  discard(body);
  answer.release();
  throw httpStatusError(statusCode, current.href, headers);
}

/** What every probe result says, whatever the status. */
type ProbeBase = Pick<ProbeResult, 'url' | 'validator' | 'encoding' | 'fileName' | 'mediaType' | 'rttMs'>;

/** A 206: the file serves ranges; the answer must be the range asked for, from byte 0 and inside the file. */
function readFirstRange(
  current: URL,
  asked: number,
  answer: ProbeAnswer,
  options: ProbeOptions,
  base: ProbeBase,
): ProbeResult | Promise<ProbeResult> {
  const { headers, body } = answer.response;
  const range = parseContentRange(header(headers, 'content-range'));
  const length = contentLength(headers);
  // The answer starts at byte 0 and stays inside what was asked (a server may send less:
  // the file is shorter, or it limits range sizes) and inside the file.
  if (
    range?.kind !== 'range' ||
    range.start !== 0 ||
    range.end >= asked ||
    (range.size !== null && range.end >= range.size)
  ) {
    discard(body);
    answer.release();
    throw badResponse(
      current.href,
      `asked for bytes 0-${asked - 1}, got Content-Range "${header(headers, 'content-range') ?? '(none)'}"`,
    );
  }
  if (length !== null && length !== range.end + 1) {
    discard(body);
    answer.release();
    throw badResponse(
      current.href,
      `Content-Length ${length} does not match the ${range.end + 1} bytes of Content-Range "${header(headers, 'content-range')}"`,
    );
  }
  if (range.size !== null && options.keepBody && asked > 1) {
    // Until the caller reads it, an error on this body must not go unheard (an uncaught
    // 'error'); the caller sees the body destroyed instead.
    body.on('error', () => undefined);
    return {
      ...base,
      size: range.size,
      rangeSupport: true,
      firstRange: { body, end: range.end + 1 },
      abort: () => {
        answer.release();
        discard(body);
        answer.controller.abort();
      },
    };
  }
  return drainRange(answer, options, { ...base, size: range.size });
}

/** A 206 whose body nobody keeps: read off and dropped (up to 64 KiB), then what it said. */
async function drainRange(
  answer: ProbeAnswer,
  options: ProbeOptions,
  found: ProbeBase & { size: number | null },
): Promise<ProbeResult> {
  await answer.response.body
    .dump({ limit: 64 * 1024, signal: AbortSignal.timeout(options.timeoutMs) })
    .catch(() => undefined);
  answer.release();
  if (found.size === null) {
    // Ranges without a known total can't be planned: fall back to one stream.
    return { ...found, size: null, rangeSupport: false };
  }
  return { ...found, size: found.size, rangeSupport: true };
}

/**
 * A range asked for on another path while the probe's question is still on its way, before the
 * file's size and version are known: so that path's payload starts a preparation sooner. Its
 * answer is used only if it names the same version as the probe's (`RangeFetch` checks that and
 * asks again with the validator otherwise); until then it is an unread response.
 */
export interface LeadRequest {
  /** Where it was sent: the URL as given (an answer from before a redirect is of no use). */
  url: string;
  lane: string;
  start: number;
  /** Exclusive. */
  end: number;
  response: Promise<Dispatcher.ResponseData>;
  /** Cancels the request and throws its answer away. */
  abort: () => void;
}

export function leadRange(
  url: string,
  options: { dispatcher: Dispatcher; lane: string; start: number; end: number; signal?: AbortSignal },
): LeadRequest {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const target = new URL(url);
  const response = request(options.dispatcher, {
    origin: target.origin,
    path: `${target.pathname}${target.search}`,
    method: 'GET',
    headers: requestHeaders({ range: `bytes=${options.start}-${options.end - 1}` }),
    signal: controller.signal,
  });
  let body: ResponseBody | null = null;
  let aborted = false;
  // Nobody may be listening yet: a failure is read by whoever adopts the lead (or by nobody).
  response.then(
    (answer) => {
      body = answer.body;
      body.on('error', () => undefined);
      if (aborted) discard(body);
    },
    () => undefined,
  );
  return {
    url: target.href,
    lane: options.lane,
    start: options.start,
    end: options.end,
    response,
    abort: () => {
      aborted = true;
      options.signal?.removeEventListener('abort', onOuterAbort);
      controller.abort();
      if (body) discard(body);
    },
  };
}
