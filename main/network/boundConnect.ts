/**
 * An undici `connect` function whose sockets really leave through one path.
 *
 * On Linux each socket is pinned to the path's device before it connects (SO_BINDTODEVICE via the
 * pathwise_bind addon): the kernel then uses only routes through that device, so the path holds
 * even without source-based policy routing. Node adopts the pinned descriptor
 * (`new net.Socket({ fd })`) and does bind, connect and error reporting as for any socket; TLS
 * runs over it through undici's own connector (`httpSocket`), so servername, ALPN and session
 * reuse behave exactly as in a plain Agent.
 *
 * Where the addon is unavailable (not Linux, no build, turned off, old kernel) sockets are bound
 * to the path's address only — which picks the interface on macOS and Windows, and on Linux only
 * where policy routing exists; PathVerifier tells whether it held.
 *
 *   const connect = createBoundConnect({ device: 'wwan0', localAddress: '198.18.2.2' });
 *   const agent = new Agent({ connect });   // connect.mode is 'device' or 'address'
 */
import { closeSync } from 'node:fs';
import { isIP, Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { buildConnector } from 'undici';
import { buildConnector as buildConnectorImpl, errors } from './undiciCore.ts';
import { loadBindAddon, openDeviceSocket, type BindAddon, type BindAddonStatus } from './bindAddon.ts';
import { raceConnects, resolveTargets, type Target } from './happyEyeballs.ts';
import { authority, openTunnel, proxyUnreachable, unspokenError } from './proxyConnect.ts';
import { chooseProxy, proxyFor, type ProxyServer, type ProxySettings } from './proxySettings.ts';

export type BindingMode = 'device' | 'address';

export interface BoundConnectOptions {
  /** The path's interface name (wlan0, wwan0, en0 …). */
  device: string;
  /** The path's address: the source of its sockets when its family matches the destination's. */
  localAddress?: string | null;
  /**
   * All the path's source addresses, at most one per family (an IPv4 and an IPv6): sockets to a
   * server's IPv6 address leave from the IPv6 one, and a family the path lacks is not tried.
   * `[localAddress]` when absent.
   */
  localAddresses?: readonly string[];
  /** Connect timeout in ms for TCP (and again for the TLS handshake); undici's default is 10 s. */
  timeoutMs?: number;
  /** Passed to undici's connector: TLS options (ca, rejectUnauthorized …), allowH2, keepAlive … */
  connector?: ConnectorOptions;
  /** The addon status to use; loadBindAddon() when absent (tests pass their own). */
  addon?: BindAddonStatus;
  /**
   * Given every TCP socket this connector opens, once connected and before any TLS (or CONNECT):
   * a byte meter counts it there (a TLS socket's own counts are plaintext, without records or
   * handshakes).
   */
  onSocket?: (socket: Socket) => void;
  /** The proxies requests go through (proxyConnect.ts); direct when absent. */
  proxy?: ProxySettings | null;
}

export interface BoundConnect extends buildConnector.connector {
  readonly device: string;
  readonly localAddress: string | null;
  /** 'device' when sockets are pinned to the interface, 'address' when only to its address. */
  readonly mode: BindingMode;
  /** Why sockets are bound by address only; null in device mode. */
  readonly reason: string | null;
}

export type ConnectorOptions = Omit<
  ConnectionOptions,
  'socket' | 'host' | 'port' | 'path' | 'servername' | 'timeout' | 'lookup'
> & {
  allowH2?: boolean;
  maxCachedSessions?: number | null;
  keepAlive?: boolean | null;
  keepAliveInitialDelay?: number | null;
};

const DEFAULT_TIMEOUT_MS = 10_000;

/** Opens one TCP connection to `hostname:port` through the path, from `sources`. */
type OpenTcp = (hostname: string, port: number, sources: readonly string[]) => Promise<Socket>;

export function createBoundConnect(options: BoundConnectOptions): BoundConnect {
  const status = options.addon ?? loadBindAddon();
  const localAddress = options.localAddress || null;
  const sources = (options.localAddresses ?? [localAddress]).filter((a): a is string => isIP(a ?? '') !== 0);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { device } = options;
  const tlsAndTcp = buildConnectorImpl({
    ...options.connector,
    timeout: timeoutMs,
  } as buildConnector.BuildOptions);
  const keepAlive = options.connector?.keepAlive ?? true;
  const keepAliveDelay = options.connector?.keepAliveInitialDelay ?? 60_000;
  const openTcp: OpenTcp = (hostname, port, from) =>
    connectRacing(status.available ? status.addon : null, {
      device,
      sources: from,
      hostname,
      port,
      timeoutMs,
    });

  const open = async (opts: buildConnector.Options): Promise<Socket> => {
    const https = opts.protocol === 'https:';
    const port = Number(opts.port) || (https ? 443 : 80);
    // The pool's own address when this connector was given none (a caller's plain Agent).
    const from =
      sources.length > 0 ? sources : [opts.localAddress].filter((a): a is string => isIP(a ?? '') !== 0);
    // A proxy per URL (the app's OS setting) may have to be asked; a fixed one never is.
    const proxy = options.proxy?.lookup
      ? await chooseProxy(options.proxy, opts.protocol, opts.hostname, port)
      : proxyFor(options.proxy, opts.protocol, opts.hostname, port);
    const socket = await (proxy
      ? openToProxy(() => openTcp(proxy.hostname, proxy.port, from), proxy, device)
      : openTcp(opts.hostname, port, from));
    options.onSocket?.(socket);
    try {
      let carrier: Socket = socket;
      if (proxy?.protocol === 'https:') {
        // TLS with the proxy itself; for https, the tunnel and TLS with the server inside that.
        const servername = isIP(proxy.hostname) ? undefined : proxy.hostname;
        carrier = await upgrade(tlsAndTcp, socket, {
          ...opts,
          // undici takes the TLS name from `host` when `servername` is not given.
          host: authority(proxy.hostname, proxy.port),
          hostname: proxy.hostname,
          protocol: 'https:',
          port: String(proxy.port),
          servername,
        } as buildConnector.Options);
      }
      if (proxy && https) await openTunnel(carrier, proxy, { hostname: opts.hostname, port }, timeoutMs);
      if (https) return await upgrade(tlsAndTcp, carrier, { ...opts, port: String(port) });
      if (keepAlive) socket.setKeepAlive(true, keepAliveDelay);
      socket.setNoDelay(true);
      return carrier;
    } catch (error) {
      socket.destroy();
      throw error;
    }
  };

  const connect: buildConnector.connector = (opts, callback) => {
    // A socket handed in (a proxy tunnel being upgraded to TLS) is already on its path.
    if (opts.httpSocket) return tlsAndTcp(opts, callback);
    open(opts).then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error, null),
    );
  };
  return Object.assign(connect, {
    device,
    localAddress,
    mode: (status.available ? 'device' : 'address') as BindingMode,
    reason: status.reason,
  });
}

