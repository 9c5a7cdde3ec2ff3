import type { PathType } from '../../common/contract.ts';

/** Where a 32-bit counter (old drivers, some modems, SNMP-style) wraps to zero. */
export const WRAP32 = 2 ** 32;

/** Fastest a link of this type is believed to go when the OS does not say (bits per second). */
const TYPE_BPS: Partial<Record<PathType, number>> = {
  cellular: 2e9,
  tether: 2e9,
  wifi: 5e9,
  ethernet: 10e9,
};

/**
 * Most bytes one direction can have moved in `elapsedMs` (vnStat's sanity limit): the link's
 * speed with a margin, or a generous speed for its type. A reading beyond it is a counter glitch
 * (a zero read before the real value, a counter from another device), not traffic.
 */
export function maxBytes(
  type: PathType | null,
  speedMbps: number | null | undefined,
  elapsedMs: number,
): number {
  const bps = speedMbps && speedMbps > 0 ? speedMbps * 1e6 * 1.5 : (TYPE_BPS[type ?? 'unknown'] ?? 10e9);
  return (bps / 8) * (Math.max(1000, elapsedMs) / 1000);
}

/**
 * Bytes a counter moved from `last` to `reading` (issue 20 case 13). Forwards: the difference.
 * Backwards, watched closely (`mayWrap`) and from below 2^32: a 32-bit wrap if that is possible in
 * the time. Otherwise backwards is a new epoch (device re-created, driver reset): everything it
 * shows is new. Whatever exceeds `limit` counts nothing: the reading becomes the new baseline.
 */
export function counterDelta(last: number, reading: number, limit: number, mayWrap: boolean): number {
  let delta: number;
  if (reading >= last) delta = reading - last;
  else if (mayWrap && last < WRAP32 && WRAP32 - last + reading <= limit) delta = WRAP32 - last + reading;
  else delta = reading;
  return delta <= limit ? delta : 0;
}
