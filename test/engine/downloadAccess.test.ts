/**
 * Downloads that must be allowed (issue 25): a server on loopback that answers 401 unless a
 * request carries the login, a header and a cookie. Every request of the download carries them
 * (probe, leads, every range on both paths, renewed links); after a redirect to another origin the
 * login and the Authorization/Cookie headers stay behind, as curl leaves them; and nothing of them
 * reaches the journal or the transfer's info, so a resume needs them given again and says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { basicAuthorization, type DownloadAccess } from '../../main/engine/requestAuth.ts';
import { A, B, failureOf, fileEquals, makeTransfer, twoPaths, until } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
  type RangeServerBehaviour,
  type RequestLog,
} from '../support/rangeServer.ts';
import { demandLogin } from '../support/sourcesLab.ts';

const SIZE = 2_000_000;
const content = deterministicContent(SIZE, 25);
/** 256 KiB chunks: several ranges on each path. */
const chunked = { planner: { initialChunk: 256 << 10, maxChunk: 256 << 10 } };
const PASSWORD = 'pw-s3cret-1';
const API_KEY = 'key-s3cret-2';
const COOKIE = 'cookie-s3cret-3';
const LOGIN = basicAuthorization('me', PASSWORD);
const SECRETS = [PASSWORD, API_KEY, COOKIE, LOGIN.slice('Basic '.length)];

const access: DownloadAccess = {
  headers: [
    { name: 'X-Api-Key', value: API_KEY },
    { name: 'X-Trace', value: 'visible' },
  ],
  basic: { user: 'me', password: PASSWORD },
  cookies: [
    {
      domain: '127.0.0.1',
      subdomains: false,
      path: '/',
      secure: false,
      expires: 0,
      name: 'sid',
      value: COOKIE,
    },
  ],
};

const servers: RangeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(behaviour: Partial<RangeServerBehaviour> = {}): Promise<RangeServer> {
  const server = await startRangeServer(content, { behaviour });
  servers.push(server);
  return server;
}

const allowed = (r: RequestLog): boolean =>
  r.headers.authorization === LOGIN &&
  r.headers['x-api-key'] === API_KEY &&
  r.headers.cookie === `sid=${COOKIE}`;

/** 401 to any request without the login, the header and the cookie. */
const demandAccess = demandLogin(allowed);

describe('a download the server allows only with a login, a header and a cookie', () => {
  it('carries them on every request: the probe, the leads and every range on both paths', async () => {
    const server = await serve({ lie: demandAccess });
    const made = makeTransfer({ url: server.url, paths: twoPaths(), tuning: chunked, access });
    expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(made.file, content)).toBe(true);
    expect(server.requests.length).toBeGreaterThan(4);
    expect(server.requests.filter((r) => !allowed(r))).toEqual([]);
    for (const address of [A, B]) expect(server.requests.some((r) => r.remoteAddress === address)).toBe(true);
  });

  it('fails without them with E_AUTH, saying no login was sent and how to give one', async () => {
    const server = await serve({ lie: demandAccess });
    const made = makeTransfer({ url: server.url, paths: twoPaths() });
    expect(failureOf(await made.transfer.run())).toMatchObject({
      code: 'E_AUTH',
      message: `The server asks for a login for ${server.url} (401 Unauthorized), and this download sent none. Give it: pathwise get --user NAME with --password-file FILE (or PATHWISE_PASSWORD), a ~/.netrc entry, --header or --load-cookies.`,
    });
    expect(existsSync(made.file)).toBe(false);
  });

  it('says the login was refused when the server turns down what was sent', async () => {
    const server = await serve({ lie: demandAccess });
    const wrong = { ...access, basic: { user: 'me', password: 'not-it' } };
    const made = makeTransfer({ url: server.url, paths: twoPaths(), access: wrong });
    expect(failureOf(await made.transfer.run())).toMatchObject({
      code: 'E_AUTH',
      message: expect.stringMatching(/^The server refused the login for .* \(401 Unauthorized\)/),
    });
  });

  it('asks for every renewed link with them too (a signed link that expires)', async () => {
    const server = await serve({ lie: demandAccess, signedLinks: { from: '/latest', uses: 3 } });
    const url = server.url.replace('/file.bin', '/latest');
    const made = makeTransfer({ url, paths: twoPaths(), tuning: chunked, access });
    expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(server.requests.filter((r) => r.path === '/latest').length).toBeGreaterThanOrEqual(2);
    expect(server.requests.filter((r) => !allowed(r))).toEqual([]);
  });
});

