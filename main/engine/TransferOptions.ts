import type { TransferMode } from '../../common/contract.ts';
import type { PathwiseError } from '../../common/errors.ts';
import type { EnginePath } from './EnginePath.ts';
import type { MirrorOptions } from './MirrorSource.ts';
import type { PathAgentFactory } from './pathAgent.ts';
import type { SharedPathPools } from './pathPools.ts';
import type { PathLimits } from './PathLimits.ts';
import type { PlannerOptions } from './RangePlanner.ts';
import type { AddressRules } from './RedirectGuard.ts';
import type { DownloadAccess } from './requestAuth.ts';

/*
 * What a download is asked to do and how it can end: the types a caller of `Transfer` meets. They
 * live apart from the class so that its parts (PathLanes, LaneFailover, FetchScheduler…) can name
 * them without importing the transfer they serve. Transfer.ts re-exports them for its callers.
 */

export interface TransferTuning {
  /** Parallel connections per path in aggregate and handover mode (interactive uses one). */
  connectionsPerPath: number;
  /** A receiving connection is stalled after this long without bytes, at least (adaptive above it). */
  stallFloorMs: number;
  /** How long to wait for response headers before calling a connection stalled. */
  headerTimeoutMs: number;
  probeTimeoutMs: number;
  /** How often written data is synced and the journal updated. */
  checkpointMs: number;
  tickMs: number;
  /** Fail when no path has delivered a byte for this long and none is usable. */
  giveUpMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often a file that changes on the server is started over before giving up. */
  maxRestarts: number;
  /** The first wait when a server pushes back (429, 503) without a Retry-After; doubled each time, with jitter. */
  backoffBaseMs: number;
  /** The longest a path waits on one push-back: a Retry-After asking for more is cut to this. */
  backoffMaxMs: number;
  /** How long a download waits on servers that answer nothing but 429 or 503 before it fails. */
  pushbackPatienceMs: number;
  /**
   * How many times in a row the link the user's URL redirects to (a signed link) is renewed without
   * a byte arriving over a renewed one before the download fails; renewals that help are unlimited.
   */
  maxLinkRefreshes: number;
  planner: Partial<PlannerOptions>;
}

export const DEFAULT_TUNING: TransferTuning = {
  connectionsPerPath: 2,
  stallFloorMs: 1000,
  headerTimeoutMs: 2500,
  probeTimeoutMs: 10_000,
  checkpointMs: 1000,
  tickMs: 100,
  giveUpMs: 30_000,
  retryBaseMs: 500,
  retryMaxMs: 8000,
  maxRestarts: 2,
  backoffBaseMs: 1000,
  backoffMaxMs: 600_000,
  pushbackPatienceMs: 3_600_000,
  maxLinkRefreshes: 5,
  planner: {},
};

export interface TransferOptions {
  id?: string;
  url: string;
  /** The final file's full path (the CLI's -o)… */
  file?: string;
  /** …or a folder, the name then coming from `fileName`, Content-Disposition or the URL. */
  directory?: string;
  fileName?: string;
  mode?: TransferMode;
  paths: EnginePath[];
  /** The paths the user named (--paths), shown in TransferInfo; null for the policy's paths. */
  allowedPaths?: string[] | null;
  /** Per-transfer byte caps, path name → bytes. */
  caps?: Record<string, number>;
  sha256?: string;
  /** More URLs of the same file (`pathwise get URL1 URL2 …`, a Metalink): ranges spread over them (Mirrors.ts). */
  mirrors?: MirrorOptions;
  limits?: PathLimits;
  agentFactory?: PathAgentFactory;
  /** The app's pools, shared by its downloads (kept-alive connections); else each run owns its own. */
  pools?: SharedPathPools;
  /** When every usable path is at its cap: fail (the CLI) or wait for more budget (the app). */
  whenCapped?: 'fail' | 'wait';
  tuning?: Partial<TransferTuning>;
  /** How redirect targets are resolved and judged public or private (tests inject both). */
  addressRules?: AddressRules;
  /**
   * What the download needs to be allowed (headers, a login, cookies: requestAuth.ts). Sent with
   * its requests only; never journaled, shown in TransferInfo or logged.
   */
  access?: DownloadAccess;
  /**
   * Follow a Metalink 4 the URL turns out to be (aria2's --follow-metalink): when the probe's
   * answer says so by its Content-Type, the download fetches it as a document and then the file it
   * describes (remoteMetalink.ts servedAsMetalink). `pathwise get URL` sets it; off elsewhere (the
   * dashboard, syncs), and never asked with mirrors (a file has mirrors, a document does not).
   */
  followMetalink?: boolean;
  /**
   * The URL the user gave, when `url` is not it (the primary a remote Metalink named,
   * remoteMetalink.ts): the login and the site-only headers go to its site, not to `url`'s.
   */
  givenUrl?: string;
}

export interface TransferDone {
  status: 'done';
  file: string;
  bytes: number;
  sha256: string;
  durationMs: number;
  /** Bytes already on disk from an earlier run. */
  resumedBytes: number;
  paths: Record<string, { bytes: number }>;
  /** A download from mirrors: the bytes each source sent, and how it ended (dropped: why). */
  sources?: Array<{ url: string; bytes: number; state: string; why: string | null }>;
}

export type TransferOutcome =
  TransferDone | { status: 'failed'; error: PathwiseError } | { status: 'paused' } | { status: 'cancelled' };
