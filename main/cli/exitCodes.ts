import { errorCode, type ErrorCode } from '../../common/errors.ts';

/**
 * The command line's exit codes: one per class of failure, so a script can tell "try later" (the
 * network) from "the server said no" from "fix the disk". Every error code of common/errors.ts is
 * in exactly one class (a new code does not compile until it is placed); `pathwise --help` lists
 * this table.
 */
export const EXIT_CLASSES = {
  ok: { code: 0, about: 'done' },
  error: { code: 1, about: 'any other failure' },
  usage: { code: 2, about: 'the command line was not understood' },
  network: { code: 3, about: 'no path, or the network failed on every path' },
  http: { code: 4, about: 'the server answered with an error or broke HTTP' },
  integrity: { code: 5, about: 'not the file that was asked for' },
  disk: { code: 6, about: 'the file or folder cannot be written' },
  cap: { code: 7, about: 'a data cap stopped the transfer' },
  interrupted: { code: 130, about: 'stopped by Ctrl-C or TERM (a download keeps its part)' },
} as const;

export type ExitClass = keyof typeof EXIT_CLASSES;

const CLASS_OF: Record<ErrorCode, Exclude<ExitClass, 'ok' | 'interrupted'>> = {
  E_BAD_REQUEST: 'error',
  E_BAD_CHANNEL: 'error',
  E_BAD_MESSAGE: 'error',
  E_UNTRUSTED_SENDER: 'error',
  E_BUSY: 'error',
  E_UNAVAILABLE: 'error',
  E_UNSUPPORTED: 'error',
  E_DISCONNECTED: 'error',
  E_NOT_FOUND: 'error',
  E_NOT_BUILT: 'error',
  E_USAGE: 'usage',
  E_BAD_SETTINGS: 'error',
  E_OUTSIDE_DOWNLOADS: 'error',
  E_INTERNAL: 'error',
  E_DNS: 'network',
  E_REFUSED: 'network',
  E_TLS: 'network',
  E_UNREACHABLE: 'network',
  E_CONNECTION_LOST: 'network',
  E_TIMEOUT: 'network',
  E_STALLED: 'network',
  E_NO_PATH: 'network',
  E_NETWORK: 'network',
  E_PATHWISE_BIND_ADDON: 'network',
  E_PROXY: 'network',
  E_PROXY_AUTH: 'network',
  E_TRUNCATED: 'http',
  E_HTTP_STATUS: 'http',
  E_BAD_RESPONSE: 'http',
  E_REDIRECT: 'http',
  E_AUTH: 'http',
  E_LOCKED: 'http',
  E_QUOTA: 'http',
  E_SERVER: 'http',
  E_CHANGED_ON_SERVER: 'integrity',
  E_METALINK: 'usage',
  E_SYNC_DELETES: 'error',
  E_SHA256_MISMATCH: 'integrity',
  E_EXISTS: 'disk',
  E_DISK_FULL: 'disk',
  E_DISK: 'disk',
  E_CAP_REACHED: 'cap',
  E_LEDGER_BUSY: 'error',
  E_LEDGER_WRITE: 'disk',
};

/** System errors that escape untranslated (a folder the CLI itself writes, say) still get their class. */
const SYSTEM_CLASS: Record<string, ExitClass> = {
  ENOSPC: 'disk',
  EDQUOT: 'disk',
  EACCES: 'disk',
  EPERM: 'disk',
  EROFS: 'disk',
  EISDIR: 'disk',
  ENOTDIR: 'disk',
  EIO: 'disk',
  ECONNREFUSED: 'network',
  ECONNRESET: 'network',
  ENOTFOUND: 'network',
  ETIMEDOUT: 'network',
  ENETUNREACH: 'network',
  EHOSTUNREACH: 'network',
};

export function exitClassOf(error: unknown): ExitClass {
  const code = typeof error === 'string' ? error : errorCode(error);
  return CLASS_OF[code as ErrorCode] ?? SYSTEM_CLASS[code] ?? 'error';
}

/** The exit code for an error (or an error code): its class's. */
export function exitCodeFor(error: unknown): number {
  return EXIT_CLASSES[exitClassOf(error)].code;
}

/** The table for `pathwise --help`: each code, its class, what it means and the error codes in it. */
export function exitCodesHelp(): string {
  const lines = Object.entries(EXIT_CLASSES).map(([name, { code, about }]) => {
    const codes = Object.entries(CLASS_OF)
      .filter(([, c]) => c === name && name !== 'error')
      .map(([e]) => e);
    const head = `  ${String(code).padEnd(5)}${name.padEnd(13)}${about}`;
    return codes.length ? `${head}\n${wrapCodes(codes)}` : head;
  });
  return `Exit codes (the error's code is in [brackets] at the end of its message):\n${lines.join('\n')}\n`;
}

function wrapCodes(codes: string[]): string {
  const indent = ' '.repeat(20);
  const rows: string[] = [];
  let row = '';
  for (const code of codes) {
    if (row && indent.length + row.length + code.length + 1 > 100) {
      rows.push(row);
      row = '';
    }
    row = row ? `${row} ${code}` : code;
  }
  rows.push(row);
  return rows.map((r) => `${indent}${r}`).join('\n');
}
