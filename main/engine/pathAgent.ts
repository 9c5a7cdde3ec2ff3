import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import type { PathBytesEvent } from '../base/budget.ts';
import { Agent } from '../network/undiciCore.ts';
import type { BindAddonStatus } from '../network/bindAddon.ts';
import { createBoundConnect, type ConnectorOptions } from '../network/boundConnect.ts';
import { forwardedRequest } from '../network/proxyConnect.ts';
import { proxyPending, type ProxySettings } from '../network/proxySettings.ts';
import { handshakeMs, timeHandshakes } from '../network/handshakeTimes.ts';
import { SocketStash } from './SocketStash.ts';

/** One network path as the engine binds to it: the interface name and the source address to use. */
export interface PathEndpoint {
  name: string;
  address: string;
  /** The path's source addresses, one per family at most (EnginePath.addresses); `[address]` when absent. */
  addresses?: readonly string[];
}

export interface PathAgentOptions {
  /** The proxies read at start (main/network/proxySettings.ts); direct when absent. */
  proxy?: ProxySettings | null;
  /** TLS options for the pool's connections (a test's own certificate authority). */
  connector?: ConnectorOptions;
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
 *
 * Every TCP socket the pool opens (taken by a request or not) is counted on `socketBytes`: what it
 * read and wrote, TLS records and handshakes, requests, headers and uploads included.
 *
 * With `proxy`, the path's sockets go to the proxy (main/network/proxyConnect.ts): https through a
 * CONNECT tunnel inside the connector, http forwarded (`dispatch` gives the target in absolute
 * form), so preconnecting, metering, binding and the engine's watchdog work as without one.
 */
export function createPathAgent(
  path: PathEndpoint,
  addon: BindAddonStatus | null = null,
  options: PathAgentOptions = {},
): PathAgent {
  return new PathAgent(path, addon, options);
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

/** Binding by address only: the pool's sockets are bound to the path's source address. */
const BY_ADDRESS: BindAddonStatus = {
  available: false,
  addon: null,
  source: null,
  file: null,
  reason: 'bound by address',
};

export class PathAgent extends Agent implements Preconnecting {
  private readonly stash: SocketStash;
  private readonly address: string;
  private readonly meter: SocketMeter;
  private readonly proxy: ProxySettings | null;
  /** Requests per origin waiting for their proxy to be known (a per-URL lookup): not yet in `stats`. */
  private readonly waiting = new Map<string, number>();
  /** Tells `whenSent` that such a request went on. */
  private readonly proxyKnown = new EventEmitter<{ known: [] }>();

  constructor(path: PathEndpoint, addon: BindAddonStatus | null, options: PathAgentOptions = {}) {
    const meter = new SocketMeter(path.name);
    timeHandshakes();
    // By device where the addon is given, else by address; either way every raw socket is metered.
    const inner = createBoundConnect({
      device: path.name,
      localAddress: path.address,
      localAddresses: path.addresses ?? [path.address],
      timeoutMs: CONNECT_TIMEOUT_MS,
      addon: addon?.available ? addon : BY_ADDRESS,
      proxy: options.proxy ?? null,
      ...(options.connector ? { connector: options.connector } : {}),
      onSocket: (socket) => {
        meter.watch(socket);
        tellHandshake(path.name, socket);
      },
    });
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
    this.meter = meter;
    this.proxy = options.proxy ?? null;
  }

  /**
   * Requests to http servers behind a proxy go to it in absolute form (proxyConnect.ts). Where the
   * proxy is chosen per URL (the app's OS setting) and the origin's answer is not known yet, the
   * request waits for it, then goes as without: its connection, opened after, finds it known.
   */
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const pending = this.proxy?.lookup ? this.proxyPending(options) : null;
    if (!pending) return super.dispatch(forwardedRequest(this.proxy, options), handler);
    const origin = new URL(String(options.origin)).origin;
    this.waiting.set(origin, (this.waiting.get(origin) ?? 0) + 1);
    void pending.then(() => {
      const left = (this.waiting.get(origin) ?? 1) - 1;
      if (left > 0) this.waiting.set(origin, left);
      else this.waiting.delete(origin);
      try {
        super.dispatch(forwardedRequest(this.proxy, options), handler);
      } catch (error) {
        // A pool closed meanwhile: the request fails through its handler, as a dispatch to it would.
        const legacy = handler as { onError?: (error: Error) => void };
        legacy.onError?.(error instanceof Error ? error : new Error(String(error)));
      }
      this.proxyKnown.emit('known');
    });
    return true;
  }

  private proxyPending(options: Dispatcher.DispatchOptions): Promise<void> | null {
    if (!options.origin || options.method === 'CONNECT') return null;
    const origin = new URL(String(options.origin));
    const port = Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80);
    return proxyPending(this.proxy, origin.protocol, origin.hostname, port);
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
      return (stats !== undefined && stats.pending > 0) || this.waiting.has(origin);
    };
    if (!waiting() || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = (): void => {
        this.off('connect', check);
        this.off('connectionError', check);
        this.proxyKnown.off('known', check);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const check = (): void =>
        queueMicrotask(() => {
          if (!waiting()) finish();
        });
      this.on('connect', check);
      this.on('connectionError', check);
      this.proxyKnown.on('known', check);
      signal?.addEventListener('abort', finish, { once: true });
      setImmediate(check);
    });
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    this.stash.clear();
    this.meter.sample();
    return callback ? super.close(callback) : super.close();
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    this.stash.clear();
    // What the sockets moved is reported before they go (a CLI closes its ledger right after).
    this.meter.sample();
    if (typeof errOrCallback === 'function') return super.destroy(errOrCallback);
    if (callback) return super.destroy(errOrCallback ?? null, callback);
    return super.destroy(errOrCallback ?? null);
  }
}

