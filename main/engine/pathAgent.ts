import type { Dispatcher } from 'undici';
import { Agent, buildConnector } from '../network/undiciCore.ts';
import type { BindAddonStatus } from '../network/bindAddon.ts';
import { createBoundConnect } from '../network/boundConnect.ts';
import { SocketStash } from './SocketStash.ts';

/** One network path as the engine binds to it: the interface name and the source address to use. */
export interface PathEndpoint {
  name: string;
  address: string;
}

/** Builds the connection pool for one path; the engine asks for a fresh one after a path fails. */
export type PathAgentFactory = (path: PathEndpoint) => Dispatcher;

/**
 * The one place connection pools are made. Each path gets its own undici Agent whose sockets are
 * bound to the path's source address: `localAddress` must be an Agent option — undici silently
 * ignores `connect: { localAddress }`. With the binding addon (`addon`, Linux), sockets are pinned
 * to the path's device (SO_BINDTODEVICE) through undici's `connect` hook instead, which holds
 * without policy routing. Either connector sits behind a SocketStash, so the engine can open a
 * path's connections before its requests exist (`preconnect`).
 *
 * Undici's own header and body timeouts are off: the engine's per-connection watchdog decides
 * when a path has stalled, from the rate it measured, long before TCP or undici would notice.
 */
export function createPathAgent(path: PathEndpoint, addon: BindAddonStatus | null = null): PathAgent {
  return new PathAgent(path, addon);
}

/** A pool that can open connections before its requests exist (see SocketStash). */
export interface Preconnecting {
  preconnect(origin: URL, count: number): void;
}

export function canPreconnect(dispatcher: Dispatcher): dispatcher is Dispatcher & Preconnecting {
  return typeof (dispatcher as Partial<Preconnecting>).preconnect === 'function';
}

/** A pool that can tell when the requests handed to it are on the wire. */
export interface TellsSent {
  whenSent(origin: string, signal?: AbortSignal): Promise<void>;
}

export function canTellSent(dispatcher: Dispatcher): dispatcher is Dispatcher & TellsSent {
  return typeof (dispatcher as Partial<TellsSent>).whenSent === 'function';
}

const CONNECT_TIMEOUT_MS = 15_000;

export class PathAgent extends Agent implements Preconnecting {
  private readonly stash: SocketStash;
  private readonly address: string;

  constructor(path: PathEndpoint, addon: BindAddonStatus | null) {
    const inner = addon?.available
      ? createBoundConnect({
          device: path.name,
          localAddress: path.address,
          timeoutMs: CONNECT_TIMEOUT_MS,
          addon,
        })
      : buildConnector({ timeout: CONNECT_TIMEOUT_MS });
    const stash = new SocketStash(inner);
    super({
      localAddress: path.address,
      connect: stash.connect,
      connectTimeout: CONNECT_TIMEOUT_MS,
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      pipelining: 1,
    });
    this.stash = stash;
    this.address = path.address;
  }

  /**
   * Opens up to `count` connections to `origin` now, for requests about to be sent there, less the
   * kept-alive ones idle in the pool (a shared pool after an earlier download).
   */
  preconnect(origin: URL, count: number): void {
    const stats = this.stats[origin.origin];
    const idle = stats && 'free' in stats ? stats.free : 0;
    if (count > idle) this.stash.open(origin, count - idle, this.address);
  }

  /**
   * Resolves once no request to `origin` waits for a connection: each one was written to its
   * socket, or failed. undici writes a connection's first request right after it announces the
   * connection ('connect'), and a kept-alive connection's within the same turn of the event loop.
   * Also resolves when `signal` aborts: the caller stopped waiting, and the listeners go with it
   * (behind a connect that hangs they would otherwise stay until its timeout).
   */
  whenSent(origin: string, signal?: AbortSignal): Promise<void> {
    const waiting = (): boolean => {
      const stats = this.stats[origin];
      return stats !== undefined && stats.pending > 0;
    };
    if (!waiting() || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        this.off('connect', check);
        this.off('connectionError', check);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const check = (): void =>
        queueMicrotask(() => {
          if (!waiting()) finish();
        });
      this.on('connect', check);
      this.on('connectionError', check);
      signal?.addEventListener('abort', finish, { once: true });
      setImmediate(check);
    });
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.stash.clear();
    return callback ? super.close(callback) : super.close();
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    this.stash.clear();
    if (typeof errOrCallback === 'function') return super.destroy(errOrCallback);
    if (callback) return super.destroy(errOrCallback ?? null, callback);
    return super.destroy(errOrCallback ?? null);
  }
}
