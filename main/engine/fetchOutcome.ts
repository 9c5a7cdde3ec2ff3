import type { PathwiseError } from '../../common/errors.ts';
import type { PathLane } from './PathLane.ts';
import type { RangeFetch } from './RangeFetch.ts';
import { BadAnswerError, isFatal, isPushBack, linkStopped, TransferErrorCodes } from './transferErrors.ts';

/*
 * What a finished fetch means for the rest of the download, read apart from the scheduling that
 * acts on it: this reading is where failover gets its judgement (whose trouble a failure was
 * decides whether a whole path leaves service or one range moves), and where an endgame pair
 * learns that its race is over.
 */

/**
 * Whose trouble a fetch's failure was, and so what becomes of its range and path:
 * - `fatal`: the download's (a 404, the file changed): it ends, or starts over for a new version;
 * - `bad-answer`: the answer was not the range asked for (BadAnswerError): the range is asked
 *   again, elsewhere first; only a server (or path) that keeps doing it is given up on;
 * - `link-stopped`: a 403, 410, 404… (or a redirect) from the link a redirect led to, a signed
 *   link that expired: it is renewed from the user's URL (LinkRefresh);
 * - `pushed-back`: 429 or 503 with nothing else running on the path: the path waits as the server
 *   asks (ServerPushback), staying in service;
 * - `turned-away`: a connection refused, reset or never answered, or answered 429/503, while the
 *   path's other connections work: a server that limits each client's connections; the path
 *   keeps to fewer;
 * - `server-cut`: a short answer that still brought bytes, the server's doing; the path stays;
 * - `connection-stall`: one connection went quiet while its path went on delivering to its
 *   siblings, that connection's trouble (TCP backing off after losses on a crowded link); only
 *   its range moves, with priority;
 * - `path`: anything else; the path leaves service and all its work moves at once.
 */
export type FailureCause =
  | 'fatal'
  | 'bad-answer'
  | 'link-stopped'
  | 'pushed-back'
  | 'turned-away'
  | 'server-cut'
  | 'connection-stall'
  | 'path';

/** What the reading needs beyond the fetch and its path. */
export interface FailureContext {
  now: number;
  stallFloorMs: number;
  /** The pinned link is not the user's URL: a redirect led there (it may expire). */
  redirected: boolean;
}

/** `lane.fetches` no longer holds the failed fetch: the others still running on its path. */
export function failureCause(
  error: PathwiseError,
  fetch: RangeFetch,
  lane: PathLane,
  context: FailureContext,
): FailureCause {
  if (context.redirected && linkStopped(error)) return 'link-stopped';
  if (error instanceof BadAnswerError) return 'bad-answer';
  // Other connections of the path still at work: the server turned this one away, not the path.
  const siblings = lane.fetches.size > 0;
  if (isPushBack(error)) return siblings ? 'turned-away' : 'pushed-back';
  if (isFatal(error)) return 'fatal';
  // Refused, closed before its answer, or never answered while the path's other connections
  // were (undici quietly connects again after a reset that comes before its request is written).
  const turnedAway =
    error.code === TransferErrorCodes.refused ||
    (error.code === TransferErrorCodes.connectionLost && fetch.headersAt === null && fetch.bytes === 0) ||
    (error.code === TransferErrorCodes.stalled &&
      fetch.headersAt === null &&
      [...lane.fetches].some((f) => f.receiving));
  if (turnedAway && siblings) return 'turned-away';
  // A short answer that still brought bytes is the server's doing, not the path's.
  const serverCut =
    (error.code === TransferErrorCodes.truncated || error.code === TransferErrorCodes.connectionLost) &&
    fetch.bytes > 0;
  if (serverCut) return 'server-cut';
  // One connection gone quiet while the same path kept delivering to its siblings all along
  // is that connection's trouble (TCP backing off after losses on a crowded link), not the
  // path's: its range moves on and the path stays in service. (A dead path silences all
  // its connections within a round trip of each other.)
  const { now, stallFloorMs } = context;
  const recent = Math.min(stallFloorMs, now - fetch.lastProgressAt) / 4;
  const connectionStall =
    error.code === TransferErrorCodes.stalled &&
    siblings &&
    lane.lastByteAt !== null &&
    now - lane.lastByteAt < recent;
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
