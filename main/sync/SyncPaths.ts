import { EventEmitter } from 'node:events';
import { PathwiseError } from '../../common/errors.ts';
import { formatBytes } from '../../common/format.ts';
import type { PathBytesEvent } from '../base/budget.ts';
import type { EnginePath } from '../engine/EnginePath.ts';
import type { DownloadAccess } from '../engine/requestAuth.ts';
import type { PathAgentFactory } from '../engine/pathAgent.ts';
import type { PathLimits } from '../engine/PathLimits.ts';
import { SharedPathPools, type PoolLease } from '../engine/pathPools.ts';

const TIER = { always: 0, secondary: 1, backup: 2, never: 3 } as const;

/** A path that can carry a request now: up, with an address, not proven to leak elsewhere. */
export function usable(path: EnginePath): path is EnginePath & { address: string } {
  return path.up && path.address !== null && path.verified !== false && path.preference !== 'never';
}

/**
 * The order to try paths for one request (metadata, an upload): the engine's interactive rule —
 * the quickest to answer among the best tier — then the others as fallbacks. A `backup` path is
 * tried only after every `always` and `secondary` one.
 */
export function interactiveOrder(paths: readonly EnginePath[]): Array<EnginePath & { address: string }> {
  return paths
    .filter(usable)
    .sort(
      (a, b) =>
        Math.min(TIER[a.preference], 1) - Math.min(TIER[b.preference], 1) ||
        TIER[a.preference] - TIER[b.preference] ||
        (a.rttMs ?? Number.POSITIVE_INFINITY) - (b.rttMs ?? Number.POSITIVE_INFINITY) ||
        a.rank - b.rank,
    );
}

export function basicAuth(user: string | null, password: string | null): string | null {
  if (user === null && password === null) return null;
  return `Basic ${Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64')}`;
}

interface SyncPathsEvents {
  bytes: [PathBytesEvent];
}

export interface SyncPathsOptions {
  /** The paths the job may use now (policy applied), as the engine sees them. */
  paths: () => EnginePath[];
  /** Builds a path-bound pool (PathBinder's, or createPathAgent). */
  agentFactory: PathAgentFactory;
  origin: string;
  authorization: string | null;
  /** Names the job's bytes in PathBytesEvents. */
  jobId: string;
  /**
   * What the job may still spend on each path (its cellular allowance, the ledger's stop cap),
   * less what is promised to transfers under way — the engine's ranges and this job's requests
   * alike, so files side by side can't each spend the same megabytes. Absent: no limit.
   */
  limits?: PathLimits;
}

/**
 * One sync job's network side: its allowed paths, one path-bound pool per path
 * shared by its metadata requests, uploads and the engine's downloads, and the booking of every
 * byte it moves under the path that carried it (`bytes` events, for the ledger and the job).
 */
export class SyncPaths extends EventEmitter<SyncPathsEvents> {
  readonly pools: SharedPathPools;
  readonly agentFactory: PathAgentFactory;
  private readonly options: SyncPathsOptions;
  readonly totals = new Map<string, { up: number; down: number }>();
  /** Requests on their way (metadata, uploads) and the path each left on. */
  private readonly inFlight = new Map<AbortController, string>();

  constructor(options: SyncPathsOptions) {
    super();
    this.options = options;
    this.agentFactory = options.agentFactory;
    this.pools = new SharedPathPools(this.agentFactory);
  }

  /** The job's Authorization for a request to `target`: its own server gets it, no other (null). */
  authorizationFor(target: URL): string | null {
    return target.origin === this.options.origin ? this.options.authorization : null;
  }

  /**
   * The job's login as a download's access: the engine signs each request with it (requestAuth.ts)
   * while it goes to the file's own site, so a redirect elsewhere carries none.
   */
  downloadAccess(): DownloadAccess | null {
    const authorization = this.options.authorization;
    if (authorization === null) return null;
    return { headers: [{ name: 'Authorization', value: authorization }], basic: null, cookies: [] };
  }

  get jobId(): string {
    return this.options.jobId;
  }

