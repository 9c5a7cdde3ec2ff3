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
import { lookup } from 'node:dns/promises';
import { closeSync } from 'node:fs';
import { isIP, Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { buildConnector } from 'undici';
import { buildConnector as buildConnectorImpl, errors } from './undiciCore.ts';
import { loadBindAddon, openDeviceSocket, type BindAddon, type BindAddonStatus } from './bindAddon.ts';

export type BindingMode = 'device' | 'address';

export interface BoundConnectOptions {
  /** The path's interface name (wlan0, wwan0, en0 …). */
  device: string;
  /** The path's address: the source of its sockets when its family matches the destination's. */
  localAddress?: string | null;
  /** Connect timeout in ms for TCP (and again for the TLS handshake); undici's default is 10 s. */
  timeoutMs?: number;
  /** Passed to undici's connector: TLS options (ca, rejectUnauthorized …), allowH2, keepAlive … */
  connector?: ConnectorOptions;
  /** The addon status to use; loadBindAddon() when absent (tests pass their own). */
  addon?: BindAddonStatus;
  /**
   * Given every TCP socket this connector opens, once connected and before any TLS: a byte meter
   * counts it there (a TLS socket's own counts are plaintext, without records or handshakes).
   * With it, https by address also connects TCP first and runs TLS over that socket.
   */
  onSocket?: (socket: Socket) => void;
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

type Target = { address: string; family: 4 | 6 };

const DEFAULT_TIMEOUT_MS = 10_000;

export function createBoundConnect(options: BoundConnectOptions): BoundConnect {
  const status = options.addon ?? loadBindAddon();
  const localAddress = options.localAddress || null;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { device } = options;
  const tlsAndTcp = buildConnectorImpl({
    ...options.connector,
    timeout: timeoutMs,
  } as buildConnector.BuildOptions);

  let connect: buildConnector.connector;
  if (status.available) {
    const { addon } = status;
    connect = (opts, callback) => {
      // A socket handed in (a proxy tunnel being upgraded to TLS) is already on its path.
      if (opts.httpSocket) return tlsAndTcp(opts, callback);
      connectPinned(addon, device, localAddress, opts, timeoutMs).then(
        (socket) => {
          options.onSocket?.(socket);
          if (opts.protocol === 'https:') {
            tlsAndTcp({ ...opts, httpSocket: socket }, (error, tlsSocket) => {
              if (error || !tlsSocket) {
                socket.destroy();
                callback(error ?? new Error('TLS connect returned no socket'), null);
              } else {
                callback(null, tlsSocket);
              }
            });
            return;
          }
          const keepAlive = options.connector?.keepAlive ?? true;
          if (keepAlive) socket.setKeepAlive(true, options.connector?.keepAliveInitialDelay ?? 60_000);
          socket.setNoDelay(true);
          callback(null, socket);
        },
        (error: Error) => callback(error, null),
      );
    };
  } else {
    connect = connectByAddress(tlsAndTcp, localAddress, options.onSocket);
  }
  return Object.assign(connect, {
    device,
    localAddress,
    mode: (status.available ? 'device' : 'address') as BindingMode,
    reason: status.reason,
  });
}

/**
 * Sockets bound to the path's address only. undici ignores `connect.localAddress`; the address
 * must reach net.connect per call. With `onSocket`, https connects TCP first (undici's connector
 * as for http) and runs TLS over that socket, as device mode does, so the raw socket is known.
 */
function connectByAddress(
  tlsAndTcp: buildConnector.connector,
  localAddress: string | null,
  onSocket: ((socket: Socket) => void) | undefined,
): buildConnector.connector {
  return (opts, callback) => {
    const bound = { ...opts, localAddress: localAddress ?? opts.localAddress ?? null };
    if (!onSocket || opts.httpSocket) return tlsAndTcp(bound, callback);
    if (opts.protocol !== 'https:') {
      return tlsAndTcp(bound, (error, socket) => {
        if (error || !socket) callback(error ?? new Error('TCP connect returned no socket'), null);
        else {
          onSocket(socket as Socket);
          callback(null, socket);
        }
      });
    }
    const port = opts.port || '443';
    const { servername: _name, ...tcpOnly } = bound;
    tlsAndTcp({ ...tcpOnly, protocol: 'http:', port }, (error, tcp) => {
      if (error || !tcp) {
        callback(error ?? new Error('TCP connect returned no socket'), null);
        return;
      }
      onSocket(tcp as Socket);
      tlsAndTcp({ ...bound, port, httpSocket: tcp }, (tlsError, tlsSocket) => {
        if (tlsError || !tlsSocket) {
          tcp.destroy();
          callback(tlsError ?? new Error('TLS connect returned no socket'), null);
        } else callback(null, tlsSocket);
      });
    });
  };
}

/** Destination addresses to try, the family of the path's own address first. */
async function resolveTargets(hostname: string, localAddress: string | null): Promise<Target[]> {
  const family = isIP(hostname);
  if (family === 4 || family === 6) return [{ address: hostname, family }];
  const found = (await lookup(hostname, { all: true })) as Array<{ address: string; family: number }>;
  const targets = found.filter((a): a is Target => a.family === 4 || a.family === 6);
  const preferred = localAddress ? isIP(localAddress) : 0;
  return [...targets.filter((t) => t.family === preferred), ...targets.filter((t) => t.family !== preferred)];
}

function connectTimeout(hostname: string, port: number, device: string, timeoutMs: number): Error {
  return new errors.ConnectTimeoutError(
    `Connect Timeout Error (attempted address: ${hostname}:${port} via ${device}, timeout: ${timeoutMs}ms)`,
  );
}

/** A TCP connection pinned to `device`, trying each resolved address until the deadline. */
async function connectPinned(
  addon: BindAddon,
  device: string,
  localAddress: string | null,
  opts: buildConnector.Options,
  timeoutMs: number,
): Promise<Socket> {
  const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(connectTimeout(opts.hostname, port, device, timeoutMs)), timeoutMs);
    // A connect nobody waits for any more (its transfer ended) must not hold the process open.
    timer.unref();
  });
  try {
    const targets = await Promise.race([resolveTargets(opts.hostname, localAddress), expired]);
    const failures: Error[] = [];
    for (const target of targets) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        return await connectOnce(addon, device, localAddress, target, port, remaining, timeoutMs);
      } catch (error) {
        failures.push(error as Error);
        // A missing device fails every address the same way.
        if ((error as { code?: string }).code === 'ENODEV') break;
      }
    }
    if (failures.length === 0) {
      if (targets.length === 0) {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${opts.hostname}`), { code: 'ENOTFOUND' });
      }
      throw connectTimeout(opts.hostname, port, device, timeoutMs);
    }
    if (failures.length === 1) throw failures[0];
    const first = failures[0] as Error & { code?: string };
    throw Object.assign(new AggregateError(failures, failures.map((f) => f.message).join('; ')), {
      code: first.code,
    });
  } finally {
    clearTimeout(timer);
    expired.catch(() => undefined);
  }
}

function connectOnce(
  addon: BindAddon,
  device: string,
  localAddress: string | null,
  target: Target,
  port: number,
  remainingMs: number,
  timeoutMs: number,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const fd = openDeviceSocket(addon, target.family, device);
    let socket: Socket;
    try {
      // Node adopts the descriptor; libuv reuses it for bind() and connect().
      socket = new Socket({ fd, highWaterMark: 64 * 1024 } as ConstructorParameters<typeof Socket>[0]);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    const bindSource = localAddress !== null && isIP(localAddress) === target.family;
    const timer = setTimeout(
      () => {
        socket.destroy();
        reject(connectTimeout(target.address, port, device, timeoutMs));
      },
      Math.max(1, remainingMs),
    );
    // Until it connects, neither the socket nor its timer keeps the process alive: undici can't
    // cancel a custom connect, so a SYN into a blackhole would otherwise hold a finished CLI open
    // for the whole connect timeout. Whoever asked for the connection keeps the process alive.
    timer.unref();
    socket.unref();
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.ref();
      socket.removeListener('error', onError);
      resolve(socket);
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      error.message = `${error.message} via ${device}`;
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
    try {
      socket.connect({
        host: target.address,
        port,
        ...(bindSource ? { localAddress: localAddress as string } : {}),
      });
    } catch (error) {
      clearTimeout(timer);
      socket.destroy();
      reject(error as Error);
    }
  });
}
