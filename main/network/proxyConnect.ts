/**
 * A path's connections through a proxy. The socket the path opens (pinned to its device or bound
 * to its address, metered like any other) goes to the proxy instead of the server, so a proxy
 * that one path reaches and another doesn't is used on the first only: the second's connections
 * fail with E_PROXY and that path leaves the download, saying why. Pathwise never goes around a
 * proxy that is set (a network that needs it may watch or block what passes by).
 *
 * - https: `CONNECT host:port` (RFC 9110 §9.3.6), the 2xx checked, then TLS with the server
 *   through the tunnel (SNI the server's name), by undici's own connector as without a proxy.
 * - http: forwarded, the request sent to the proxy with its target in absolute form
 *   (`GET http://host/file HTTP/1.1`, `forwardedRequest`), as curl does. A tunnel would work
 *   too, but proxies refuse CONNECT to ports other than 443 by default (squid's
 *   `http_access deny CONNECT !SSL_ports`), so most downloads over http would fail.
 *
 * The proxy's login (Proxy-Authorization) goes in each CONNECT and each forwarded request, never
 * in a message. A 407 is E_PROXY_AUTH, which ends the download: every path meets the same proxy.
 */
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';
import { PathwiseError } from '../../common/errors.ts';
import {
  describeProxy,
  proxyFor,
  unspokenProxy,
  type ProxyServer,
  type ProxySettings,
} from './proxySettings.ts';

/** A proxy's answer to CONNECT longer than this is not one. */
const MAX_ANSWER = 16 * 1024;

/** host:port as a request target names it (an IPv6 address in brackets). */
export function authority(hostname: string, port: number): string {
  return `${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
}

/** The proxy can't be spoken (SOCKS …): fails rather than go around it. */
export function unspokenError(server: ProxyServer): PathwiseError | null {
  const reason = unspokenProxy(server);
  return reason
    ? new PathwiseError('E_PROXY', `${reason}. Unset it, or add this server to NO_PROXY, to download.`)
    : null;
}

/** The path could not open a connection to the proxy. */
export function proxyUnreachable(server: ProxyServer, via: string, cause: unknown): PathwiseError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const why = typeof code === 'string' ? code : cause instanceof Error ? cause.message : String(cause);
  return new PathwiseError(
    'E_PROXY',
    `The proxy ${describeProxy(server)} cannot be reached over ${via} (${why}): ${via} carries no download until it can, as Pathwise does not go around a proxy that is set. If this network needs none, add the server to NO_PROXY.`,
    { cause },
  );
}

function proxyAnswered(server: ProxyServer, target: string, status: number, reason: string): PathwiseError {
  if (status === 407) return proxyLoginError(server, target);
  return new PathwiseError(
    'E_PROXY',
    `The proxy ${describeProxy(server)} would not open a tunnel to ${target}: it answered ${status}${reason ? ` ${reason}` : ''}.`,
  );
}

/** A 407: the proxy wants a login it was not given, or refused the one it was. */
export function proxyLoginError(server: ProxyServer, target: string): PathwiseError {
  const advice = server.authorization
    ? 'It refused the user and password in the proxy setting; check them.'
    : 'Put them in the proxy URL: HTTPS_PROXY=http://user:password@host:port (and HTTP_PROXY likewise).';
  return new PathwiseError(
    'E_PROXY_AUTH',
    `The proxy ${describeProxy(server)} asks for a login (407 Proxy Authentication Required) to reach ${target}. ${advice}`,
  );
}

/**
 * Opens a tunnel to `hostname:port` over `socket` (connected to `server`): resolves once the proxy
 * answered 2xx, with nothing of the server's read yet; rejects (the socket destroyed) otherwise.
 */
export function openTunnel(
  socket: Socket,
  server: ProxyServer,
  target: { hostname: string; port: number },
  timeoutMs: number,
): Promise<void> {
  const where = authority(target.hostname, target.port);
  const lines = [`CONNECT ${where} HTTP/1.1`, `Host: ${where}`];
  if (server.authorization) lines.push(`Proxy-Authorization: ${server.authorization}`);
  return new Promise<void>((resolve, reject) => {
    let answer = Buffer.alloc(0);
    const done = (error: Error | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve();
    };
    const onData = (chunk: Buffer): void => {
      answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf('\r\n\r\n');
      if (end === -1) {
        if (answer.length > MAX_ANSWER)
          done(proxyAnswered(server, where, 0, '(an answer too long to be one)'));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)/.exec(answer.subarray(0, end).toString('latin1'));
      if (!status)
        done(
          new PathwiseError('E_PROXY', `The proxy ${describeProxy(server)} sent a broken answer to CONNECT.`),
        );
      else if (!status[1]?.startsWith('2'))
        done(proxyAnswered(server, where, Number(status[1]), status[2] ?? ''));
      // TLS speaks first: bytes from the server before it are not a server's.
      else if (answer.length > end + 4)
        done(
          new PathwiseError(
            'E_PROXY',
            `The proxy ${describeProxy(server)} sent data before the tunnel to ${where} was open.`,
          ),
        );
      else done(null);
    };
    const onEnd = (error?: Error): void =>
      done(
        new PathwiseError(
          'E_PROXY',
          `The proxy ${describeProxy(server)} closed the connection instead of opening a tunnel to ${where}${error instanceof Error ? ` (${error.message})` : ''}.`,
          { cause: error },
        ),
      );
    const timer = setTimeout(
      () =>
        done(
          new PathwiseError(
            'E_PROXY',
            `The proxy ${describeProxy(server)} did not answer CONNECT ${where} in time.`,
          ),
        ),
      timeoutMs,
    );
    timer.unref();
    socket.on('data', onData);
    socket.once('error', onEnd);
    socket.once('close', onEnd);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/**
 * `options` for a pool whose http requests go through a proxy: the target in absolute form and
 * the proxy's login added; unchanged for https (tunnelled), exempt hosts and no proxy.
 */
export function forwardedRequest<Options extends Dispatcher.DispatchOptions>(
  settings: ProxySettings | null,
  options: Options,
): Options {
  if (!settings || !options.origin || options.method === 'CONNECT') return options;
  const origin = new URL(String(options.origin));
  if (origin.protocol !== 'http:' || !options.path.startsWith('/')) return options;
  const server = proxyFor(settings, 'http:', origin.hostname, Number(origin.port) || 80);
  if (!server) return options;
  const forwarded = { ...options, path: `${origin.origin}${options.path}` };
  if (!server.authorization) return forwarded;
  return { ...forwarded, headers: withHeader(options.headers, 'proxy-authorization', server.authorization) };
}

/** `headers` (in any of the forms undici takes) with one more. */
function withHeader(headers: Dispatcher.DispatchOptions['headers'], name: string, value: string): string[] {
  const flat: string[] = [];
  if (Array.isArray(headers)) flat.push(...(headers as string[]).flat());
  else if (headers && typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [key, val] of headers as Iterable<[string, string | string[] | undefined]>)
      push(flat, key, val);
  } else if (headers) {
    for (const [key, val] of Object.entries(headers)) push(flat, key, val as string | string[] | undefined);
  }
  flat.push(name, value);
  return flat;
}

function push(flat: string[], key: string, value: string | string[] | undefined): void {
  if (value === undefined) return;
  for (const one of Array.isArray(value) ? value : [value]) flat.push(key, one);
}
