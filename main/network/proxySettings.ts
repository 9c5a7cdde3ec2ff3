/**
 * Which proxy, if any, a request goes through: read once when the app or a command starts, from
 * the environment as curl reads it (`http_proxy`/`HTTP_PROXY` for http URLs, `https_proxy`/
 * `HTTPS_PROXY` for https, `all_proxy`/`ALL_PROXY` for both, the lower-case name first; the
 * exemptions in `no_proxy`/`NO_PROXY`, see noProxy.ts), or from the desktop's setting
 * (systemProxy.ts), or, in the desktop app, per URL from the OS's setting and PAC files as Chromium
 * reads them (`lookup`, proxyResolver.ts). Credentials in a proxy URL (`http://user:pass@proxy:3128`)
 * become its Proxy-Authorization and are never part of how a proxy is named (`describeProxy`).
 */
import { bypassesProxy, parseNoProxy, type NoProxyRule } from './noProxy.ts';

export interface ProxyServer {
  /** 'http:' (the usual), 'https:' (TLS to the proxy itself), or what Pathwise can't speak (socks5: …). */
  protocol: string;
  /** The proxy's host, an IPv6 address without brackets. */
  hostname: string;
  port: number;
  /** `Basic …` from the URL's user and password; null without them. Never printed. */
  authorization: string | null;
  /** Where the setting came from: "HTTPS_PROXY", "the GNOME proxy setting" … */
  source: string;
}

/**
 * Proxies chosen per URL (the OS's setting, a PAC file: proxyResolver.ts), asked per origin and
 * kept a while, so that most requests find their answer known.
 */
export interface ProxyLookup {
  /** The origin's proxy when known now (null: direct); undefined when `resolve` must ask. */
  known(protocol: string, hostname: string, port: number): ProxyServer | null | undefined;
  /** Asks once per origin at a time; rejects (E_PROXY) when the answer can't be used. */
  resolve(protocol: string, hostname: string, port: number): Promise<ProxyServer | null>;
}

export interface ProxySettings {
  http: ProxyServer | null;
  https: ProxyServer | null;
  noProxy: NoProxyRule[];
  /**
   * Where `http` and `https` are null: the proxy for each URL, asked (the app's OS setting). The
   * `noProxy` rules still come first.
   */
  lookup?: ProxyLookup | undefined;
}

export const NO_PROXY_SETTINGS: ProxySettings = { http: null, https: null, noProxy: [] };

/** Proxy schemes Pathwise speaks. */
const SPOKEN = new Set(['http:', 'https:']);

/**
 * A proxy URL as curl takes it: `host:port` alone means http; without a port, 1080 for an http
 * proxy (curl's default) and 443 for an https one. Null for an empty or unreadable value.
 */
export function parseProxyUrl(value: string | undefined, source: string): ProxyServer | null {
  const text = value?.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return null;
  }
  if (!url.hostname) return null;
  // URL drops a scheme's own port (80 for http), which, written, is meant: read it from the text.
  const authority = (text.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? '').replace(/^.*@/, '');
  const written = /:(\d+)$/.exec(authority)?.[1];
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: written ? Number(written) : url.protocol === 'https:' ? 443 : 1080,
    authorization: user || password ? basic(user, password) : null,
    source,
  };
}

/** `Basic base64(user:password)`, RFC 7617. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** The first of `names` set to something in `env` (an empty value counts as unset). */
function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | null {
  for (const name of names) {
    const value = env[name];
    if (value && value.trim()) return { name, value };
  }
  return null;
}

function fromEnvFor(env: NodeJS.ProcessEnv, scheme: 'http' | 'https'): ProxyServer | null {
  const found = firstSet(env, [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY']);
  return found ? parseProxyUrl(found.value, found.name) : null;
}

/** The environment's proxies, or null when it names none (the desktop's setting may then apply). */
export function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings | null {
  const http = fromEnvFor(env, 'http');
  const https = fromEnvFor(env, 'https');
  if (!http && !https) return null;
  const noProxy = env['no_proxy'] ?? env['NO_PROXY'];
  return { http, https, noProxy: parseNoProxy(noProxy) };
}

/**
 * The proxy a request to `protocol//hostname:port` goes through; null when it goes direct. With a
 * `lookup`, the answer known now: a caller that needs it at once waits for `proxyPending` first.
 */
export function proxyFor(
  settings: ProxySettings | null | undefined,
  protocol: string,
  hostname: string,
  port: number,
): ProxyServer | null {
  if (!settings) return null;
  if (settings.lookup) {
    if (!isWeb(protocol) || bypassesProxy(settings.noProxy, hostname, port)) return null;
    return settings.lookup.known(protocol, hostname, port) ?? null;
  }
  const server = protocol === 'https:' ? settings.https : protocol === 'http:' ? settings.http : null;
  if (!server || bypassesProxy(settings.noProxy, hostname, port)) return null;
  return server;
}

/** The proxy for a connection about to open: asked when a `lookup` has no answer yet. */
export async function chooseProxy(
  settings: ProxySettings | null | undefined,
  protocol: string,
  hostname: string,
  port: number,
): Promise<ProxyServer | null> {
  const lookup = settings?.lookup;
  if (!lookup || !isWeb(protocol) || bypassesProxy(settings.noProxy, hostname, port))
    return proxyFor(settings, protocol, hostname, port);
  return lookup.known(protocol, hostname, port) ?? (await lookup.resolve(protocol, hostname, port));
}

/**
 * What to wait for before `proxyFor` knows the answer for an origin: null at once (no lookup, a
 * known answer, an exempt host), else a promise that settles when it is asked (never rejecting:
 * an answer that can't be used fails the connection, in `chooseProxy`).
 */
export function proxyPending(
  settings: ProxySettings | null | undefined,
  protocol: string,
  hostname: string,
  port: number,
): Promise<void> | null {
  const lookup = settings?.lookup;
  if (!lookup || !isWeb(protocol) || bypassesProxy(settings.noProxy, hostname, port)) return null;
  if (lookup.known(protocol, hostname, port) !== undefined) return null;
  return lookup.resolve(protocol, hostname, port).then(
    () => undefined,
    () => undefined,
  );
}

function isWeb(protocol: string): boolean {
  return protocol === 'http:' || protocol === 'https:';
}

/** A proxy as the user may see it: scheme, host and port, and where it was set; never a password. */
export function describeProxy(server: ProxyServer): string {
  const host = server.hostname.includes(':') ? `[${server.hostname}]` : server.hostname;
  return `${server.protocol}//${host}:${server.port} (${server.source})`;
}

/** Why a configured proxy can't be used, in words; null when Pathwise speaks it. */
export function unspokenProxy(server: ProxyServer): string | null {
  if (SPOKEN.has(server.protocol)) return null;
  return `${describeProxy(server)} is a ${server.protocol.replace(/:$/, '').toUpperCase()} proxy, which Pathwise does not speak (only HTTP and HTTPS proxies)`;
}

/** What a start-up notice says of the proxies in use; empty without any. */
export function proxyNotices(settings: ProxySettings | null): string[] {
  if (!settings) return [];
  const servers = [settings.http, settings.https].filter((s): s is ProxyServer => s !== null);
  const unspoken = [...new Set(servers.map(unspokenProxy).filter((s): s is string => s !== null))];
  return unspoken.map(
    (reason) =>
      `${reason}: downloads that would go through it fail rather than go around it. Unset it, or list the servers in NO_PROXY.`,
  );
}
