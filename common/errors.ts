/**
 * Errors a user can meet carry a stable code (for scripts, tests and the UI) and a message that
 * says what happened and what to do. The codes are one table, read by the core, both shells and
 * the renderer: a code the table lacks does not compile, on either side of IPC.
 */
export const ERROR_CODES = {
  // Requests and the contract.
  E_BAD_REQUEST: 'a request did not match the contract',
  E_BAD_CHANNEL: 'no such channel',
  E_BAD_MESSAGE: 'a message that is not JSON or not a request',
  E_UNTRUSTED_SENDER: 'IPC from a frame that is not the app',
  E_BUSY: 'too many requests in flight, or the file is being downloaded already',
  E_UNAVAILABLE: 'that part of the core is missing or failed to start',
  E_UNSUPPORTED: 'not possible in this shell',
  E_DISCONNECTED: 'the renderer lost its connection to the core',
  E_NOT_FOUND: 'no such transfer, path or plan',
  E_NOT_BUILT: 'the dashboard has not been built',
  E_USAGE: 'the command line was not understood',
  E_BAD_SETTINGS: 'settings that fail their schema',
  E_OUTSIDE_DOWNLOADS: 'a file outside the download folder',
  E_INTERNAL: 'a bug: nothing else fits',
  // Network, per path.
  E_DNS: 'the name did not resolve',
  E_REFUSED: 'the connection was refused',
  E_TLS: 'the TLS handshake failed',
  E_UNREACHABLE: 'no route to the server',
  E_CONNECTION_LOST: 'the connection broke mid-answer',
  E_TIMEOUT: 'no answer in time',
  E_STALLED: 'the answer stopped arriving',
  E_NO_PATH: 'no path the policy allows is up',
  E_NETWORK: 'a network error of another kind',
  E_PATHWISE_BIND_ADDON: 'the device-binding addon failed',
  E_PROXY: 'the proxy cannot be reached over a path, or would not open a tunnel',
  E_PROXY_AUTH: 'the proxy asks for a login (407) it was not given or refused',
  // The server's answers.
  E_TRUNCATED: 'the answer ended early',
  E_HTTP_STATUS: 'an HTTP status that is not success',
  E_BAD_RESPONSE: 'an answer that breaks RFC 9110 for the request',
  E_REDIRECT: 'a redirect that may not be followed',
  E_CHANGED_ON_SERVER: 'the file changed on the server',
  E_METALINK: 'a Metalink file that cannot be read, or names no usable mirror',
  E_AUTH: 'the server refused the login (401) or the access (403)',
  E_LOCKED: 'the file is locked on the server (423)',
  E_QUOTA: 'the server has no room left (507)',
  E_SERVER: 'the server failed (5xx)',
  // Folder syncs.
  E_SYNC_DELETES: 'a sync run would delete more than its allowed share and waits to be confirmed',
  // Integrity, disk, caps.
  E_SHA256_MISMATCH: 'the file is not the expected one',
  E_EXISTS: 'the target file exists already',
  E_DISK_FULL: 'the disk is full',
  E_DISK: 'the download folder cannot be written',
  E_CAP_REACHED: 'a data cap stops the transfer',
  // The usage ledger.
  E_LEDGER_BUSY: 'another process holds the usage database; the figures are kept and written later',
  E_LEDGER_WRITE: 'the usage database cannot be written (disk full?); the figures are kept in memory',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

export class PathwiseError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PathwiseError';
    this.code = code;
  }
}

/**
 * The stable code an error carries, whichever side threw it: a PathwiseError, or a plain object
 * that crossed IPC or the host's socket with its `code`. Anything else is E_INTERNAL; system
 * errors keep their own code (ENOSPC, ECONNRESET) for the layer that translates them.
 */
export function errorCode(error: unknown): string {
  if (error instanceof PathwiseError) return error.code;
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return 'E_INTERNAL';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A channel the running core does not provide (its part of Pathwise is missing or failed to start). */
export function isUnavailable(error: unknown): boolean {
  return errorCode(error) === 'E_UNAVAILABLE';
}

/**
 * What crosses IPC or the host's socket for a failed request: a code from the table (anything
 * else, a system error's ENOSPC included, is E_INTERNAL there) and the message, never a stack.
 */
export function wireError(error: unknown): { code: ErrorCode; message: string } {
  const code = errorCode(error);
  return { code: isErrorCode(code) ? code : 'E_INTERNAL', message: errorMessage(error) };
}