// ─── Bytes on the wire ──────────────────────────────────────────────────────────────────────────

/** How often a pool reports its sockets' bytes while it has any (and at once when one closes). */
const SAMPLE_MS = 1000;

interface SocketBytesEvents {
  /** Bytes a pool's sockets read ('down') or wrote ('up') on a path since its last report. */
  bytes: [PathBytesEvent];
}

/**
 * The wire bytes of every socket the app's pools open, per path: requests, headers, TLS
 * handshakes and records, uploads and bodies, each counted once from the raw TCP socket's own
 * counters (a TLS socket's are plaintext). The payload the engine reports is for progress; these
 * are what the ledger books as the app's bytes (`bookSocketBytes`). TCP/IP headers and ACKs are
 * not seen by a socket: the link's counters carry a few percent more.
 */
export class SocketBytes extends EventEmitter<SocketBytesEvents> {
  /** Reports now what every pool's sockets moved since the last report. */
  flush(): void {
    for (const meter of liveMeters) meter.sample();
  }
}

/** This process's pools' socket bytes (one ledger per process books them). */
export const socketBytes = new SocketBytes();

/**
 * Books every pool's socket bytes with `book` from now on, and does so at once whenever `payload`
 * (a transfer, or the transfer manager) reports payload: the engine lets go of the budget it held
 * for those bytes right after, so the ledger must count them by then. Returns the way to stop
 * (after a last report).
 */
export function bookSocketBytes(
  book: (event: PathBytesEvent) => void,
  payload?: {
    on(event: 'bytes', listener: () => void): unknown;
    off(event: 'bytes', listener: () => void): unknown;
  },
): () => void {
  const flush = (): void => socketBytes.flush();
  socketBytes.on('bytes', book);
  payload?.on('bytes', flush);
  return () => {
    payload?.off('bytes', flush);
    socketBytes.flush();
    socketBytes.off('bytes', book);
  };
}

/** The meters of pools that have sockets open. */
const liveMeters = new Set<SocketMeter>();

/** One pool's sockets and what each had read and written at its last report. */
class SocketMeter {
  private readonly path: string;
  private readonly live = new Map<Socket, { read: number; written: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** Counts `socket` from its first byte (TLS handshake included) until it closes. */
  watch(socket: Socket): void {
    this.live.set(socket, { read: 0, written: 0 });
    socket.once('close', () => {
      this.sample();
      this.live.delete(socket);
      if (this.live.size === 0) this.stop();
    });
    if (!this.timer) {
      liveMeters.add(this);
      this.timer = setInterval(() => this.sample(), SAMPLE_MS);
      this.timer.unref();
    }
  }

  sample(): void {
    let down = 0;
    let up = 0;
    for (const [socket, seen] of this.live) {
      const read = socket.bytesRead;
      const written = socket.bytesWritten;
      down += Math.max(0, read - seen.read);
      up += Math.max(0, written - seen.written);
      seen.read = Math.max(seen.read, read);
      seen.written = Math.max(seen.written, written);
    }
    const at = Date.now();
    if (down > 0)
      socketBytes.emit('bytes', {
        transferId: 'sockets',
        path: this.path,
        direction: 'down',
        bytes: down,
        at,
      });
    if (up > 0)
      socketBytes.emit('bytes', { transferId: 'sockets', path: this.path, direction: 'up', bytes: up, at });
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    liveMeters.delete(this);
  }
}

// ─── Handshakes ─────────────────────────────────────────────────────────────────────────────────

/** One TCP handshake of a pool's socket: the round trip the engine saw on a path (issue 23). */
export interface PathHandshake {
  path: string;
  ms: number;
  /** Epoch ms. */
  at: number;
}

/**
 * This process's pools' TCP handshakes, each as its connection opens: what the health verdict
 * reads as the round trip the engine sees on each path, beside its probes'.
 */
export const socketHandshakes = new EventEmitter<{ handshake: [PathHandshake] }>();

function tellHandshake(path: string, socket: Socket): void {
  const ms = handshakeMs(socket);
  if (ms !== null) socketHandshakes.emit('handshake', { path, ms, at: Date.now() });
}
