/**
 * Cookies a server sets (issue 25): download sites hand out a session cookie on the first answer,
 * or on the redirect to the file, and refuse every range asked without it. The download keeps
 * them in memory, per site as RFC 6265 says, sends them back where they apply, and writes them
 * nowhere: not to the journal, not to the info.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CookieJar, parseSetCookie } from '../../main/engine/cookieJar.ts';
import { fileEquals, makeTransfer, twoPaths, until } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type Lie,
  type RangeServer,
  type RangeServerBehaviour,
  type RequestLog,
} from '../support/rangeServer.ts';

const SIZE = 2_000_000;
const content = deterministicContent(SIZE, 31);
const chunked = { planner: { initialChunk: 256 << 10, maxChunk: 256 << 10 } };
const SESSION = 'sess-s3cret-42';
const servers: RangeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(behaviour: Partial<RangeServerBehaviour> = {}): Promise<RangeServer> {
  const server = await startRangeServer(content, { behaviour });
  servers.push(server);
  return server;
}

const hasSession = (log: RequestLog): boolean =>
  (log.headers.cookie ?? '').split('; ').includes(`sid=${SESSION}`);

/** The first answer sets the session cookie; any other request without it is turned away (403). */
function sessionOnProbe(log: RequestLog, server: RangeServer): Lie | null {
  if (hasSession(log)) return null;
  if (isProbe(log) && server.requests.filter(isProbe).length === 1) {
    return { kind: 'headers', headers: { 'set-cookie': `sid=${SESSION}; Path=/; HttpOnly; SameSite=Lax` } };
  }
  return { kind: 'status', status: 403 };
}

describe('a server that sets a cookie and wants it back', () => {
  it('sends the cookie set on the probe with every range after, on both paths', async () => {
    const server = await serve({ lie: sessionOnProbe });
    const made = makeTransfer({ url: server.url, paths: twoPaths(), tuning: chunked });
    expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(made.file, content)).toBe(true);
    // Only requests that raced the probe's answer (a lead on the other path) went without it, and
    // were asked again; from the first request that had it on, every one has it.
    const first = server.requests.findIndex(hasSession);
    expect(first).toBeGreaterThan(0);
    const after = server.requests.slice(first);
    expect(after.length).toBeGreaterThan(4);
    expect(after.filter((r) => !hasSession(r) || r.status === 403)).toEqual([]);
    expect(server.requests.filter((r) => r.status === 403).length).toBeLessThan(first);
  });

  it('keeps a cookie set on a redirect, next to the cookie file’s, and writes neither anywhere', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const server = await serve({
      lie: (log) => {
        if (log.path === '/start') {
          return {
            kind: 'status',
            status: 302,
            headers: { location: '/file.bin', 'set-cookie': `sid=${SESSION}; Max-Age=3600` },
          };
        }
        return hasSession(log) ? null : { kind: 'status', status: 403 };
      },
      onRequest: (log) => (log.path === '/start' || isProbe(log) ? undefined : held),
    });
    const url = server.url.replace('/file.bin', '/start');
    const fromFile = {
      domain: '127.0.0.1',
      subdomains: false,
      path: '/',
      secure: false,
      expires: 0,
      name: 'pref',
      value: 'given',
    };
    const made = makeTransfer({
      url,
      paths: twoPaths(),
      tuning: chunked,
      access: { headers: [], basic: null, cookies: [fromFile] },
    });
    const running = made.transfer.run();
    await until(() => made.transfer.info().received > 0, 20_000, 'the first chunk on disk');
    const journal = readFileSync(`${made.file}.part.json`);
    const info = Buffer.from(JSON.stringify(made.transfer.info()));
    for (const text of [SESSION, 'sid=']) {
      expect(journal.includes(text), `the journal holds ${text}`).toBe(false);
      expect(info.includes(text), `the info holds ${text}`).toBe(false);
    }
    release();
    expect(await running).toMatchObject({ status: 'done', sha256: sha256(content) });
    const ranges = server.requests.filter((r) => r.path === '/file.bin');
    expect(ranges.length).toBeGreaterThan(4);
    for (const r of ranges) expect(r.headers.cookie).toBe(`pref=given; sid=${SESSION}`);
  });

  it('fails as before, with the 403, when the server sets no cookie at all', async () => {
    const server = await serve({ lie: (log) => (isProbe(log) ? null : { kind: 'status', status: 403 }) });
    const made = makeTransfer({ url: server.url, paths: twoPaths(), tuning: chunked });
    const outcome = await made.transfer.run();
    expect(outcome.status).toBe('failed');
    expect(server.requests.some((r) => r.headers.cookie !== undefined)).toBe(false);
  });
});

