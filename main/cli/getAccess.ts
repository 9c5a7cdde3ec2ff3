import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';
import { CookieFileError, parseCookieFile, type Cookie } from '../engine/cookieFile.ts';
import { NetrcError, netrcLogin, type NetrcLogin } from '../engine/netrc.ts';
import {
  parseHeaderLine,
  typedMirrorSites,
  type DownloadAccess,
  type Login,
  type RequestHeader,
} from '../engine/requestAuth.ts';
import { commandUsage, type ParsedArgs } from './args.ts';

/** What get's access options came to: the access to send (none: null), and notices to print. */
export interface ReadAccess {
  access: DownloadAccess | null;
  notices: string[];
}

/** A control character in a user name or password: it could not travel in a header intact. */
const CONTROL = /\p{Cc}/u;

function mistake(message: string): PathwiseError {
  return commandUsage('get', message);
}

/**
 * What `pathwise get` sends to be allowed, read from its options, the files they name and the
 * environment, all before any request: --header lines, a login (--user with --password-file,
 * PATHWISE_PASSWORD or USER:PASSWORD; else the .netrc entry for the URL's host), --load-cookies.
 * `mirrors` are the other URLs typed: their sites get the headers and --user's login too, or each
 * the .netrc entry for its own host, as curl looks one up per host. Nothing is asked on the
 * terminal, and no message names a password, a header's value or a cookie: a mistake is told by
 * option, file and line.
 */
export function readAccess(
  args: ParsedArgs,
  url: string,
  env: NodeJS.ProcessEnv,
  mirrors: readonly string[] = [],
): ReadAccess {
  const notices: string[] = [];
  const parsed = new URL(url);
  const typed = mirrors.map((mirror) => new URL(mirror));
  if ([parsed, ...typed].some((u) => u.username || u.password)) {
    throw mistake(
      "Give the login with --user (and the password in --password-file or PATHWISE_PASSWORD), not in the URL: a URL is shown and kept in the download's journal.",
    );
  }
  const headers = args.list('header').map((line, index) => headerOf(line, index));
  const authorizationHeader = headers.some((h) => h.name.toLowerCase() === 'authorization');
  const user = args.string('user');
  if (user !== undefined && authorizationHeader) {
    throw mistake('Give --user or an Authorization header, not both.');
  }
  if (args.string('password-file') !== undefined && user === undefined) {
    throw mistake('--password-file is the password for --user NAME; give --user too.');
  }
  let loginFor = (_url: URL): Login | null => null;
  if (user !== undefined) {
    const given = login(user, args.string('password-file'), env, notices);
    loginFor = () => given;
  } else if (!authorizationHeader && args.flag('netrc') !== false) {
    const netrc = readNetrc(env);
    if (netrc) loginFor = (u) => fromNetrc(netrc, u);
  }
  const basic = loginFor(parsed);
  const cookieFile = args.string('load-cookies');
  const cookies = cookieFile === undefined ? [] : readCookies(cookieFile, notices);
  const access: DownloadAccess = { headers, basic, cookies };
  const mirrorSites = typedMirrorSites(url, mirrors, loginFor);
  if (mirrorSites.length > 0) access.mirrorSites = mirrorSites;
  if (user === undefined && (basic || access.mirrorSites?.some((m) => m.basic))) {
    netrcNotice(netrcPath(env), notices);
  }
  const any = headers.length > 0 || cookies.length > 0 || basic || access.mirrorSites?.some((m) => m.basic);
  return { access: any ? access : null, notices };
}

function headerOf(line: string, index: number): RequestHeader {
  try {
    return parseHeaderLine(line);
  } catch (error) {
    // Only the option's place is named: the line may hold a token.
    throw mistake(`--header number ${index + 1} ${(error as Error).message}.`);
  }
}

