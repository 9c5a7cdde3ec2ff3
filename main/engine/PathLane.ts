import type { Dispatcher } from 'undici';
import type { PathwiseError } from '../../common/errors.ts';
import type { EnginePath } from './EnginePath.ts';
import { canPreconnect, canTellSent, type PathAgentFactory } from './pathAgent.ts';
import type { PoolLease, SharedPathPools } from './pathPools.ts';
import type { RangeFetch } from './RangeFetch.ts';
import { RateMeter } from './RateMeter.ts';

/** Why a path is out of service for this transfer until a probe over it succeeds again. */
export interface LaneFault {
  kind: 'stalled' | 'error';
  error: PathwiseError;
  since: number;
}

/**
 * One path inside one transfer: its connection pool, the fetches running on it, what it received
 * and how fast, its per-transfer cap, and whether it is out of service after a failure.
 */
export class PathLane {
  path: EnginePath;
  readonly fetches = new Set<RangeFetch>();
  readonly meter = new RateMeter(2000, 100);
  /** Payload bytes received over this path in this run (duplicates and re-fetches included). */
  bytes = 0;
  /** Bytes already announced in PathBytesEvents. */
  reported = 0;
  /** Per-transfer cap (--cap); null means none. */
  readonly capBytes: number | null;
  /** Bytes promised to fetches in flight on this path that have not arrived yet. */
  reserved = 0;
  /** Bytes received but not yet reported to the ledger: still held against the shared budget. */
  unreportedReserved = 0;
  fault: LaneFault | null = null;
  failures = 0;
  /** Answers over this path in a row that were not the range asked for (BadAnswerError). */
  badAnswers = 0;
  retryAt = 0;
  recovering = false;
  rttMs: number | null;
  lastByteAt: number | null = null;
  /** A path-lost event was sent and no path-restored yet. */
  lost = false;
  capNotified = false;
  private agent: Dispatcher | null = null;
  private lease: PoolLease | null = null;
  private readonly factory: PathAgentFactory;
  /** The app's pools, shared with its other downloads; without them this lane owns its pool. */
  private readonly pools: SharedPathPools | null;
  /** Adds what the download needs to be allowed to each request (requestAuth.ts signRequests). */
  private readonly sign: (dispatcher: Dispatcher) => Dispatcher;

  constructor(
    path: EnginePath,
    factory: PathAgentFactory,
    capBytes: number | null,
    pools: SharedPathPools | null = null,
    sign: (dispatcher: Dispatcher) => Dispatcher = (dispatcher) => dispatcher,
  ) {
    this.path = path;
    this.factory = factory;
    this.capBytes = capBytes;
    this.rttMs = path.rttMs;
    this.pools = pools;
    this.sign = sign;
  }

  get name(): string {
    return this.path.name;
  }

  /** Up with an address: the OS could carry traffic over it at all. */
  get present(): boolean {
    return this.path.up && this.path.address !== null;
  }

  dispatcher(): Dispatcher {
    const address = this.path.address;
    if (!address) throw new Error(`path ${this.name} has no address`);
    if (this.pools) {
      this.lease ??= this.pools.acquire({ name: this.name, address, addresses: this.sources(address) });
      return this.sign(this.lease.dispatcher);
    }
    this.agent ??= this.factory({ name: this.name, address, addresses: this.sources(address) });
    return this.sign(this.agent);
  }

  /** The path's source addresses for its pool: each family it has (IPv6 too), `address` first. */
  private sources(address: string): readonly string[] {
    const others = (this.path.addresses ?? []).filter((a) => a !== address);
    return [address, ...others];
  }

  /** Opens connections to `origin` ahead of the requests (when the pool can); never throws. */
  preconnect(origin: URL, count: number): void {
    try {
      const dispatcher = this.dispatcher();
      if (canPreconnect(dispatcher)) dispatcher.preconnect(origin, count);
    } catch {
      // Best effort: the first request connects (and reports) on its own.
    }
  }

  /**
   * Resolves once this lane's requests to `origin` are on the wire or failed (at once when its
   * pool can't tell, or has not been made), or when `signal` aborts.
   */
  whenSent(origin: string, signal?: AbortSignal): Promise<void> {
    const dispatcher = this.lease?.dispatcher ?? this.agent;
    if (!dispatcher || !canTellSent(dispatcher)) return Promise.resolve();
    return dispatcher.whenSent(origin, signal);
  }

  /** Throw the pool away (its sockets may be dead); the next request builds a fresh one. */
  dropAgent(): void {
    this.lease?.retire();
    this.lease = null;
    const agent = this.agent;
    this.agent = null;
    agent?.destroy().catch(() => undefined);
  }

  /** The run ended: an owned pool is closed, a shared one kept for the next download. */
  async close(): Promise<void> {
    this.lease?.release();
    this.lease = null;
    const agent = this.agent;
    this.agent = null;
    await agent?.destroy().catch(() => undefined);
  }
}
