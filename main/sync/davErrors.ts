import { PathwiseError } from '../../common/errors.ts';

/**
 * What a WebDAV server's status means for a sync, as a coded error that names the cause: the
 * login (401/403), a missing folder (404/409), a lock (423), a full account (507) or the server
 * itself (5xx). `retryable` says whether another path or a later try may help.
 */
export class DavStatusError extends PathwiseError {
  readonly status: number;
  constructor(code: PathwiseError['code'], status: number, message: string) {
    super(code, message);
    this.status = status;
  }
}

export function davStatusError(status: number, method: string, where: string): DavStatusError {
  const what = `${method} ${where}`;
  if (status === 401)
    return new DavStatusError(
      'E_AUTH',
      status,
      `The server refused the login for ${what} (401). Check the user name and the password (or app token) of the sync job.`,
    );
  if (status === 403)
    return new DavStatusError(
      'E_AUTH',
      status,
      `The server forbids ${what} (403): the account may not read or write there.`,
    );
  if (status === 404 || status === 409 || status === 410)
    return new DavStatusError(
      'E_NOT_FOUND',
      status,
      `The server has no ${where} for ${method} (${status}); its folder may have been removed or renamed.`,
    );
  if (status === 423)
    return new DavStatusError(
      'E_LOCKED',
      status,
      `${where} is locked on the server (423): another client holds it. The next run tries again.`,
    );
  if (status === 507)
    return new DavStatusError(
      'E_QUOTA',
      status,
      `The server has no room left for ${what} (507 Insufficient Storage). Free space on the server or raise the account's quota.`,
    );
  if (status >= 500)
    return new DavStatusError(
      'E_SERVER',
      status,
      `The server failed on ${what} (${status}). The next run tries again.`,
    );
  return new DavStatusError('E_HTTP_STATUS', status, `The server answered ${status} to ${what}.`);
}

/** An error that belongs to the path it happened on, not the server or the job: try another path. */
export function isPathFault(error: unknown): boolean {
  if (!(error instanceof PathwiseError)) return true;
  return /^E_(DNS|REFUSED|UNREACHABLE|CONNECTION_LOST|TIMEOUT|STALLED|NETWORK|PATHWISE_BIND_ADDON)$/.test(
    error.code,
  );
}

/**
 * Whether the whole run must stop (the login, the quota): other files would fail the same way.
 * A 403 is about one file or folder (a name the server refuses, a share without write access):
 * that file waits and the others go on.
 */
export function stopsTheRun(error: unknown): boolean {
  if (!(error instanceof PathwiseError)) return false;
  if (error instanceof DavStatusError && error.status === 403) return false;
  return error.code === 'E_AUTH' || error.code === 'E_QUOTA';
}