describe('Set-Cookie read as RFC 6265 says', () => {
  const NOW = 1_800_000_000;
  const at = (url: string, line: string) => parseSetCookie(line, new URL(url), NOW);

  it('makes a cookie without Domain host-only, with the request path’s folder', () => {
    expect(at('http://dl.example.com/a/b/file.iso', 'id=1')).toEqual({
      domain: 'dl.example.com',
      subdomains: false,
      path: '/a/b',
      secure: false,
      expires: 0,
      name: 'id',
      value: '1',
    });
  });

  it('takes a Domain above the host, refuses one elsewhere or without a dot, and an IP only as itself', () => {
    expect(at('http://dl.example.com/', 'id=1; Domain=.Example.com')).toMatchObject({
      domain: 'example.com',
      subdomains: true,
    });
    expect(at('http://dl.example.com/', 'id=1; Domain=other.com')).toBeNull();
    expect(at('http://dl.example.com/', 'id=1; Domain=com')).toBeNull();
    expect(at('http://127.0.0.1:8080/', 'id=1; Domain=0.0.1')).toBeNull();
    expect(at('http://127.0.0.1:8080/', 'id=1; Domain=127.0.0.1')).toMatchObject({ subdomains: false });
  });

  it('reads Max-Age before Expires, refuses Secure over http, and skips a line without a name', () => {
    expect(at('https://x.example/', 'id=1; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Max-Age=60')?.expires).toBe(
      NOW + 60,
    );
    expect(at('https://x.example/', 'id=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT')?.expires).toBe(-1);
    expect(at('http://x.example/', 'id=1; Secure')).toBeNull();
    expect(at('https://x.example/', 'id=1; Secure')).toMatchObject({ secure: true });
    expect(at('https://x.example/', '=1')).toBeNull();
    expect(at('https://x.example/', 'novalue')).toBeNull();
  });

  it('sends each cookie where it applies, replaces and deletes as told', () => {
    const jar = new CookieJar();
    const site = new URL('https://dl.example.com/files/a.iso');
    jar.receive(site, ['a=1; Path=/files', 'b=2; Domain=example.com; Path=/', 'c=3; Secure'], NOW);
    expect(jar.header(site, NOW)).toBe('a=1; c=3; b=2');
    expect(jar.header(new URL('https://cdn.example.com/files/a.iso'), NOW)).toBe('b=2');
    expect(jar.header(new URL('http://dl.example.com/files/a.iso'), NOW)).toBe('a=1; b=2');
    // Over http a Secure cookie is neither sent nor replaced.
    jar.receive(new URL('http://dl.example.com/files/'), 'c=evil', NOW);
    expect(jar.header(site, NOW)).toBe('a=1; c=3; b=2');
    jar.receive(site, ['a=9; Path=/files', 'b=; Domain=example.com; Path=/; Max-Age=0'], NOW);
    expect(jar.header(site, NOW)).toBe('a=9; c=3');
    expect(jar.header(site, NOW + 10_000)).toBe('a=9; c=3');
    jar.receive(site, 'a=short; Path=/files; Max-Age=5', NOW);
    expect(jar.header(site, NOW + 10)).toBe('c=3');
  });
});