/** The path's connection to the proxy; failing that, E_PROXY naming the path (never direct). */
async function openToProxy(open: () => Promise<Socket>, proxy: ProxyServer, device: string): Promise<Socket> {
  const unspoken = unspokenError(proxy);
  if (unspoken) throw unspoken;
  try {
    return await open();
  } catch (error) {
    throw proxyUnreachable(proxy, device, error);
  }
}

/** TLS over `socket` by undici's connector (servername, ALPN, session reuse as in a plain Agent). */
function upgrade(
  tlsAndTcp: buildConnector.connector,
  socket: Socket,
  opts: buildConnector.Options,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    tlsAndTcp({ ...opts, httpSocket: socket }, (error, tlsSocket) => {
      if (error || !tlsSocket) {
        socket.destroy();
        reject(error ?? new Error('TLS connect returned no socket'));
      } else resolve(tlsSocket as Socket);
    });
  });
}

function connectTimeout(hostname: string, port: number, device: string, timeoutMs: number): Error {
  return new errors.ConnectTimeoutError(
    `Connect Timeout Error (attempted address: ${hostname}:${port} via ${device}, timeout: ${timeoutMs}ms)`,
  );
}

interface Destination {
  device: string;
  /** The path's source addresses (one per family at most); empty when unknown. */
  sources: readonly string[];
  hostname: string;
  port: number;
  timeoutMs: number;
}

/**
 * A TCP connection through the path to `hostname:port`: pinned to the device (`addon`) or bound
 * to the path's address of each target's family, its addresses raced Happy Eyeballs style
 * (happyEyeballs.ts) until the deadline.
 */
async function connectRacing(addon: BindAddon | null, destination: Destination): Promise<Socket> {
  const { device, sources, hostname, port, timeoutMs } = destination;
  // Bound by address, a family the path has no address of would leave unbound, by another path:
  // it is not tried. Pinned to the device, the kernel picks the source (and fails at once without).
  const families = addon || sources.length === 0 ? null : new Set(sources.map((s) => isIP(s) as 4 | 6));
  const first: 4 | 6 = isIP(sources[0] ?? '') === 6 ? 6 : 4;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(connectTimeout(hostname, port, device, timeoutMs)),
    timeoutMs,
  );
  // A connect nobody waits for any more (its transfer ended) must not hold the process open.
  timer.unref();
  try {
    const lookup = resolveTargets(hostname, families, first, device);
    const expired = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), {
        once: true,
      }),
    );
    const targets = await Promise.race([lookup, expired]);
    const attempt = (target: Target, signal: AbortSignal): Promise<Socket> => {
      const source = sources.find((s) => isIP(s) === target.family) ?? null;
      return connectOnce(addon, device, source, target, port, signal);
    };
    return await raceConnects(targets, attempt, {
      signal: controller.signal,
      // A missing device fails every address the same way.
      final: (error) => (error as { code?: string }).code === 'ENODEV',
    });
  } finally {
    clearTimeout(timer);
  }
}

/** One socket to `target`: pinned to `device` when the addon is given, from `source` when it is set. */
function connectOnce(
  addon: BindAddon | null,
  device: string,
  source: string | null,
  target: Target,
  port: number,
  signal: AbortSignal,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let socket: Socket;
    if (addon) {
      const fd = openDeviceSocket(addon, target.family, device);
      try {
        // Node adopts the descriptor; libuv reuses it for bind() and connect().
        socket = new Socket({ fd, highWaterMark: 64 * 1024 } as ConstructorParameters<typeof Socket>[0]);
      } catch (error) {
        closeSync(fd);
        throw error;
      }
    } else {
      socket = new Socket({ highWaterMark: 64 * 1024 } as ConstructorParameters<typeof Socket>[0]);
    }
    const onAbort = (): void => {
      socket.destroy();
      reject(signal.reason as Error);
    };
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.ref();
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (error: Error) => {
      signal.removeEventListener('abort', onAbort);
      error.message = `${error.message} via ${device}`;
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      socket.connect({ host: target.address, port, ...(source ? { localAddress: source } : {}) });
      // Until it connects, the socket does not keep the process alive: undici can't cancel a
      // custom connect, so a SYN into a blackhole would otherwise hold a finished CLI open for
      // the whole connect timeout. Whoever asked for the connection keeps the process alive.
      socket.unref();
    } catch (error) {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error as Error);
    }
  });
}
