import type { PathwiseError } from '../../common/errors.ts';
import type { PathLane } from './PathLane.ts';
import type { RangeFetch } from './RangeFetch.ts';
import { TransferErrorCodes } from './transferErrors.ts';

/*
 * What a finished fetch means for the rest of the download, read apart from the scheduling that
 * acts on it: this reading is where failover gets its judgement (whose trouble a failure was
 * decides whether a whole path leaves service or one range moves), and where an endgame pair
 * learns that its race is over.
 */

/**
 * Whose trouble a fetch's (non-fatal) failure was:
 * - `server-cut`: a short answer that still brought bytes, the server's doing; the path stays;
 * - `connection-stall`: one connection went quiet while its path went on delivering to its
 *   siblings, that connection's trouble (TCP backing off after losses on a crowded link); only
 *   its range moves, with priority;
 * - `path`: anything else; the path leaves service and all its work moves at once.
 */
export type FailureCause = 'server-cut' | 'connection-stall' | 'path';

export function failureCause(
  error: PathwiseError,
  fetch: RangeFetch,
  lane: PathLane,
  now: number,
  stallFloorMs: number,
): FailureCause {
  // A short answer that still brought bytes is the server's doing, not the path's.
  const serverCut =
    (error.code === TransferErrorCodes.truncated || error.code === TransferErrorCodes.connectionLost) &&
    fetch.bytes > 0;
  // One connection gone quiet while the same path kept delivering to its siblings all along
  // is that connection's trouble (TCP backing off after losses on a crowded link), not the
  // path's: its range moves on and the path stays in service. (A dead path silences all
  // its connections within a round trip of each other.)
  const recent = Math.min(stallFloorMs, now - fetch.lastProgressAt) / 4;
  const connectionStall =
    error.code === TransferErrorCodes.stalled &&
    lane.fetches.size > 0 &&
    lane.lastByteAt !== null &&
    now - lane.lastByteAt < recent;
  if (serverCut) return 'server-cut';
  return connectionStall ? 'connection-stall' : 'path';
}

/** A fetch completed: the other half of its endgame pair has nothing left to do. */
export function settleEndgame(fetch: RangeFetch, live: Iterable<RangeFetch>): void {
  for (const other of live) {
    if (other.paired && other.pos >= fetch.start && other.end <= fetch.end) other.truncate(other.pos);
    else if (other.paired && fetch.paired && other.start <= fetch.start && other.end >= fetch.end) {
      other.paired = false;
    }
  }
}

/** A fetch of an endgame pair failed or stopped: its partner races nobody any more. */
export function breakPair(fetch: RangeFetch, live: Iterable<RangeFetch>): void {
  for (const other of live) if (other.paired && fetch.paired) other.paired = false;
}
