import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';
import { CookieFileError, parseCookieFile, type Cookie } from '../engine/cookieFile.ts';
import { NetrcError, netrcLogin, type NetrcLogin } from '../engine/netrc.ts';
import { parseHeaderLine, type DownloadAccess, type RequestHeader } from '../engine/requestAuth.ts';
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
 * Nothing is asked on the terminal, and no message names a password, a header's value or a
 * cookie: a mistake is told by option, file and line.
 */
export function readAccess(args: ParsedArgs, url: string, env: NodeJS.ProcessEnv): ReadAccess {
  const notices: string[] = [];
  const parsed = new URL(url);
  if (parsed.username || parsed.password) {
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
  let basic: DownloadAccess['basic'] = null;
  if (user !== undefined) basic = login(user, args.string('password-file'), env, notices);
  else if (!authorizationHeader && args.flag('netrc') !== false) basic = fromNetrc(parsed, env, notices);
  const cookieFile = args.string('load-cookies');
  const cookies = cookieFile === undefined ? [] : readCookies(cookieFile, notices);
  const access = { headers, basic, cookies };
  return { access: headers.length > 0 || basic || cookies.length > 0 ? access : null, notices };
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

/**
 * The login for the URL's host from .netrc ($NETRC, else ~/.netrc), as curl finds it. A missing
 * ~/.netrc is no login; one that can't be read, or is broken, stops here (--no-netrc skips it).
 * A file others may read is used, with a notice (curl would say nothing; ftp refuses it).
 */
function fromNetrc(url: URL, env: NodeJS.ProcessEnv, notices: string[]): DownloadAccess['basic'] {
  const named = env['NETRC'];
  const path = named ? resolve(named) : join(env['HOME'] || homedir(), '.netrc');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!named && codeOf(error) === 'ENOENT') return null;
    throw mistake(`${path} (the netrc file) cannot be read (${codeOf(error)}); fix it, or give --no-netrc.`);
  }
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
  const mode = statSync(path, { throwIfNoEntry: false })?.mode ?? 0;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    notices.push(
      `${path} can be read by other users of this machine (mode ${(mode & 0o777).toString(8)}); "chmod 600 ${path}" keeps its passwords yours.`,
    );
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