describe('a redirect to another origin (another port is another origin)', () => {
  const withHeaderCookie: DownloadAccess = {
    ...access,
    headers: [...access.headers, { name: 'Cookie', value: 'given=1' }],
  };

  async function redirectingTo(target: RangeServer): Promise<{ first: RangeServer; url: string }> {
    const first = await serve({ redirects: { '/start': target.url } });
    return { first, url: first.url.replace('/file.bin', '/start') };
  }

  it('leaves the login and the --header cookie behind; other headers and the file’s cookies go on', async () => {
    const target = await serve();
    const { first, url } = await redirectingTo(target);
    const made = makeTransfer({ url, paths: twoPaths(), tuning: chunked, access: withHeaderCookie });
    expect(await made.transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    // The site given got everything.
    expect(first.requests.length).toBeGreaterThan(0);
    for (const r of first.requests) {
      expect(r.headers).toMatchObject({
        authorization: LOGIN,
        cookie: `given=1; sid=${COOKIE}`,
        'x-api-key': API_KEY,
      });
    }
    // The other origin: no Authorization, no --header cookie; the cookie file's cookie is for its
    // domain (127.0.0.1, any port: cookies know no ports), as curl sends it.
    expect(target.requests.length).toBeGreaterThan(4);
    for (const r of target.requests) {
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers.cookie).toBe(`sid=${COOKIE}`);
      expect(r.headers['x-trace']).toBe('visible');
    }
  });

  it('fails with E_AUTH naming the rule when the other origin wants the login', async () => {
    const target = await serve({ status: 401 });
    const { url } = await redirectingTo(target);
    const made = makeTransfer({ url, paths: twoPaths(), access: withHeaderCookie });
    expect(failureOf(await made.transfer.run())).toMatchObject({
      code: 'E_AUTH',
      message: expect.stringMatching(
        /^The server answered 401 Unauthorized for http:\/\/127\.0\.0\.1:\d+\/file\.bin, where .*\/start redirected\. Pathwise sends the login, an Authorization header and --header cookies only to the site given \(http:\/\/127\.0\.0\.1:\d+\), as curl does/,
      ),
    });
    expect(target.requests.some((r) => r.headers.authorization !== undefined)).toBe(false);
  });
});

describe('the journal, the info and a resume', () => {
  it('keeps none of them on disk or in the info; a resume without them says to give them again', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Only the probe (the first chunk) is answered until the test lets the rest go.
    const server = await serve({ lie: demandAccess, onRequest: (log) => (isProbe(log) ? undefined : held) });
    const first = makeTransfer({ url: server.url, paths: twoPaths(), tuning: chunked, access });
    const running = first.transfer.run();
    await until(() => first.transfer.info().received > 0, 20_000, 'the first chunk on disk');
    await first.transfer.pause();
    expect(await running).toEqual({ status: 'paused' });
    release();
    const journal = readFileSync(`${first.file}.part.json`);
    const info = Buffer.from(JSON.stringify(first.transfer.info()));
    expect(JSON.parse(journal.toString())).toMatchObject({ url: server.url });
    for (const secret of [...SECRETS, 'x-api-key', 'sid=']) {
      expect(journal.includes(secret), `the journal holds ${secret}`).toBe(false);
      expect(info.includes(secret), `the info holds ${secret}`).toBe(false);
    }
    // As after kill -9: a new run knows only the journal, which has no credentials.
    const bare = makeTransfer({ url: server.url, file: first.file, paths: twoPaths(), tuning: chunked });
    expect(failureOf(await bare.transfer.run())).toMatchObject({
      code: 'E_AUTH',
      message: expect.stringMatching(
        /^The server answered 401 Unauthorized for .*, and this download sent no login, header or cookie\. It resumes from its part file, and Pathwise never stores credentials: give the ones it was started with again/,
      ),
    });
    const again = makeTransfer({
      url: server.url,
      file: first.file,
      paths: twoPaths(),
      tuning: chunked,
      access,
    });
    const outcome = await again.transfer.run();
    expect(outcome).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(outcome.status === 'done' && outcome.resumedBytes).toBeGreaterThan(0);
    expect(await fileEquals(first.file, content)).toBe(true);
  });
});
