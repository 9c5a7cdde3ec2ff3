/**
 * What a download sends to be allowed: --header lines as curl reads them, the headers each request
 * gets (the login, Authorization and Cookie only to the site given), and a 401/403 told as the
 * login's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  accessHeaders,
  basicAuthorization,
  explainRefusal,
  givenSites,
  parseHeaderLine,
  typedMirrorSites,
  type DownloadAccess,
} from '../../main/engine/requestAuth.ts';
import { httpStatusError } from '../../main/engine/transferErrors.ts';

const SITE = 'https://files.example.com';

function access(changes: Partial<DownloadAccess>): DownloadAccess {
  return { headers: [], basic: null, cookies: [], ...changes };
}

describe('--header lines', () => {
  it('reads "Name: value", the space around the value dropped', () => {
    expect(parseHeaderLine('X-Api-Key:   abc def  ')).toEqual({ name: 'X-Api-Key', value: 'abc def' });
    expect(parseHeaderLine('Authorization: Bearer t:o:k')).toEqual({
      name: 'Authorization',
      value: 'Bearer t:o:k',
    });
  });

  it.each([
    ['no colon', 'Bearer secret-token', /is not "Name: value"/],
    ['a space in the name', 'X Token: secret-token', /no valid name/],
    ['no name', ': secret-token', /is not "Name: value"/],
    ['no value', 'X-Token:', /gives X-Token no value/],
    ['a line break', 'X-Token: secret-token\r\nX-Evil: 1', /line breaks or control characters/],
    ['a range', 'Range: bytes=0-10', /sets Range, which Pathwise sets itself/],
    ['an encoding', 'accept-encoding: gzip', /sets accept-encoding/],
    ['a condition', 'If-Match: "x"', /sets If-Match/],
  ])('refuses %s, naming at most the header, never the value', (_, line, why) => {
    let message = '';
    try {
      parseHeaderLine(line);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(why);
    expect(message).not.toContain('secret-token');
  });
});

describe('the headers a request carries', () => {
  const headers = (given: DownloadAccess, url: string): Record<string, string | string[]> =>
    accessHeaders(given, givenSites(given, `${SITE}/a/file.iso`), new URL(url), 1_800_000_000);

  it('sends the login (Basic, UTF-8) to the site given, and nowhere else', () => {
    const login = access({ basic: { user: 'jörg', password: 'pä:ss' } });
    expect(basicAuthorization('jörg', 'pä:ss')).toBe(
      `Basic ${Buffer.from('jörg:pä:ss', 'utf8').toString('base64')}`,
    );
    expect(headers(login, `${SITE}/a/file.iso`)).toEqual({
      authorization: basicAuthorization('jörg', 'pä:ss'),
    });
    // Another scheme, port or host is another site (curl since 7.83).
    for (const other of [
      'http://files.example.com/f',
      'https://files.example.com:8443/f',
      'https://cdn.example.net/f',
    ]) {
      expect(headers(login, other)).toEqual({});
    }
  });

  it('sends Authorization and Cookie headers to the site given only, the others everywhere', () => {
    const given = access({
      headers: [
        { name: 'Authorization', value: 'Bearer t' },
        { name: 'Cookie', value: 'a=1' },
        { name: 'User-Agent', value: 'Fetcher/2' },
        { name: 'X-Trace', value: 'one' },
        { name: 'x-trace', value: 'two' },
      ],
    });
    expect(headers(given, `${SITE}/f`)).toEqual({
      authorization: 'Bearer t',
      cookie: 'a=1',
      'user-agent': 'Fetcher/2',
      'x-trace': ['one', 'two'],
    });
    expect(headers(given, 'https://cdn.example.net/f')).toEqual({
      'user-agent': 'Fetcher/2',
      'x-trace': ['one', 'two'],
    });
  });

  it('joins --header cookies and the cookie file’s into one Cookie header, each file cookie where it applies', () => {
    const jar = { subdomains: true, path: '/', secure: false, expires: 0 };
    const given = access({
      headers: [{ name: 'Cookie', value: 'given=1' }],
      cookies: [
        { ...jar, domain: 'example.com', name: 'site', value: '2' },
        { ...jar, domain: 'example.net', name: 'cdn', value: '3' },
      ],
    });
    expect(headers(given, `${SITE}/f`)).toEqual({ cookie: 'given=1; site=2' });
    // The file's cookies go where their domain says, as curl sends them; the --header one stays.
    expect(headers(given, 'https://cdn.example.net/f')).toEqual({ cookie: 'cdn=3' });
  });
});

describe('the sites of mirrors typed after the URL', () => {
  const MIRROR = 'https://mirror.example.org:8443';
  const given = access({
    basic: { user: 'me', password: 'first' },
    headers: [{ name: 'Authorization', value: 'Bearer t' }],
    mirrorSites: [{ origin: MIRROR, basic: { user: 'them', password: 'second' } }],
  });
  const sent = (url: string): Record<string, string | string[]> =>
    accessHeaders(given, givenSites(given, `${SITE}/f`), new URL(url), 1_800_000_000);

  it('gives each site typed its own login, and every other origin none', () => {
    expect(sent(`${SITE}/f`)['authorization']).toBe(basicAuthorization('me', 'first'));
    expect(sent(`${MIRROR}/pub/f`)['authorization']).toBe(basicAuthorization('them', 'second'));
    expect(sent('https://mirror.example.org/pub/f')).toEqual({});
  });

  it('gives a site typed without a login the site-only headers, and no login', () => {
    const headerOnly = access({
      headers: [{ name: 'Authorization', value: 'Bearer t' }],
      mirrorSites: [{ origin: MIRROR, basic: null }],
    });
    const sites = givenSites(headerOnly, `${SITE}/f`);
    expect(accessHeaders(headerOnly, sites, new URL(`${MIRROR}/f`))).toEqual({ authorization: 'Bearer t' });
    expect(accessHeaders(headerOnly, sites, new URL('https://cdn.example.net/f'))).toEqual({});
  });

  it('lists each other origin typed once, by origin, with the login for its own site', () => {
    const asked: string[] = [];
    const loginFor = (site: URL) => {
      asked.push(site.href);
      return site.hostname === 'mirror.example.org' ? { user: 'them', password: 'second' } : null;
    };
    const mirrors = [`${SITE}/other/path`, `${MIRROR}/a`, `${MIRROR}/b`, 'http://files.example.com/f'];
    expect(typedMirrorSites(`${SITE}/f`, mirrors, loginFor)).toEqual([
      { origin: MIRROR, basic: { user: 'them', password: 'second' } },
      { origin: 'http://files.example.com', basic: null },
    ]);
    // The first URL's own site is the download's `basic`; a site is asked about once.
    expect(asked).toEqual([`${MIRROR}/a`, 'http://files.example.com/f']);
  });
});

describe('a 401 or 403 told as the login’s', () => {
  const url = `${SITE}/file.iso`;
  const fresh = join(mkdtempSync(join(tmpdir(), 'pw-auth-')), 'none.part');
  const partDir = mkdtempSync(join(tmpdir(), 'pw-auth-'));
  const part = join(partDir, 'file.iso.part');
  writeFileSync(part, 'x');
  const explain = (
    status: number,
    given: DownloadAccess | null,
    partFile = fresh,
    atStart = true,
    at = url,
  ) => explainRefusal(httpStatusError(status, at), { access: given, url, partFile, atStart });

  it('says a 401 asks for a login the download did not send (E_AUTH)', () => {
    expect(explain(401, null)).toMatchObject({
      code: 'E_AUTH',
      status: 401,
      message: `The server asks for a login for ${url} (401 Unauthorized), and this download sent none. Give it: pathwise get --user NAME with --password-file FILE (or PATHWISE_PASSWORD), a ~/.netrc entry, --header or --load-cookies.`,
    });
  });

  it('says the server refused the login sent', () => {
    const login = access({ basic: { user: 'me', password: 'wrong' } });
    expect(explain(401, login)?.message).toMatch(
      /^The server refused the login for .* \(401 Unauthorized\): check/,
    );
    expect(explain(403, login)).toMatchObject({
      code: 'E_AUTH',
      message: expect.stringMatching(/403 Forbidden/),
    });
  });

  it('says the login stays with the site given when another site refused', () => {
    const login = access({ basic: { user: 'me', password: 'pw' } });
    const error = explain(401, login, fresh, true, 'https://cdn.example.net/signed');
    expect(error?.message).toMatch(/only to the site given \(https:\/\/files\.example\.com\), as curl does/);
  });

  it('says a resumed download needs its credentials again: Pathwise keeps none', () => {
    for (const status of [401, 403]) {
      expect(explain(status, null, part)).toMatchObject({
        code: 'E_AUTH',
        message: expect.stringMatching(
          /It resumes from its part file, and Pathwise never stores credentials: give the ones it was started with again/,
        ),
      });
    }
  });

  it('leaves a plain 403, and every other error, as it was', () => {
    const forbidden = httpStatusError(403, url);
    expect(explainRefusal(forbidden, { access: null, url, partFile: fresh, atStart: true })).toBe(forbidden);
    // A part this run wrote itself (the refusal came later): not a resume.
    expect(explain(403, null, part, false)?.code).toBe('E_HTTP_STATUS');
    const missing = httpStatusError(404, url);
    expect(
      explainRefusal(missing, {
        access: access({ basic: { user: 'a', password: 'b' } }),
        url,
        partFile: part,
        atStart: true,
      }),
    ).toBe(missing);
    expect(explainRefusal(null, { access: null, url, partFile: part, atStart: true })).toBeNull();
  });
});
