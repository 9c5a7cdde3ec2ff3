import { existsSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import type { PathwiseError } from '../../common/errors.ts';
import type { Cookie } from './cookieFile.ts';
import { CookieJar, keepingCookies } from './cookieJar.ts';
import { HttpStatusError, statusText } from './transferErrors.ts';

/**
 * What a download needs to be allowed (`pathwise get --header --user --load-cookies`, ~/.netrc),
 * and the one place it reaches the wire: every request of the download goes out through its
 * paths' dispatchers, and `signRequests` wraps them, so the probe, the leads, every range, a
 * path's recovery probe, a renewed link and each hop of a redirect carry it — judged per request
 * by where that request goes. The login (Basic), an Authorization header and --header cookies go
 * only to the sites the user gave (each URL typed: its origin, scheme, host and port; a mirror's
 * site gets its own login); after a redirect to another origin they stay behind, as curl leaves
 * them since 7.58 and 7.83. Other --header lines go everywhere, as curl sends them; the cookie
 * file's cookies, and those the download's servers set (cookieJar.ts), go where their domain,
 * path, secure flag and expiry say.
 *
 * None of it is stored: not in the journal, not in TransferInfo, not in --json, not in a log. A
 * download resumed in a later run needs it given again (`explainRefusal` says so when a server
 * refuses one without it).
 */
export interface DownloadAccess {
  /** --header lines in the order given. */
  headers: RequestHeader[];
  /** HTTP Basic credentials for the first URL's site (--user, else the .netrc entry for its host). */
  basic: Login | null;
  /** From a cookie file (cookieFile.ts), each sent where it applies. */
  cookies: Cookie[];
  /**
   * The sites of the other URLs the user typed (`pathwise get URL1 URL2 …`: mirrors), by origin,
   * each with its own login: --user's, else the .netrc entry for its host, as curl looks one up per
   * host (null: none). They get what the first URL's site gets (an Authorization header, --header
   * cookies) but their own login. Without it only the first URL's site does: a Metalink's mirrors,
   * which the user did not type, get no login.
   */
  mirrorSites?: MirrorSite[];
}

export interface Login {
  user: string;
  password: string;
}

export interface RequestHeader {
  name: string;
  value: string;
}

/**
 * Headers the engine sets itself and a download depends on: ranges, their conditions, the
 * encoding the bytes must have (identity), and HTTP/1.1's own framing. A --header may not touch
 * them (User-Agent, Accept, Referer… it may).
 */
const ENGINE_HEADERS = new Set([
  'host',
  'range',
  'if-range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'accept-encoding',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);

/** Sent only to the site the user gave, never after a redirect to another origin. */
const SITE_ONLY = new Set(['authorization', 'cookie', 'proxy-authorization']);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** RFC 9110 field-value characters (undici refuses anything else): no CR, LF, NUL or other controls. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Why a header can't be sent, in a few words naming at most its name; null when it can. */
export function headerProblem(name: string, value: string): string | null {
  if (!TOKEN.test(name) || name.length > 256) {
    return "has no valid name before its colon (letters, digits and !#$%&'*+.^_`|~-, no spaces)";
  }
  const lower = name.toLowerCase();
  if (ENGINE_HEADERS.has(lower)) {
    return `sets ${name}, which Pathwise sets itself for every range it asks (ranges, their conditions, identity encoding)`;
  }
  if (value === '') return `gives ${name} no value`;
  if (!FIELD_VALUE.test(value) || value.length > 8192) {
    return `gives ${name} a value with line breaks or control characters, or longer than 8 KiB`;
  }
  return null;
}

/** `Name: value` as curl's -H takes it (space around the value dropped). Throws an Error saying why not. */
export function parseHeaderLine(line: string): RequestHeader {
  const colon = line.indexOf(':');
  if (colon <= 0) throw new Error('is not "Name: value"');
  const header = { name: line.slice(0, colon), value: line.slice(colon + 1).trim() };
  const problem = headerProblem(header.name, header.value);
  if (problem) throw new Error(problem);
  return header;
}

/** A login (user and password) as the Authorization header of HTTP Basic (RFC 7617, UTF-8). */
export function basicAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function hasAccess(access: DownloadAccess | null | undefined): access is DownloadAccess {
  return Boolean(
    access &&
    (access.headers.length > 0 ||
      access.basic ||
      access.cookies.length > 0 ||
      access.mirrorSites?.some((site) => site.basic)),
  );
}

/** A site the user typed besides the first URL's, with the login it gets (null: none). */
export interface MirrorSite {
  origin: string;
  basic: Login | null;
}

/**
 * `DownloadAccess.mirrorSites` for the other addresses the user typed (`get URL MIRROR …`, the
 * dashboard's Mirrors): each origin once, the first URL's left out, each with `loginFor` its site.
 */
export function typedMirrorSites(
  url: string,
  mirrors: readonly string[],
  loginFor: (site: URL) => Login | null,
): MirrorSite[] {
  const first = new URL(url).origin;
  const sites = new Map<string, URL>();
  for (const mirror of mirrors) {
    const site = new URL(mirror);
    if (site.origin !== first && !sites.has(site.origin)) sites.set(site.origin, site);
  }
  return [...sites].map(([origin, site]) => ({ origin, basic: loginFor(site) }));
}

/** The sites the user gave (origin → its login): the first URL's, then each mirror typed. */
export type GivenSites = ReadonlyMap<string, Login | null>;

export function givenSites(access: DownloadAccess | null | undefined, firstUrl: string): GivenSites {
  const sites = new Map<string, Login | null>();
  for (const site of access?.mirrorSites ?? []) sites.set(site.origin, site.basic);
  if (URL.canParse(firstUrl)) sites.set(new URL(firstUrl).origin, access?.basic ?? null);
  return sites;
}

/**
 * The headers `access` adds to a request for `url`, by lower-case name (a name given twice is
 * sent twice); `sites` are the origins the user gave, with their logins; `jar` holds the cookies
 * to send (the cookie file's, else only those `access` names).
 */
export function accessHeaders(
  access: DownloadAccess,
  sites: GivenSites,
  url: URL,
  nowSeconds: number = Date.now() / 1000,
  jar: CookieJar = new CookieJar(access.cookies),
): Record<string, string | string[]> {
  const trusted = sites.has(url.origin);
  const login = sites.get(url.origin) ?? null;
  const headers: Record<string, string | string[]> = {};
  const cookies: string[] = [];
  for (const { name, value } of access.headers) {
    const lower = name.toLowerCase();
    if (SITE_ONLY.has(lower) && !trusted) continue;
    if (lower === 'cookie') {
      cookies.push(value);
      continue;
    }
    const before = headers[lower];
    headers[lower] = before === undefined ? value : [...[before].flat(), value];
  }
  if (login) headers['authorization'] = basicAuthorization(login.user, login.password);
  const kept = jar.header(url, nowSeconds);
  if (kept) cookies.push(kept);
  if (cookies.length > 0) headers['cookie'] = cookies.join('; ');
  return headers;
}

type HeaderValue = string | string[] | number | undefined;

/** A request's headers as one object, whichever form undici was given them in. */
function headerObject(headers: Dispatcher.DispatchOptions['headers']): Record<string, HeaderValue> {
  if (!headers) return {};
  if (Array.isArray(headers)) {
    const flat = headers as string[];
    const object: Record<string, HeaderValue> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) object[flat[i] as string] = flat[i + 1];
    return object;
  }
  if (Symbol.iterator in headers) {
    return Object.fromEntries(headers as Iterable<[string, string | string[] | undefined]>);
  }
  return { ...(headers as Record<string, HeaderValue>) };
}

const NO_ACCESS: DownloadAccess = { headers: [], basic: null, cookies: [] };

/**
 * Wraps each path's dispatcher so that every request of this download carries `access` as its
 * target allows (see above), and the cookies its servers set come back on the requests they apply
 * to; the engine's own headers stay, except those a --header replaces (User-Agent, say). One call
 * is one download: its cookie jar lives as long as the function returned.
 */
export function signRequests(
  access: DownloadAccess | null | undefined,
  firstUrl: string,
): (dispatcher: Dispatcher) => Dispatcher {
  const given = access ?? NO_ACCESS;
  const sites = givenSites(access, firstUrl);
  const jar = new CookieJar(given.cookies);
  const signed = new WeakMap<Dispatcher, Dispatcher>();
  const interceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) =>
    function signedDispatch(options, handler) {
      const target = new URL(options.path, options.origin);
      const headers = headerObject(options.headers);
      for (const [name, value] of Object.entries(accessHeaders(given, sites, target, undefined, jar))) {
        for (const key of Object.keys(headers)) if (key.toLowerCase() === name) delete headers[key];
        headers[name] = value;
      }
      return dispatch(
        { ...options, headers: headers as Dispatcher.DispatchOptions['headers'] },
        keepingCookies(handler, target, jar),
      );
    };
  return (dispatcher) => {
    let wrapped = signed.get(dispatcher);
    if (!wrapped) {
      // undici's compose keeps the pool's own methods (preconnect, whenSent, stats) reachable.
      wrapped = dispatcher.compose(interceptor);
      signed.set(dispatcher, wrapped);
    }
    return wrapped;
  };
}

/** The access holds what goes only to the site given: a login, an Authorization or Cookie header. */
function siteOnly(access: DownloadAccess | null | undefined): boolean {
  return Boolean(
    access?.basic ||
    access?.mirrorSites?.some((site) => site.basic) ||
    access?.headers.some((h) => SITE_ONLY.has(h.name.toLowerCase())),
  );
}

/** `url` is on none of the sites the user gave (the first URL's, a mirror typed). */
function otherSite(url: string, access: DownloadAccess | null | undefined, given: string): boolean {
  return URL.canParse(url) && URL.canParse(given) && !givenSites(access, given).has(new URL(url).origin);
}

/** What a refusal's explanation needs to know of its download. */
export interface RefusalContext {
  access: DownloadAccess | null | undefined;
  /** The URL the user gave. */
  url: string;
  /** The download's part file: there when it resumes from an earlier run. */
  partFile: string;
  /** The run failed before its first byte (its probe): a part file then is an earlier run's. */
  atStart: boolean;
}

/** How a login is given (the app's own downloads take none: the command line's do). */
const HOW =
  'pathwise get --user NAME with --password-file FILE (or PATHWISE_PASSWORD), a ~/.netrc entry, --header or --load-cookies';

/**
 * A 401 or 403 that ends a download, told as what it is about: the login. A 401 always (E_AUTH);
 * a 403 when the download sent credentials, or resumes without any (a plain 403 of a public link
 * stays the HTTP error it was). Says whether nothing was sent, the server refused what was, or
 * the request went to another site than the one given (where the login is not sent), and that a
 * resumed download needs its credentials again: Pathwise keeps none.
 */
export function explainRefusal(error: PathwiseError | null, context: RefusalContext): PathwiseError | null {
  if (!(error instanceof HttpStatusError) || (error.status !== 401 && error.status !== 403)) return error;
  const given = hasAccess(context.access);
  const resumed = !given && context.atStart && existsSync(context.partFile);
  if (error.status === 403 && !given && !resumed) return error;
  const where = error.url || context.url;
  const status = statusText(error.status);
  let message: string;
  if (!given) {
    message = resumed
      ? `The server answered ${status} for ${where}, and this download sent no login, header or cookie. It resumes from its part file, and Pathwise never stores credentials: give the ones it was started with again (${HOW}).`
      : `The server asks for a login for ${where} (${status}), and this download sent none. Give it: ${HOW}.`;
  } else if (siteOnly(context.access) && otherSite(where, context.access, context.url)) {
    message = `The server answered ${status} for ${where}, where ${context.url} redirected. Pathwise sends the login, an Authorization header and --header cookies only to the site given (${new URL(context.url).origin}), as curl does; give a URL on ${new URL(where).origin} itself if the login is meant for it.`;
  } else {
    message =
      error.status === 401
        ? `The server refused the login for ${where} (${status}): check the user name and password (or the headers and cookies) given.`
        : `The server refuses access to ${where} (${status}) with the login, headers or cookies given: check they are the ones this file needs, and that the account may read it.`;
  }
  return new HttpStatusError(error.status, message, error.url, error.retryAfterMs, 'E_AUTH');
}
