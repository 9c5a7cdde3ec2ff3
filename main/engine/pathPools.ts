import type { Dispatcher } from 'undici';
import type { PathAgentFactory, PathEndpoint } from './pathAgent.ts';

/** One transfer's hold on a path's connection pool. */
export interface PoolLease {
  readonly dispatcher: Dispatcher;
  /** Done with the pool: its kept-alive connections stay for the next download. */
  release(): void;
  /**
   * The pool's connections may be dead (the path failed or changed): later leases get a fresh
   * pool, and this one is destroyed once no transfer holds it any more.
   */
  retire(): void;
}

interface Entry {
  /** The path's source addresses the pool was made for (poolKey). */
  address: string;
  dispatcher: Dispatcher;
  users: number;
  retired: boolean;
}

/**
 * The app's connection pools, one per path and address, shared by its downloads one after
 * another (and at once): a download to a server the previous one used starts on kept-alive
 * connections, without a handshake — one to three round trips per path on cellular. Each
 * transfer leases the pool; a transfer whose path failed retires it, which gives later leases a
 * fresh pool without cutting a neighbour's connections (its own watchdog judges them).
 */
export class SharedPathPools {
  private readonly factory: PathAgentFactory;
  private readonly entries = new Map<string, Entry>();

  constructor(factory: PathAgentFactory) {
    this.factory = factory;
  }

  acquire(path: PathEndpoint): PoolLease {
    let entry = this.entries.get(path.name);
    if (entry && entry.address !== poolKey(path)) {
      // The path has a new address: sockets bound to the old one can't be used again.
      this.retireEntry(path.name, entry);
      entry = undefined;
    }
    if (!entry) {
      entry = { address: poolKey(path), dispatcher: this.factory(path), users: 0, retired: false };
      this.entries.set(path.name, entry);
    }
    const held = entry;
    held.users++;
    let ended = false;
    const end = (retire: boolean): void => {
      if (ended) return;
      ended = true;
      held.users--;
      if (retire) this.retireEntry(path.name, held);
      else if (held.retired && held.users === 0) destroy(held);
    };
    return {
      dispatcher: held.dispatcher,
      release: () => end(false),
      retire: () => end(true),
    };
  }

  /** How many pools are kept (for tests and diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every pool (the app is quitting). */
  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map((e) => e.dispatcher.destroy().catch(() => undefined)));
  }

  private retireEntry(name: string, entry: Entry): void {
    entry.retired = true;
    if (this.entries.get(name) === entry) this.entries.delete(name);
    if (entry.users === 0) destroy(entry);
  }
}

/** A pool serves one set of source addresses (an IPv6 one included). */
function poolKey(path: PathEndpoint): string {
  return [path.address, ...(path.addresses ?? []).filter((a) => a !== path.address)].join(' ');
}

function destroy(entry: Entry): void {
  entry.dispatcher.destroy().catch(() => undefined);
}
