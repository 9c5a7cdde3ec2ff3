/**
 * Range servers as the tests of several sources need them: one that refuses every request
 * without the login it wants (a site behind HTTP Basic), and a hold that keeps the first sources'
 * ranges back until the last one has served (on loopback the first would do it all alone).
 */
import { until } from './engineLab.ts';
import {
  isProbe,
  type Lie,
  type RangeServer,
  type RangeServerBehaviour,
  type RequestLog,
} from './rangeServer.ts';

/** The 401 a site behind HTTP Basic answers without the login. */
export const LOGIN_WANTED: Lie = {
  kind: 'status',
  status: 401,
  headers: { 'www-authenticate': 'Basic realm="files"' },
};

/**
 * A `lie` behaviour: the truth to a request `allowed` lets in (given as the Authorization header
 * it must carry, or a rule), LOGIN_WANTED to every other, the probe included.
 */
export function demandLogin(
  allowed: string | ((log: RequestLog) => boolean),
): NonNullable<RangeServerBehaviour['lie']> {
  const lets =
    typeof allowed === 'string' ? (log: RequestLog) => log.headers.authorization === allowed : allowed;
  return (log) => (lets(log) ? null : LOGIN_WANTED);
}

/** The ranges of `held` wait until `last` has served one: then every source has served. */
export function holdUntilServed(
  held: readonly RangeServer[],
  last: RangeServer,
  what = 'the last source',
): void {
  const served = until(() => last.rangeRequests().length > 0, 20_000, `a range from ${what}`);
  served.catch(() => undefined);
  for (const server of held) server.behaviour.onRequest = (log) => (isProbe(log) ? undefined : served);
}
