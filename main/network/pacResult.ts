/**
 * A PAC-style answer ("PROXY host:port; DIRECT") read strictly into the proxy a URL takes. It is
 * what Chromium's resolver gives (Electron's `session.resolveProxy`, which reads the OS's setting
 * on every desktop and runs a PAC file), and what a PAC script's FindProxyForURL returns.
 *
 * Entries are separated by `;` and listed in order of preference. `PROXY` and `HTTP` name an HTTP
 * proxy (port 80 when none is written, as Chromium reads it), `HTTPS` one spoken to over TLS (443),
 * `DIRECT` no proxy. `SOCKS`, `SOCKS4`, `SOCKS5` and `QUIC` name proxies Pathwise does not speak:
 * each is skipped with a notice, and the next entry is taken. An answer with nothing Pathwise can
 * use is refused (E_PROXY), never read as DIRECT: a network that sets a proxy may need it.
 */
import { PathwiseError } from '../../common/errors.ts';
import type { ProxyServer } from './proxySettings.ts';

/** How the proxies this file reads are named to the user. */
export const SYSTEM_PROXY_SOURCE = 'the system proxy setting';

/** One entry of the answer, parsed. */
export type PacEntry =
  | { kind: 'direct' }
  | { kind: 'proxy'; server: ProxyServer }
  /** A proxy Pathwise does not speak (SOCKS, QUIC), with its scheme as written. */
  | { kind: 'unspoken'; scheme: string; where: string }
  /** An entry that is not one of the above, as written. */
  | { kind: 'unreadable'; text: string };

/** The proxy the answer chooses (null: direct), and what the user should know of the rest. */
export interface PacChoice {
  server: ProxyServer | null;
  notices: string[];
}

const SPOKEN: Record<string, { protocol: 'http:' | 'https:'; port: number }> = {
  PROXY: { protocol: 'http:', port: 80 },
  HTTP: { protocol: 'http:', port: 80 },
  HTTPS: { protocol: 'https:', port: 443 },
};
const UNSPOKEN = new Set(['SOCKS', 'SOCKS4', 'SOCKS5', 'QUIC']);

/** `host`, `host:port`, `[v6]` or `[v6]:port`; the host's characters as a URL's may be. */
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/;

/** Every entry of a PAC answer, in order; empty entries (a trailing `;`) are none. */
export function parsePacResult(text: string, source = SYSTEM_PROXY_SOURCE): PacEntry[] {
  const entries: PacEntry[] = [];
  for (const raw of text.split(';')) {
    const entry = raw.trim();
    if (entry) entries.push(parseEntry(entry, source));
  }
  return entries;
}

function parseEntry(entry: string, source: string): PacEntry {
  const match = /^([A-Za-z0-9]+)(?:[ \t]+(\S+))?$/.exec(entry);
  if (!match) return { kind: 'unreadable', text: entry };
  const scheme = (match[1] as string).toUpperCase();
  const where = match[2];
  if (scheme === 'DIRECT')
    return where === undefined ? { kind: 'direct' } : { kind: 'unreadable', text: entry };
  if (where === undefined) return { kind: 'unreadable', text: entry };
  if (UNSPOKEN.has(scheme)) return { kind: 'unspoken', scheme, where };
  const spoken = SPOKEN[scheme];
  const address = HOST_PORT.exec(where);
  if (!spoken || !address) return { kind: 'unreadable', text: entry };
  const port = address[3] === undefined ? spoken.port : Number(address[3]);
  if (port < 1 || port > 65535) return { kind: 'unreadable', text: entry };
  const hostname = (address[1] ?? address[2] ?? '').toLowerCase();
  return {
    kind: 'proxy',
    server: { protocol: spoken.protocol, hostname, port, authorization: null, source },
  };
}

/**
 * The first entry Pathwise can use for `origin` (its scheme, host and port, as the notices name
 * it). Throws E_PROXY when there is none: the answer named only proxies Pathwise does not speak,
 * or could not be read.
 */
export function choosePacEntry(text: string, origin: string, source = SYSTEM_PROXY_SOURCE): PacChoice {
  const notices: string[] = [];
  for (const entry of parsePacResult(text, source)) {
    if (entry.kind === 'direct') return { server: null, notices };
    if (entry.kind === 'proxy') return { server: entry.server, notices };
    notices.push(
      entry.kind === 'unspoken'
        ? `${capital(source)} names a ${entry.scheme} proxy (${entry.where}) for ${origin}, which Pathwise does not speak (only HTTP and HTTPS proxies): it takes the next entry there.`
        : `${capital(source)} gave "${clip(entry.text)}" for ${origin}, which is not a proxy entry Pathwise can read: it takes the next entry there.`,
    );
  }
  throw new PathwiseError(
    'E_PROXY',
    `${capital(source)} names no proxy Pathwise can use for ${origin} (it answered "${clip(text)}"): downloads from there do not go around it. Name an HTTP or HTTPS proxy in the system's proxy setting (or its PAC file) for this server, or set HTTPS_PROXY and HTTP_PROXY for Pathwise.`,
  );
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** An answer as a message quotes it: one line, not too long, and no login (`user:pass@host`). */
function clip(text: string): string {
  const line = text.replace(/\S*@/g, '…@').replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
