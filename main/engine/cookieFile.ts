/**
 * Cookies from a file in the Netscape format that curl (-b), wget (--load-cookies), aria2
 * (--load-cookies) and browser add-ons write: one cookie a line, seven fields separated by tabs —
 * domain, subdomains too (TRUE/FALSE), path, secure (TRUE/FALSE), expiry (Unix seconds, 0 for a
 * session cookie), name, value. Read as curl reads it (lib/cookie.c): `#` starts a comment, except
 * `#HttpOnly_` before a domain (curl and Firefox mark HttpOnly cookies so); a leading dot on the
 * domain is dropped; a line of six fields has an empty value; a path that reads TRUE or FALSE is a
 * missing path ("/"). Where curl skips a line it can't read, Pathwise says which one: a cookie the
 * download needs that silently went missing shows up later as a puzzling 401 or 403.
 */

export interface Cookie {
  /** Lower case, without a leading dot. */
  domain: string;
  /** Sent to the domain's subdomains too (the file's second field). */
  subdomains: boolean;
  path: string;
  /** Sent only over HTTPS. */
  secure: boolean;
  /** Unix seconds after which it is no longer sent; 0 for a session cookie (always sent). */
  expires: number;
  name: string;
  value: string;
}

/** A line of a cookie file Pathwise can't read: its number (from 1) and why, never its text. */
export class CookieFileError extends Error {
  readonly line: number;
  constructor(line: number, why: string) {
    super(`line ${line} ${why}`);
    this.line = line;
  }
}

/** Control characters and the separators that would break the Cookie header (or smuggle another). */
const BAD_NAME = /[\p{Cc};=\s]/u;
const BAD_VALUE = /[\p{Cc};]/u;

/** Why a cookie can't be sent as it is, in a few words; null when it can. Never names its value. */
export function cookieProblem(cookie: Pick<Cookie, 'domain' | 'path' | 'name' | 'value'>): string | null {
  if (!cookie.domain || /[\s/\p{Cc}]/u.test(cookie.domain)) return 'has no usable domain';
  if (!cookie.path.startsWith('/') || /\p{Cc}/u.test(cookie.path)) return 'has a path that is not /…';
  if (!cookie.name || BAD_NAME.test(cookie.name))
    return 'has a name with spaces, ";", "=" or control characters';
  if (BAD_VALUE.test(cookie.value)) return 'has a value with ";" or control characters';
  return null;
}

const FLAG = /^(TRUE|FALSE)$/i;

/** One line's cookie; null for a blank line or a comment. Throws CookieFileError. */
function cookieOf(raw: string, number: number): Cookie | null {
  let line = raw.replace(/\r$/, '');
  if (line.startsWith('#HttpOnly_')) line = line.slice('#HttpOnly_'.length);
  else if (line.trimStart().startsWith('#') || line.trim() === '') return null;
  const fields = line.split('\t');
  // No path at all (an old format): the flag sits where the path would.
  if (fields.length === 6 && FLAG.test(fields[2] ?? '')) fields.splice(2, 0, '/');
  if (fields.length === 6) fields.push('');
  if (fields.length !== 7) {
    throw new CookieFileError(
      number,
      `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a Netscape cookie line has 7, separated by tabs (domain, subdomains TRUE/FALSE, path, secure TRUE/FALSE, expiry, name, value)`,
    );
  }
  const [domain, subdomains, path, secure, expires, name, value] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!FLAG.test(subdomains) || !FLAG.test(secure)) {
    throw new CookieFileError(number, 'has a second or fourth field that is neither TRUE nor FALSE');
  }
  if (!/^\d{1,16}$/.test(expires.trim())) {
    throw new CookieFileError(number, 'has an expiry that is not a whole number of seconds');
  }
  const cookie: Cookie = {
    domain: domain.replace(/^\./, '').toLowerCase(),
    subdomains: subdomains.toUpperCase() === 'TRUE',
    path: path === '' ? '/' : path,
    secure: secure.toUpperCase() === 'TRUE',
    expires: Number(expires.trim()),
    name,
    value,
  };
  const problem = cookieProblem(cookie);
  if (problem) throw new CookieFileError(number, problem);
  return cookie;
}

/**
 * The cookies of a Netscape cookie file still valid at `nowSeconds` (expired ones are dropped, as
 * curl drops them; a later line for the same domain, path and name replaces an earlier one).
 * Throws CookieFileError for a line that is not a cookie line.
 */
export function parseCookieFile(text: string, nowSeconds: number = Date.now() / 1000): Cookie[] {
  const kept = new Map<string, Cookie>();
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (const [index, raw] of lines.entries()) {
    const cookie = cookieOf(raw, index + 1);
    if (!cookie || expired(cookie, nowSeconds)) continue;
    const key = `${cookie.domain}\t${cookie.path}\t${cookie.name}`;
    kept.delete(key);
    kept.set(key, cookie);
  }
  return [...kept.values()];
}

function expired(cookie: Cookie, nowSeconds: number): boolean {
  return cookie.expires !== 0 && cookie.expires <= nowSeconds;
}

/** RFC 6265 §5.1.3, as curl's tail match: the host itself, or (with subdomains) a host under it. */
function domainMatches(cookie: Cookie, host: string): boolean {
  if (host === cookie.domain) return true;
  return cookie.subdomains && host.endsWith(`.${cookie.domain}`);
}

/** RFC 6265 §5.1.4: the same path, or one below it at a `/`. */
function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath || cookiePath === '/') return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/**
 * The Cookie header value for a request to `url` at `nowSeconds`: the cookies whose domain, path,
 * secure flag and expiry allow it, the longest paths first (RFC 6265 §5.4); null when none do.
 */
export function cookieHeader(
  cookies: readonly Cookie[],
  url: URL,
  nowSeconds: number = Date.now() / 1000,
): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const path = url.pathname || '/';
  const sent = cookies
    .filter(
      (c) =>
        !expired(c, nowSeconds) &&
        (!c.secure || url.protocol === 'https:') &&
        domainMatches(c, host) &&
        pathMatches(c.path, path),
    )
    .sort((a, b) => b.path.length - a.path.length);
  return sent.length > 0 ? sent.map((c) => `${c.name}=${c.value}`).join('; ') : null;
}
