import { statSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';
import { retryAfterMs, type ResponseHeaders } from './httpHeaders.ts';

/**
 * Stable codes for everything a download can run into. Each message says what happened and
 * what to do; `fatal` errors end the transfer, the others only take one path out of service.
 */
export const TransferErrorCodes = {
  dns: 'E_DNS',
  refused: 'E_REFUSED',
  tls: 'E_TLS',
  unreachable: 'E_UNREACHABLE',
  connectionLost: 'E_CONNECTION_LOST',
  timeout: 'E_TIMEOUT',
  stalled: 'E_STALLED',
  truncated: 'E_TRUNCATED',
  httpStatus: 'E_HTTP_STATUS',
  badResponse: 'E_BAD_RESPONSE',
  redirect: 'E_REDIRECT',
  changed: 'E_CHANGED_ON_SERVER',
  diskFull: 'E_DISK_FULL',
  disk: 'E_DISK',
  capReached: 'E_CAP_REACHED',
  sha256: 'E_SHA256_MISMATCH',
  exists: 'E_EXISTS',
  /** A file of the download that is a link or not a plain file: writing it could reach elsewhere. */
  outside: 'E_OUTSIDE_DOWNLOADS',
  busy: 'E_BUSY',
  noPath: 'E_NO_PATH',
  network: 'E_NETWORK',
  /** The proxy can't be reached over a path (that path leaves the download), or refused a tunnel. */
  proxy: 'E_PROXY',
  /** The proxy wants a login (407): every path meets the same proxy, so the download ends. */
  proxyAuth: 'E_PROXY_AUTH',
} as const;

/** Errors that end a transfer at once: retrying on another path cannot help. */
const FATAL = new Set<string>([
  TransferErrorCodes.httpStatus,
  TransferErrorCodes.badResponse,
  TransferErrorCodes.redirect,
  TransferErrorCodes.changed,
  TransferErrorCodes.diskFull,
  TransferErrorCodes.disk,
  TransferErrorCodes.sha256,
  TransferErrorCodes.exists,
  TransferErrorCodes.outside,
  TransferErrorCodes.busy,
  TransferErrorCodes.proxyAuth,
]);

export function isFatal(error: PathwiseError): boolean {
  if (error.code === TransferErrorCodes.httpStatus) {
    // A server that is briefly overloaded (5xx, 429) may answer on the next try or another path.
    const status = (error as PathwiseError & { status?: number }).status ?? 0;
    return !(status >= 500 || status === 429 || status === 408);
  }
  return FATAL.has(error.code);
}

export class HttpStatusError extends PathwiseError {
  readonly status: number;
  /** The URL that answered it. */
  readonly url: string;
  /** How long the server asked to wait (Retry-After), in ms; null when it did not say. */
  readonly retryAfterMs: number | null;
  constructor(
    status: number,
    message: string,
    url = '',
    retryAfterMs: number | null = null,
    /** E_AUTH for a refusal told as the login's (requestAuth.ts explainRefusal); E_PROXY_AUTH for a 407. */
    code: 'E_HTTP_STATUS' | 'E_AUTH' | 'E_PROXY_AUTH' = TransferErrorCodes.httpStatus,
  ) {
    super(code, message);
    this.status = status;
    this.url = url;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A server asking the client to come back later rather than refusing it: 429, 503, or another 5xx
 * that names a Retry-After. The path is fine; only the requests wait (ServerPushback).
 */
export function isPushBack(error: PathwiseError): error is HttpStatusError {
  if (!(error instanceof HttpStatusError)) return false;
  return (
    error.status === 429 ||
    error.status === 503 ||
    (error.status >= 500 && error.status < 600 && error.retryAfterMs !== null)
  );
}

/** Statuses with which a signed link that stopped working says so (expired, revoked, gone). */
const LINK_GONE = new Set([400, 401, 403, 404, 410]);

/**
 * An answer to a range that, on a link the user's URL redirected to, means that link stopped
 * working (a signed link that expired): a 400, 401, 403, 404 or 410, or a redirect of its own.
 */
export function linkStopped(error: PathwiseError): boolean {
  if (error.code === TransferErrorCodes.redirect) return true;
  // A CDN's "this link has expired" page comes as a 200: from a link a redirect led to, it is
  // renewed first; the renewal says whether the file really changed (then the download restarts).
  if (error instanceof WholeAnswerError) return true;
  return error instanceof HttpStatusError && LINK_GONE.has(error.status);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The status with its reason phrase: "429 Too Many Requests". */
export function statusText(status: number): string {
  return REASONS[status] ? `${status} ${REASONS[status]}` : String(status);
}

export function httpStatusError(status: number, url: string, headers?: ResponseHeaders): HttpStatusError {
  if (status === 407) {
    // Only a proxy sends it: one forwarding a plain-http request (a tunnel's 407 is proxyConnect's).
    return new HttpStatusError(
      status,
      `A proxy on the way to ${url} asks for a login (407 Proxy Authentication Required). Put the user and password in the proxy URL: HTTP_PROXY=http://user:password@host:port, or check them.`,
      url,
      null,
      TransferErrorCodes.proxyAuth,
    );
  }
  const reason = REASONS[status] ? ` ${REASONS[status]}` : '';
  const advice =
    status >= 500 || status === 429
      ? 'The server is having trouble; try again later.'
      : status === 401 || status === 403
        ? 'The server refuses to give this file out; check the link and whether it needs a login.'
        : 'Check the link.';
  return new HttpStatusError(
    status,
    `The server answered ${status}${reason} for ${url}. ${advice}`,
    url,
    headers ? retryAfterMs(headers) : null,
  );
}

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET' && code !== 'UND_ERR_ABORTED') return code;
    e = (e as { cause?: unknown }).cause;
  }
  const top = (error as { code?: unknown } | undefined)?.code;
  return typeof top === 'string' ? top : undefined;
}

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO)/;

/** Turns what node/undici threw while talking to a server over one path into a coded error. */
export function networkError(error: unknown, context: { host: string; path: string }): PathwiseError {
  if (error instanceof PathwiseError) return error;
  const code = codeOf(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  const on = `over ${context.path}`;
  if (/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|EAI_NODATA|ENODATA)$/.test(code)) {
    return new PathwiseError(
      TransferErrorCodes.dns,
      `Could not look up the server name "${context.host}" ${on} (${code}). Check the address and that this network's DNS works.`,
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new PathwiseError(
      TransferErrorCodes.refused,
      `The server ${context.host} refused the connection ${on}. Check the address and port, or try again when the server is up.`,
      { cause: error },
    );
  }
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(detail)) {
    return new PathwiseError(
      TransferErrorCodes.tls,
      `The secure connection to ${context.host} failed ${on}: ${detail}. The server's certificate is not trusted or the network intercepts HTTPS (a captive portal?).`,
      { cause: error },
    );
  }
  if (/^(ENETUNREACH|EHOSTUNREACH|EADDRNOTAVAIL|ENETDOWN|EHOSTDOWN)$/.test(code)) {
    return new PathwiseError(
      TransferErrorCodes.unreachable,
      `The server ${context.host} cannot be reached ${on} (${code}); the path may have lost its link or address.`,
      { cause: error },
    );
  }
  if (/^(UND_ERR_CONNECT_TIMEOUT|ETIMEDOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/.test(code)) {
    return new PathwiseError(
      TransferErrorCodes.timeout,
      `The server ${context.host} did not answer in time ${on}.`,
      { cause: error },
    );
  }
  if (
    /^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code) ||
    /closed/i.test(detail)
  ) {
    return new PathwiseError(
      TransferErrorCodes.connectionLost,
      `The connection to ${context.host} was lost ${on} (${code || detail}).`,
      { cause: error },
    );
  }
  return new PathwiseError(
    TransferErrorCodes.network,
    `Talking to ${context.host} ${on} failed: ${detail}${code ? ` (${code})` : ''}.`,
    { cause: error },
  );
}

/** Turns a failed write, open or sync of the download into a coded error. */
export function diskError(error: unknown, file: string): PathwiseError {
  if (error instanceof PathwiseError) return error;
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new PathwiseError(
      TransferErrorCodes.diskFull,
      `The disk is full while writing ${file}. Free some space and run the same download again to resume.`,
      { cause: error },
    );
  }
  // ENOENT also means the file itself went (a part file deleted by hand): only a folder that is
  // really gone is called missing.
  if ((code === 'ENOENT' || code === 'ENOTDIR') && !isFolder(dirname(file))) {
    return missingFolder(dirname(file), error);
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new PathwiseError(
      TransferErrorCodes.disk,
      `Pathwise may not write in ${dirname(file)} (${code}). Choose another place to save, or change the folder's permissions.`,
      { cause: error },
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new PathwiseError(TransferErrorCodes.disk, `Could not write ${file}: ${detail}.`, { cause: error });
}

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/**
 * The folder (or file) a download is saved to must be named from the root: a relative one would
 * land wherever the process happens to run. Throws E_DISK naming it.
 */
export function requireAbsolute(path: string, what: 'folder' | 'file'): string {
  if (isAbsolute(path)) return path;
  throw new PathwiseError(
    TransferErrorCodes.disk,
    `The download ${what} "${path}" is a relative path; Pathwise saves only to a ${what} named from the root (such as /home/me/Downloads). Choose it again in full.`,
  );
}

/** The folder a download was to be saved in is not there (or is not a folder). */
export function missingFolder(folder: string, cause?: unknown): PathwiseError {
  return new PathwiseError(
    TransferErrorCodes.disk,
    `The folder ${folder} does not exist. Create it, or choose another place to save.`,
    cause === undefined ? undefined : { cause },
  );
}

/** A range answered with a whole body (200): a new version of the file, or an expired link's page. */
export class WholeAnswerError extends PathwiseError {}

export function answeredWhole(url: string): PathwiseError {
  return new WholeAnswerError(
    TransferErrorCodes.changed,
    `The file at ${url} changed on the server while downloading (the server answered a range with the whole file (200)). Pathwise never mixes two versions; run the download again to fetch the new one.`,
  );
}

export function changedOnServer(url: string, what: string): PathwiseError {
  return new PathwiseError(
    TransferErrorCodes.changed,
    `The file at ${url} changed on the server while downloading (${what}). Pathwise never mixes two versions; run the download again to fetch the new one.`,
  );
}

export function badResponse(url: string, what: string): PathwiseError {
  return new PathwiseError(
    TransferErrorCodes.badResponse,
    `The server sent a broken answer for ${url}: ${what}. Pathwise stopped rather than save wrong bytes.`,
  );
}

/**
 * One range's answer that is not the range asked for (another start, an end past the request, a
 * length that disagrees): its bytes are never written. Unlike a broken first answer, it does not
 * end the download at once: the range is asked again, on another path where there is one, and the
 * download fails only when the server keeps answering so (FetchScheduler).
 */
export class BadAnswerError extends PathwiseError {}

export function badAnswer(url: string, what: string): BadAnswerError {
  return new BadAnswerError(
    TransferErrorCodes.badResponse,
    `The server sent a broken answer for ${url}: ${what}. Pathwise stopped rather than save wrong bytes.`,
  );
}