/** --user NAME[:PASSWORD] and where its password is. */
function login(
  spec: string,
  passwordFile: string | undefined,
  env: NodeJS.ProcessEnv,
  notices: string[],
): { user: string; password: string } {
  const colon = spec.indexOf(':');
  const user = colon < 0 ? spec : spec.slice(0, colon);
  if (user === '' || CONTROL.test(user))
    throw mistake('--user needs a user name without control characters.');
  let password: string;
  if (colon >= 0) {
    if (passwordFile !== undefined)
      throw mistake('Give the password in --user or in --password-file, not both.');
    password = spec.slice(colon + 1);
    notices.push(
      'a password given on the command line can be read by other users of this machine (ps); --password-file or PATHWISE_PASSWORD keeps it out of sight.',
    );
  } else if (passwordFile !== undefined) {
    password = firstLine(passwordFile);
  } else if (env['PATHWISE_PASSWORD']) {
    password = env['PATHWISE_PASSWORD'];
  } else {
    throw mistake(
      `--user ${user} has no password: give it in --password-file FILE or PATHWISE_PASSWORD (or as --user ${user}:PASSWORD). Pathwise does not ask for it on the terminal.`,
    );
  }
  if (CONTROL.test(password)) throw mistake('The password for --user has control characters in it.');
  return { user, password };
}

function firstLine(file: string): string {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw mistake(`The password file ${path} cannot be read (${codeOf(error)}).`);
  }
  const line = text.split('\n')[0]?.replace(/\r$/, '') ?? '';
  if (line === '') throw mistake(`The password file ${path} has nothing on its first line.`);
  return line;
}

function netrcPath(env: NodeJS.ProcessEnv): string {
  return env['NETRC'] ? resolve(env['NETRC']) : join(env['HOME'] || homedir(), '.netrc');
}

/** A .netrc read: where it is, and its text. */
interface NetrcFile {
  path: string;
  text: string;
}

/**
 * .netrc ($NETRC, else ~/.netrc), read once for every URL given. A missing ~/.netrc is no login;
 * one that can't be read stops here (--no-netrc skips it).
 */
function readNetrc(env: NodeJS.ProcessEnv): NetrcFile | null {
  const named = env['NETRC'];
  const path = netrcPath(env);
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch (error) {
    if (!named && codeOf(error) === 'ENOENT') return null;
    throw mistake(`${path} (the netrc file) cannot be read (${codeOf(error)}); fix it, or give --no-netrc.`);
  }
}

/**
 * A login taken from .netrc: used, with a notice when others may read the file (curl would say
 * nothing; ftp refuses it).
 */
function netrcNotice(path: string, notices: string[]): void {
  const mode = statSync(path, { throwIfNoEntry: false })?.mode ?? 0;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    notices.push(
      `${path} can be read by other users of this machine (mode ${(mode & 0o777).toString(8)}); "chmod 600 ${path}" keeps its passwords yours.`,
    );
  }
}

/** The login for the URL's host in .netrc, as curl finds it; a broken file stops here. */
function fromNetrc({ path, text }: NetrcFile, url: URL): Login | null {
  let found: NetrcLogin | null;
  try {
    found = netrcLogin(text, url.hostname);
  } catch (error) {
    const why = error instanceof NetrcError ? error.message : String(error);
    throw mistake(`${path} (the netrc file) cannot be read: ${why}; fix it, or give --no-netrc.`);
  }
  if (!found) return null;
  if (CONTROL.test(found.login) || CONTROL.test(found.password)) {
    throw mistake(`${path} (the netrc file) has control characters in the login for ${url.hostname}.`);
  }
  return { user: found.login, password: found.password };
}

function readCookies(file: string, notices: string[]): Cookie[] {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw mistake(`The cookie file ${path} cannot be read (${codeOf(error)}).`);
  }
  let cookies: Cookie[];
  try {
    cookies = parseCookieFile(text);
  } catch (error) {
    if (!(error instanceof CookieFileError)) throw error;
    throw mistake(`The cookie file ${path} is not in the Netscape format: its ${error.message}.`);
  }
  if (cookies.length === 0) notices.push(`the cookie file ${path} has no cookie that has not expired.`);
  return cookies;
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
