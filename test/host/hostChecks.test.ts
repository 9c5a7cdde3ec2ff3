/**
 * `pathwise serve`'s checks one by one (issue 26): every request needs this server's Host (port
 * included), an Origin of this server when one is sent, and the token or its cookie; the token is
 * traded for exactly one HttpOnly SameSite=Strict cookie; the renderer's files go out with their
 * type and the same security headers as the app's window, and nothing else is served.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieName } from '../../main/host/HeadlessHost.ts';
import { get } from '../support/hostClient.ts';
import { ask, exchange, scriptedHost, type ScriptedHost } from '../support/hostRequests.ts';

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The renderer's kinds of file, and the type each is served with. */
const FILES: Array<[name: string, type: string]> = [
  ['index.html', 'text/html; charset=utf-8'],
  ['assets/app.js', 'text/javascript; charset=utf-8'],
  ['assets/app.css', 'text/css; charset=utf-8'],
  ['icon.svg', 'image/svg+xml'],
  ['icon.png', 'image/png'],
  ['favicon.ico', 'image/x-icon'],
  ['manifest.json', 'application/json'],
  ['assets/font.woff2', 'font/woff2'],
  ['assets/app.js.map', 'application/octet-stream'],
];

const FORBIDDEN = 'Forbidden: unexpected Host or Origin.\n';
const UNAUTHORIZED = 'Unauthorized: open the URL that `pathwise serve` printed (it carries the token).\n';
const PLAIN = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };

