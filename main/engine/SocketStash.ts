import { isIP, type Socket } from 'node:net';
import type { buildConnector } from 'undici';

type Connector = buildConnector.connector;
type ConnectOptions = buildConnector.Options;
type Callback = buildConnector.Callback;

interface Entry {
  key: string;
  /** The name a TLS connection proved (https only; '' for an IP address). */
  servername: string;
  socket: Socket | null;
  /** The connector call that took this entry while it was still connecting. */
  taker: Callback | null;
  timer: NodeJS.Timeout | null;
  evict: () => void;
}

/** Same destination, same scheme: what a connection can be reused for (IPv6 without brackets). */
function keyOf(protocol: string, hostname: string, port: string | number): string {
  const number = Number(port) || (protocol === 'https:' ? 443 : 80);
  return `${protocol}//${hostname}:${number}`;
}

/**
 * Connections opened ahead of the requests that will use them, for one path's pool.
 *
 * A download knows which paths it will use before it knows anything about the file: while the
 * probe's round trip and the file's preparation run, every path's TCP (and TLS) handshakes can
 * run too, so when the first ranges are planned their connections are already open. On a cellular
 * path that is one to three round trips (100–300 ms) per connection saved, and a second
 * connection on the probe's path no longer queues its handshake behind the probe's payload.
 *
 * `connect` is the connector to give undici: it hands out an opened (or still opening) socket for
 * the same scheme, host, port and TLS name, else connects as `inner` does. A socket nobody took
 * within `idleMs` is closed; one the server closed meanwhile is dropped. Opening is best effort:
 * a connection that fails here fails silently, and the request that would have used it connects
 * (and reports) on its own.
 */
export class SocketStash {
  readonly connect: Connector;
  private readonly inner: Connector;
  private readonly idleMs: number;
  private entries: Entry[] = [];
  private closed = false;

  constructor(inner: Connector, options: { idleMs?: number } = {}) {
    this.inner = inner;
    this.idleMs = options.idleMs ?? 10_000;
    this.connect = (options, callback) => {
      const entry = this.take(options);
      if (!entry) {
        this.inner(options, callback);
        return;
      }
      const socket = entry.socket;
      if (!socket) {
        entry.taker = callback;
        return;
      }
      // Never call back synchronously: undici ignores a resume from inside its own connect call.
      process.nextTick(() => {
        if (socket.destroyed) this.inner(options, callback);
        else callback(null, socket);
      });
    };
  }

  /** Connections opened or opening and not taken yet. */
  get size(): number {
    return this.entries.length;
  }

  /** Opens `count` connections to `origin` from `localAddress` unless that many are already waiting. */
  open(origin: URL, count: number, localAddress: string | null): void {
    if (this.closed || (origin.protocol !== 'http:' && origin.protocol !== 'https:')) return;
    // undici connects IPv6 literals without their brackets, and so does this.
    const hostname = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
    const key = keyOf(origin.protocol, hostname, origin.port);
    const servername = origin.protocol === 'https:' && !isIP(hostname) ? hostname : '';
    const waiting = this.entries.filter((e) => e.key === key).length;
    for (let i = waiting; i < count; i++) {
      const entry: Entry = {
        key,
        servername,
        socket: null,
        taker: null,
        timer: null,
        evict: () => undefined,
      };
      this.entries.push(entry);
      const options: ConnectOptions = {
        hostname,
        host: origin.host,
        protocol: origin.protocol,
        port: origin.port,
        ...(servername ? { servername } : {}),
        localAddress,
      };
      try {
        this.inner(options, (error, socket) => this.opened(entry, error, socket));
      } catch (error) {
        this.opened(entry, error as Error, null);
      }
    }
  }

  /** Closes every connection nobody took; later connects go straight to the inner connector. */
  clear(): void {
    this.closed = true;
    for (const entry of this.entries) {
      entry.evict();
      entry.socket?.destroy();
    }
    this.entries = [];
  }

  private opened(entry: Entry, error: Error | null, socket: Socket | null): void {
    if (entry.taker) {
      const taker = entry.taker;
      entry.taker = null;
      if (error || !socket) taker(error ?? new Error('The connection could not be opened.'), null);
      else taker(null, socket);
      return;
    }
    const index = this.entries.indexOf(entry);
    if (error || !socket || index === -1 || this.closed) {
      // Failed (the request will connect and report on its own), or no longer wanted.
      if (index !== -1) this.entries.splice(index, 1);
      socket?.destroy();
      return;
    }
    entry.socket = socket;
    const drop = (): void => {
      entry.evict();
      const at = this.entries.indexOf(entry);
      if (at !== -1) this.entries.splice(at, 1);
      socket.destroy();
    };
    socket.on('error', drop);
    socket.on('close', drop);
    socket.on('end', drop);
    entry.timer = setTimeout(drop, this.idleMs);
    entry.timer.unref();
    entry.evict = () => {
      socket.off('error', drop);
      socket.off('close', drop);
      socket.off('end', drop);
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    };
  }

  private take(options: ConnectOptions): Entry | null {
    if (options.httpSocket || this.entries.length === 0) return null;
    const key = keyOf(options.protocol, options.hostname, options.port);
    const https = options.protocol === 'https:';
    const fits = (e: Entry): boolean =>
      e.key === key && (!https || e.servername === (options.servername ?? ''));
    // An open connection first, else one still opening.
    const entry =
      this.entries.find((e) => fits(e) && e.socket !== null && !e.socket.destroyed) ??
      this.entries.find((e) => fits(e) && e.socket === null && e.taker === null);
    if (!entry) return null;
    this.entries.splice(this.entries.indexOf(entry), 1);
    entry.evict();
    return entry;
  }
}