  current(): EnginePath[] {
    return this.options.paths();
  }

  /** Paths to try for one request of about `bytes` payload, best first; a path without the allowance is left out. */
  order(bytes = 0): Array<EnginePath & { address: string }> {
    return interactiveOrder(this.options.paths()).filter((p) => {
      const left = this.left(p.name);
      return left === null || (left > 0 && left >= bytes);
    });
  }

  /**
   * The order for a transfer of a whole file (an upload, a small download): the job's best paths
   * (always and secondary) least busy first, so files side by side go over every path the policy
   * allows; backup paths only after them.
   */
  spread(bytes = 0): Array<EnginePath & { address: string }> {
    const busy = new Map<string, number>();
    for (const path of this.inFlight.values()) busy.set(path, (busy.get(path) ?? 0) + 1);
    const order = this.order(bytes);
    const best = order.filter((p) => p.preference !== 'backup');
    const rest = order.filter((p) => p.preference === 'backup');
    // A stable sort: equally busy paths keep the interactive order (the quickest first).
    return [...best.sort((a, b) => (busy.get(a.name) ?? 0) - (busy.get(b.name) ?? 0)), ...rest];
  }

  /**
   * Why no path can take a request of `bytes` now: a coded error naming the allowance (or the
   * ledger's cap) when usable paths exist but too little is left on them, else "no path".
   */
  noPathError(bytes = 0): PathwiseError {
    const up = interactiveOrder(this.options.paths());
    if (up.length === 0)
      return new PathwiseError('E_NO_PATH', 'No network path this sync job may use is up now.');
    const left = up.map((p) => `${p.name} ${formatBytes(this.left(p.name) ?? 0)}`);
    return new PathwiseError(
      'E_CAP_REACHED',
      `The job's allowance (or the data cap) on the paths it may use is spent${bytes > 0 ? ` for a ${formatBytes(bytes)} upload` : ''}: ${left.join(', ')} left. It goes on when a path with room is up, or in the next billing cycle.`,
    );
  }

  /** What the job may still promise on `path` (null: no limit). */
  left(path: string): number | null {
    return this.options.limits?.allowance(path) ?? null;
  }

  /**
   * Promises `bytes` on `path` to one request until the returned function is called (it ended:
   * what it moved is booked by then); null when the path has not that much left.
   */
  reserve(path: string, bytes: number): (() => void) | null {
    const limits = this.options.limits;
    if (!limits || bytes <= 0) return () => undefined;
    const left = limits.allowance(path);
    if (left !== null && left < bytes) return null;
    limits.reserve(path, bytes);
    let held = true;
    return () => {
      if (held) limits.release(path, bytes);
      held = false;
    };
  }

  lease(path: EnginePath & { address: string }): PoolLease {
    return this.pools.acquire({ name: path.name, address: path.address });
  }

  /** Notes a request on `path` until the returned function is called, so losing the path ends it. */
  track(path: string, attempt: AbortController): () => void {
    this.inFlight.set(attempt, path);
    return () => this.inFlight.delete(attempt);
  }

  /**
   * Ends the requests whose path is gone (down, or no longer allowed): an upload on a cut path
   * moves to the next path now instead of waiting for its stall watchdog.
   */
  dropGone(): void {
    const live = new Set(
      this.current()
        .filter(usable)
        .map((p) => p.name),
    );
    for (const [attempt, path] of this.inFlight) {
      if (live.has(path)) continue;
      attempt.abort(Object.assign(new Error(`the path ${path} went away`), { code: 'ECONNRESET' }));
      this.inFlight.delete(attempt);
    }
  }

  /** Books bytes this job moved on `path` (the engine's downloads come through here too). */
  book(path: string, direction: 'up' | 'down', bytes: number): void {
    if (bytes <= 0) return;
    const total = this.totals.get(path) ?? { up: 0, down: 0 };
    total[direction] += bytes;
    this.totals.set(path, total);
    this.emit('bytes', { transferId: this.options.jobId, path, direction, bytes, at: Date.now() });
  }

  async close(): Promise<void> {
    await this.pools.close();
  }
}