/** A loopback port nothing listens on now (it was just free). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

let lab: ScriptedHost;
let cookie: string;

beforeAll(async () => {
  lab = await scriptedHost('pw-host-checks-');
  cookie = lab.signedIn.cookie!;
  await mkdir(join(lab.root, 'assets'));
  await mkdir(join(lab.root, 'sub'));
  for (const [name] of FILES) await writeFile(join(lab.root, name), `contents of ${name}\n`);
  await writeFile(join(lab.root, 'sub', 'index.html'), 'the sub page');
});
afterAll(() => lab.host.close());

describe('the renderer’s files', () => {
  it.each(FILES)('serves %s as %s, with the window’s security headers', async (name, type) => {
    const reply = await get(lab.port, `/${name}`, { cookie });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(`contents of ${name}\n`);
    expect(reply.headers).toMatchObject({
      'content-type': type,
      'content-length': String(`contents of ${name}\n`.length),
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
  });

  it('serves a folder’s index.html for the folder’s path', async () => {
    expect((await get(lab.port, '/', { cookie })).body).toBe('contents of index.html\n');
    expect((await get(lab.port, '/sub/', { cookie })).body).toBe('the sub page');
  });

  it('answers 404 for a folder named without its slash, and for a file that is not there', async () => {
    for (const path of ['/sub', '/assets', '/missing.js', '/sub/missing.html']) {
      const reply = await get(lab.port, path, { cookie });
      expect({ path, status: reply.status, body: reply.body }).toEqual({
        path,
        status: 404,
        body: 'Not found.\n',
      });
      expect(reply.headers).toMatchObject(PLAIN);
    }
  });

  it('answers 400 for a path that does not decode', async () => {
    const reply = await get(lab.port, '/%E0%A4%A', { cookie });
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body: 'Bad path.\n' });
  });

  it('reads leading backslashes (%5C) as the renderer’s folder, where Windows would read a drive', async () => {
    expect((await get(lab.port, '/%5Cindex.html', { cookie })).body).toBe('contents of index.html\n');
    expect((await get(lab.port, '/%5C%5Csub/', { cookie })).body).toBe('the sub page');
  });

  it('answers HEAD with the headers and no body', async () => {
    const reply = await ask(lab.port, 'HEAD', '/assets/app.js', { cookie });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
    expect(reply.headers['content-length']).toBe(String('contents of assets/app.js\n'.length));
    expect(reply.headers['content-security-policy']).toBe(CSP);
  });

  it('refuses other methods with 405, once signed in', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const reply = await ask(lab.port, method, '/index.html', { cookie });
      expect({ method, status: reply.status, body: reply.body }).toEqual({
        method,
        status: 405,
        body: 'Method not allowed.\n',
      });
      expect(reply.headers).toMatchObject(PLAIN);
      expect((await ask(lab.port, method, '/index.html')).status).toBe(401);
    }
  });
});

describe('the token and its cookie', () => {
  it('trades the token for one HttpOnly SameSite=Strict cookie for the whole site, never cached', async () => {
    const reply = await get(lab.port, `/sub/?token=${lab.host.token}`);
    expect(reply.status).toBe(303);
    expect(reply.body).toBe('');
    expect(reply.headers).toMatchObject({
      location: '/sub/',
      'set-cookie': [`${lab.host.cookieName}=${lab.host.token}; HttpOnly; SameSite=Strict; Path=/`],
      'cache-control': 'no-store',
    });
  });

  it('refuses, with 401 and a hint, no token, an empty one, a wrong one of any length', async () => {
    const name = lab.host.cookieName;
    const wrong = lab.host.token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const attempts: Array<[string, Record<string, string>]> = [
      ['/', {}],
      ['/?token=', {}],
      [`/?token=${wrong}`, {}],
      [`/?token=${lab.host.token}x`, {}],
      ['/', { cookie: `${name}=` }],
      ['/', { cookie: `${name}=${wrong}` }],
      ['/', { cookie: `${name}=${lab.host.token.slice(1)}` }],
      // The right token under another name: another host's cookie, or none at all.
      ['/', { cookie: `pathwise_token_1=${lab.host.token}` }],
      ['/', { cookie: `=${lab.host.token}` }],
      ['/', { cookie: lab.host.token }],
    ];
    for (const [path, headers] of attempts) {
      const reply = await get(lab.port, path, headers);
      expect({ path, headers, status: reply.status, body: reply.body }).toEqual({
        path,
        headers,
        status: 401,
        body: UNAUTHORIZED,
      });
      expect(reply.headers).toMatchObject(PLAIN);
    }
  });

  it('finds its cookie among others, with the spaces a browser may put around them', async () => {
    const name = lab.host.cookieName;
    for (const jar of [
      `theme=dark; ${name}=${lab.host.token}`,
      `${name}=${lab.host.token};theme=dark`,
      `junk; =x; ${name} = ${lab.host.token} ; a=b=c`,
    ]) {
      expect((await get(lab.port, '/', { cookie: jar })).status, jar).toBe(200);
    }
  });

  it('takes the token it was given, and makes a long random one otherwise', async () => {
    const given = await scriptedHost('pw-host-token-', { token: 'chosen-token' });
    const other = await scriptedHost('pw-host-token2-');
    try {
      expect(given.host.token).toBe('chosen-token');
      expect(given.host.url()).toBe(`http://127.0.0.1:${given.port}/?token=chosen-token`);
      expect((await get(given.port, '/?token=chosen-token')).status).toBe(303);
      expect(lab.host.token).toMatch(/^[0-9a-f]{48}$/);
      expect(other.host.token).toMatch(/^[0-9a-f]{48}$/);
      expect(other.host.token).not.toBe(lab.host.token);
    } finally {
      await given.host.close();
      await other.host.close();
    }
  });
});

describe('a Cookie header’s pieces', () => {
  // A piece of the Cookie header without "=" is no cookie at all, even one that reads as this
  // host's cookie name followed by its token.
  it('takes no token from a cookie piece without "="', async () => {
    const port = await freePort();
    const named = await scriptedHost('pw-host-noeq-', { port, token: `${cookieName(port)}x` });
    try {
      expect(named.port).toBe(port);
      const reply = await get(port, '/', { cookie: `theme=dark; ${cookieName(port)}x` });
      expect({ status: reply.status, body: reply.body }).toEqual({ status: 401, body: UNAUTHORIZED });
      expect((await get(port, '/', { cookie: `${cookieName(port)}=${named.host.token}` })).status).toBe(200);
    } finally {
      await named.host.close();
    }
  });
});

describe('Host and Origin', () => {
  it('refuses a request with no Host at all (HTTP/1.0), even with the token', async () => {
    const answer = await exchange(lab.port, `GET /?token=${lab.host.token} HTTP/1.0\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(answer.endsWith(`\r\n\r\n${FORBIDDEN}`)).toBe(true);
  });

  it('takes its loopback names in any case, and refuses look-alikes', async () => {
    for (const host of [`LOCALHOST:${lab.port}`, `Localhost:${lab.port}`, `[::1]:${lab.port}`]) {
      expect((await get(lab.port, '/', { host, cookie })).status, host).toBe(200);
    }
    for (const host of [`127.0.0.2:${lab.port}`, `localhost.evil.example:${lab.port}`, `::1:${lab.port}`]) {
      const reply = await get(lab.port, '/', { host, cookie });
      expect({ host, status: reply.status, body: reply.body }).toEqual({
        host,
        status: 403,
        body: FORBIDDEN,
      });
      expect(reply.headers).toMatchObject(PLAIN);
    }
  });

  it('refuses an Origin that is not http://this-server, even with the cookie', async () => {
    for (const origin of [
      `https://127.0.0.1:${lab.port}`,
      `ws://127.0.0.1:${lab.port}`,
      'null',
      'not a url',
      `http://evil.example:${lab.port}`,
    ]) {
      const reply = await get(lab.port, '/', { cookie, origin });
      expect({ origin, status: reply.status, body: reply.body }).toEqual({
        origin,
        status: 403,
        body: FORBIDDEN,
      });
    }
    for (const origin of [
      `http://127.0.0.1:${lab.port}`,
      `http://LOCALHOST:${lab.port}`,
      `http://[::1]:${lab.port}`,
    ]) {
      expect((await get(lab.port, '/', { cookie, origin })).status, origin).toBe(200);
    }
  });
});
