/**
 * NO_PROXY as curl reads it (lib/noproxy.c), so a machine set up for curl behaves the same here:
 *
 * - entries are separated by commas and blanks; `*` means no proxy for anything;
 * - a name matches itself and every name under it: `example.com` and `.example.com` both match
 *   example.com and www.example.com, never notexample.com; case and a trailing dot don't count;
 * - an IP address or CIDR block (`10.0.0.0/8`, `fd00::/8`, `[::1]`) matches only URLs whose host
 *   is an address in it: names are never resolved to be compared (nor addresses named);
 * - beyond curl, an entry with a port (`example.com:8080`, `[::1]:8443`) applies to that port only,
 *   as Go and Python read it (curl never matches such an entry), and GNOME's `*.example.com`
 *   means `.example.com`.
 */
import { isIP } from 'node:net';

/** One NO_PROXY entry, parsed. */
export type NoProxyRule =
  | { kind: 'all' }
  | { kind: 'name'; suffix: string; port: number | null }
  | { kind: 'cidr'; family: 4 | 6; bits: bigint; prefix: number; port: number | null };

/** Parses a NO_PROXY value (or GNOME's ignore-hosts, joined with commas). */
export function parseNoProxy(value: string | undefined | null): NoProxyRule[] {
  if (!value) return [];
  const rules: NoProxyRule[] = [];
  for (const token of value.split(/[\s,]+/)) {
    if (!token) continue;
    const rule = parseEntry(token);
    if (rule) rules.push(rule);
  }
  return rules;
}

function parseEntry(token: string): NoProxyRule | null {
  if (token === '*') return { kind: 'all' };
  const { host, port } = splitPort(token);
  if (port === undefined) return null;
  const [address, length] = host.split('/', 2) as [string, string | undefined];
  const family = isIP(address);
  if (family === 4 || family === 6) {
    const max = family === 4 ? 32 : 128;
    // curl reads a missing or zero length as the whole address.
    const prefix = length === undefined || Number(length) === 0 ? max : Number(length);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
    return { kind: 'cidr', family, bits: addressBits(address, family), prefix, port };
  }
  const suffix = host
    .replace(/^\*?\./, '')
    .replace(/\.$/, '')
    .toLowerCase();
  return suffix && !suffix.includes('/') ? { kind: 'name', suffix, port } : null;
}

/**
 * `host:port`, `[v6]:port`, a bare IPv6 address (its colons are not a port) or a plain host; the
 * port is null when there is none, undefined when it is not a number.
 */
function splitPort(token: string): { host: string; port: number | null | undefined } {
  if (token.startsWith('[')) {
    const close = token.indexOf(']');
    if (close === -1) return { host: token, port: undefined };
    const rest = token.slice(close + 1);
    const host = token.slice(1, close) + (rest.startsWith('/') ? rest : '');
    if (rest === '' || rest.startsWith('/')) return { host, port: null };
    return { host, port: portOf(rest.slice(1)) };
  }
  const colons = token.split(':').length - 1;
  if (colons !== 1) return { host: token, port: null };
  const [host, port] = token.split(':') as [string, string];
  return { host, port: portOf(port) };
}

function portOf(text: string): number | undefined {
  const port = Number(text);
  return /^\d+$/.test(text) && port > 0 && port < 65536 ? port : undefined;
}

function addressBits(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
  // Expand "::" and an embedded IPv4 tail into eight 16-bit groups.
  let text = address.toLowerCase().replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = addressBits(v4[1] as string, 4);
    text =
      text.slice(0, -(v4[1] as string).length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.reduce((n, group) => (n << 16n) | BigInt(parseInt(group || '0', 16)), 0n);
}

/**
 * Whether a URL's host and port are exempt from the proxy. `hostname` is as a URL gives it (an
 * IPv6 address with or without its brackets).
 */
export function bypassesProxy(rules: readonly NoProxyRule[], hostname: string, port: number): boolean {
  if (rules.length === 0) return false;
  const bare = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  const name = bare.replace(/\.$/, '').toLowerCase();
  const bits = family === 4 || family === 6 ? addressBits(bare, family) : null;
  return rules.some((rule) => {
    if (rule.kind === 'all') return true;
    if (rule.port !== null && rule.port !== port) return false;
    if (rule.kind === 'name') {
      return family === 0 && (name === rule.suffix || name.endsWith(`.${rule.suffix}`));
    }
    if (bits === null || rule.family !== family) return false;
    const shift = BigInt((family === 4 ? 32 : 128) - rule.prefix);
    return bits >> shift === rule.bits >> shift;
  });
}
