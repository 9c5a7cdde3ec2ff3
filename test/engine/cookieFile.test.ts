/**
 * Netscape cookie files as curl, wget and aria2 read them, and which cookies a request carries
 * (RFC 6265 domain and path matching, secure, expiry).
 */
import { describe, expect, it } from 'vitest';
import { CookieFileError, cookieHeader, parseCookieFile, type Cookie } from '../../main/engine/cookieFile.ts';

const NOW = 1_800_000_000;
const line = (...fields: Array<string | number>): string => fields.join('\t');

function cookie(changes: Partial<Cookie>): Cookie {
  return {
    domain: 'example.com',
    subdomains: false,
    path: '/',
    secure: false,
    expires: 0,
    name: 'n',
    value: 'v',
    ...changes,
  };
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
}

describe('reading a Netscape cookie file', () => {
  it('reads the seven fields of each line, skipping comments and blank lines', () => {
    const text = [
      '# Netscape HTTP Cookie File',
      '# https://curl.se/docs/http-cookies.html',
      '',
      line('.example.com', 'TRUE', '/dl', 'TRUE', NOW + 60, 'session', 'abc123'),
      line('files.example.org', 'FALSE', '/', 'FALSE', 0, 'token', 'x=y'),
      '   ',
    ].join('\r\n');
    expect(parseCookieFile(text, NOW)).toEqual([
      cookie({
        subdomains: true,
        path: '/dl',
        secure: true,
        expires: NOW + 60,
        name: 'session',
        value: 'abc123',
      }),
      cookie({ domain: 'files.example.org', name: 'token', value: 'x=y' }),
    ]);
  });

  it('reads #HttpOnly_ lines as cookies (curl and Firefox mark HttpOnly so), not comments', () => {
    const text = line('#HttpOnly_.Example.COM', 'TRUE', '/', 'FALSE', 0, 'sid', '1');
    expect(parseCookieFile(text, NOW)).toEqual([cookie({ subdomains: true, name: 'sid', value: '1' })]);
  });

  it('takes six fields as an empty value, and a flag where the path goes as a missing path', () => {
    expect(parseCookieFile(line('example.com', 'FALSE', '/', 'FALSE', 0, 'empty'), NOW)).toEqual([
      cookie({ name: 'empty', value: '' }),
    ]);
    expect(parseCookieFile(line('example.com', 'FALSE', 'FALSE', 0, 'old', 'format'), NOW)).toEqual([
      cookie({ name: 'old', value: 'format' }),
    ]);
  });

  it('drops expired cookies and keeps the last of two with the same domain, path and name', () => {
    const text = [
      line('example.com', 'FALSE', '/', 'FALSE', NOW - 1, 'gone', '1'),
      line('example.com', 'FALSE', '/', 'FALSE', 0, 'twice', 'first'),
      line('example.com', 'FALSE', '/', 'FALSE', 0, 'twice', 'second'),
    ].join('\n');
    expect(parseCookieFile(text, NOW)).toEqual([cookie({ name: 'twice', value: 'second' })]);
  });

  it('names the line it cannot read and why, never its text', () => {
    const secret = 'hunter2-cookie';
    const cases: Array<[string, RegExp]> = [
      [`example.com FALSE / FALSE 0 sid ${secret}`, /^line 2 has 1 field; .*7, separated by tabs/],
      [line('example.com', 'yes', '/', 'FALSE', 0, 'sid', secret), /^line 2 .*neither TRUE nor FALSE/],
      [line('example.com', 'FALSE', '/', 'FALSE', 'soon', 'sid', secret), /^line 2 .*expiry/],
      [line('example.com', 'FALSE', '/', 'FALSE', 0, 'sid', `${secret};evil=1`), /^line 2 .*value/],
      [line('example.com', 'FALSE', '/', 'FALSE', 0, 'a b', secret), /^line 2 .*name/],
      [line('', 'FALSE', '/', 'FALSE', 0, 'sid', secret), /^line 2 .*domain/],
    ];
    for (const [bad, why] of cases) {
      const error = thrown(() => parseCookieFile(`# cookies\n${bad}\n`, NOW));
      expect(error).toBeInstanceOf(CookieFileError);
      expect(error.message).toMatch(why);
      expect(error.message).not.toContain(secret);
    }
  });
});

describe('the cookies a request carries', () => {
  const at = (url: string, cookies: Cookie[], now = NOW): string | null =>
    cookieHeader(cookies, new URL(url), now);

  it('matches the host exactly, or its subdomains too when the file says TRUE', () => {
    const exact = cookie({ name: 'exact' });
    const tail = cookie({ name: 'tail', subdomains: true });
    expect(at('http://example.com/f', [exact, tail])).toBe('exact=v; tail=v');
    expect(at('http://dl.example.com/f', [exact, tail])).toBe('tail=v');
    expect(at('http://badexample.com/f', [exact, tail])).toBeNull();
    expect(at('http://example.com.evil.net/f', [exact, tail])).toBeNull();
    expect(at('http://127.0.0.1:8080/f', [cookie({ domain: '127.0.0.1' })])).toBe('n=v');
  });

  it('matches paths at a slash (RFC 6265 §5.1.4), and sends the longest paths first', () => {
    const dl = cookie({ name: 'dl', path: '/dl' });
    const slash = cookie({ name: 'slash', path: '/dl/' });
    const root = cookie({ name: 'root' });
    expect(at('http://example.com/dl', [root, dl, slash])).toBe('dl=v; root=v');
    expect(at('http://example.com/dl/file.iso?x=1', [root, dl, slash])).toBe('slash=v; dl=v; root=v');
    expect(at('http://example.com/dlx/file.iso', [root, dl, slash])).toBe('root=v');
    expect(at('http://example.com/other', [dl])).toBeNull();
  });

  it('sends a secure cookie over HTTPS only, and none once it has expired', () => {
    const secure = cookie({ name: 's', secure: true });
    expect(at('http://example.com/f', [secure])).toBeNull();
    expect(at('https://example.com/f', [secure])).toBe('s=v');
    const brief = cookie({ name: 'b', expires: NOW + 10 });
    expect(at('http://example.com/f', [brief], NOW + 9)).toBe('b=v');
    expect(at('http://example.com/f', [brief], NOW + 10)).toBeNull();
  });
});
