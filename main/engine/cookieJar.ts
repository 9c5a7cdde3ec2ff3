import type { Dispatcher } from 'undici';
import { cookieHeader, cookieProblem, type Cookie } from './cookieFile.ts';

/**
 * The cookies one download holds: those of a cookie file (--load-cookies) and those its servers set
 * (Set-Cookie on the probe, on a redirect, on any answer), kept in memory for as long as the
 * download object lives and sent where they apply, as a browser or `curl -b '' -c` would. Many
 * download sites set a session cookie on the first answer (or on the redirect to a signed link)
 * and refuse the ranges that come without it.
 *
 * Read as RFC 6265 §5.2–5.3 says, in its basic parts: Expires and Max-Age (Max-Age wins; a past
 * date deletes), Domain (only the host itself or a domain above it; an IP address only as itself;
 * without Domain the cookie is host-only), Path (else the request path's folder), Secure (set only
 * over HTTPS, sent only over HTTPS); HttpOnly and SameSite mean nothing outside a browser. There
 * is no public-suffix list: a Domain without a dot inside ("com", "localhost") is taken as
 * host-only when it is the host, and refused otherwise.
 *
 * Nothing here is written anywhere: not to the journal, the info, --json or a log.
 */

/** The most cookies one download keeps (RFC 6265 §6.1 asks for at least 3000 per client, 50 per domain). */
const MAX_COOKIES = 300;
/** RFC 6265 §6.1: at least 4096 bytes per cookie; a larger one is not kept. */
const MAX_COOKIE_BYTES = 4096;

function keyOf(cookie: Pick<Cookie, 'domain' | 'path' | 'name'>): string {
  return `${cookie.domain}\t${cookie.path}\t${cookie.name}`;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** RFC 6265 §5.1.4: the request path's folder, "/" when it has none. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/')) return '/';
  const last = path.lastIndexOf('/');
  return last <= 0 ? '/' : path.slice(0, last);
}

/** Unix seconds from Max-Age or Expires (Max-Age wins); 0 for a session cookie; -1 when already past. */
function expiryOf(attributes: Map<string, string>, nowSeconds: number): number {
  const maxAge = attributes.get('max-age');
  if (maxAge !== undefined && /^-?\d+$/.test(maxAge)) {
    const seconds = Number(maxAge);
    return seconds <= 0 ? -1 : Math.ceil(nowSeconds + seconds);
  }
  const expires = attributes.get('expires');
  if (expires !== undefined) {
    const at = Date.parse(expires);
    if (Number.isFinite(at)) return at / 1000 <= nowSeconds ? -1 : Math.ceil(at / 1000);
  }
  return 0;
}

/** Where a Domain attribute lets the cookie go: [domain, subdomains too]; null when it may not be set. */
function domainOf(attribute: string | undefined, host: string): [string, boolean] | null {
  const domain = (attribute ?? '').replace(/^\./, '').toLowerCase();
  if (domain === '') return [host, false];
  if (domain === host) return isIpAddress(host) || !domain.includes('.') ? [host, false] : [domain, true];
  if (isIpAddress(host) || !domain.includes('.') || !host.endsWith(`.${domain}`)) return null;
  return [domain, true];
}

/** One Set-Cookie line from `url`: the cookie it sets (expires -1: it deletes), or null when it is ignored. */
export function parseSetCookie(line: string, url: URL, nowSeconds: number): Cookie | null {
  if (Buffer.byteLength(line) > MAX_COOKIE_BYTES) return null;
  const [pair = '', ...rest] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const at = part.indexOf('=');
    const key = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    // RFC 6265 §5.2: a later attribute of the same name wins.
    if (key) attributes.set(key, at < 0 ? '' : part.slice(at + 1).trim());
  }
  const secure = attributes.has('secure');
  if (secure && url.protocol !== 'https:') return null;
  const where = domainOf(attributes.get('domain'), hostOf(url));
  if (!where) return null;
  const path = attributes.get('path');
  const cookie: Cookie = {
    domain: where[0],
    subdomains: where[1],
    path: path?.startsWith('/') ? path : defaultPath(url),
    secure,
    expires: expiryOf(attributes, nowSeconds),
    name,
    value,
  };
  return cookieProblem(cookie) === null ? cookie : null;
}

export class CookieJar {
  private readonly kept = new Map<string, Cookie>();

  constructor(initial: readonly Cookie[] = []) {
    for (const cookie of initial) this.kept.set(keyOf(cookie), cookie);
  }

  get size(): number {
    return this.kept.size;
  }

  /** The Set-Cookie lines of an answer from `url`, kept (or deleting) as they say. */
  receive(url: URL, setCookie: string | string[] | undefined, nowSeconds: number = Date.now() / 1000): void {
    if (setCookie === undefined) return;
    for (const line of [setCookie].flat()) {
      const cookie = parseSetCookie(line, url, nowSeconds);
      if (!cookie) continue;
      const key = keyOf(cookie);
      // RFC 6265bis §5.7: an insecure answer may not replace a Secure cookie.
      if (this.kept.get(key)?.secure && url.protocol !== 'https:') continue;
      if (cookie.expires === -1) {
        this.kept.delete(key);
        continue;
      }
      // A replaced cookie keeps its place (RFC 6265 §5.3 step 11.3: its creation time).
      if (!this.kept.has(key) && this.kept.size >= MAX_COOKIES) {
        this.kept.delete(this.kept.keys().next().value as string);
      }
      this.kept.set(key, cookie);
    }
  }

  /** The Cookie header for a request to `url`; null when no cookie applies. */
  header(url: URL, nowSeconds: number = Date.now() / 1000): string | null {
    return cookieHeader([...this.kept.values()], url, nowSeconds);
  }
}

/**
 * `handler` with the answer's Set-Cookie lines handed to `jar` before it sees the answer (each hop
 * of a redirect is its own request, so a cookie set on a redirect is kept too).
 */
export function keepingCookies(
  handler: Dispatcher.DispatchHandler,
  url: URL,
  jar: CookieJar,
): Dispatcher.DispatchHandler {
  return {
    onRequestStart: (controller, context: unknown) => handler.onRequestStart?.(controller, context),
    onRequestUpgrade: (controller, status, headers, socket) =>
      handler.onRequestUpgrade?.(controller, status, headers, socket),
    onResponseStarted: () => handler.onResponseStarted?.(),
    onResponseStart: (controller, status, headers, message) => {
      if (status >= 200) jar.receive(url, headers['set-cookie']);
      return handler.onResponseStart?.(controller, status, headers, message);
    },
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    onBodySent: (chunk) => handler.onBodySent?.(chunk),
    onRequestSent: () => handler.onRequestSent?.(),
  };
}
