/**
 * A login for every URL the user typed (issue 25): `pathwise get URL1 URL2 --user …` sends the
 * login to each mirror's site too, and a .netrc gives each host its own; two mirrors on loopback
 * (another port is another site) both refuse ranges without their login, and both serve. A typed
 * mirror that redirects to another origin leaves the login behind there, as curl does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferOutcome } from '../../main/engine/Transfer.ts';
import { basicAuthorization, type DownloadAccess, type Login } from '../../main/engine/requestAuth.ts';
import { fileEquals, makeTransfer, twoPaths } from '../support/engineLab.ts';
import {
  deterministicContent,
  sha256,
  startRangeServer,
  type RangeServer,
  type RangeServerBehaviour,
} from '../support/rangeServer.ts';
import { demandLogin, holdUntilServed } from '../support/sourcesLab.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 77);
const CHUNK = 256 << 10;
const LAST_MODIFIED = 'Tue, 01 Dec 2026 10:00:00 GMT';
const FIRST: Login = { user: 'me', password: 'pw-first-s3cret' };
const SECOND: Login = { user: 'other', password: 'pw-second-s3cret' };
const servers: RangeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(behaviour: Partial<RangeServerBehaviour> = {}): Promise<RangeServer> {
  const server = await startRangeServer(content, {
    behaviour: { lastModified: LAST_MODIFIED, ...behaviour },
  });
  servers.push(server);
  return server;
}

/** 401 to any request without `login`. */
function basicOf(login: Login): string {
  return basicAuthorization(login.user, login.password);
}

function origin(url: string): string {
  return new URL(url).origin;
}

function done(outcome: TransferOutcome): void {
  expect(outcome, JSON.stringify(outcome)).toMatchObject({ status: 'done', sha256: sha256(content) });
}

describe('mirrors typed on the command line, each needing a login', () => {
  it('sends each site its own login, and none after a mirror redirects to another origin', async () => {
    const primary = await serve({ lie: demandLogin(basicOf(FIRST)) });
    const mirror = await serve({ lie: demandLogin(basicOf(SECOND)) });
    const elsewhere = await serve();
    // A typed mirror whose URL redirects to another site (a CDN): the login stays behind.
    const redirector = await serve({
      redirects: { '/start': elsewhere.url },
      lie: demandLogin(basicOf(FIRST)),
    });
    const viaRedirect = redirector.url.replace('/file.bin', '/start');
    // As readAccess makes it: --user for the first site and the redirector, .netrc's for the mirror's host.
    const access: DownloadAccess = {
      headers: [{ name: 'X-Trace', value: 'visible' }],
      basic: FIRST,
      cookies: [],
      mirrorSites: [
        { origin: origin(mirror.url), basic: SECOND },
        { origin: origin(redirector.url), basic: FIRST },
      ],
    };
    const made = makeTransfer({
      url: primary.url,
      mirrors: { urls: [{ url: mirror.url }, { url: viaRedirect }] },
      paths: twoPaths(),
      access,
      // Connections enough for every source on each path.
      tuning: { connectionsPerPath: 4, planner: { initialChunk: CHUNK, maxChunk: CHUNK, minChunk: CHUNK } },
    });
    holdUntilServed([primary, mirror], elsewhere);
    done(await made.transfer.run());
    expect(await fileEquals(made.file, content)).toBe(true);
    // Both sites that need a login served ranges, and none was ever refused.
    for (const server of [primary, mirror]) {
      expect(server.rangeRequests().length).toBeGreaterThan(0);
      expect(server.requests.filter((r) => r.status === 401)).toEqual([]);
    }
    expect(redirector.requests.length).toBeGreaterThan(0);
    expect(redirector.requests.every((r) => r.status !== 401)).toBe(true);
    // Each login went to its own site only.
    const second = basicAuthorization(SECOND.user, SECOND.password);
    expect(primary.requests.some((r) => r.headers.authorization === second)).toBe(false);
    expect(mirror.requests.every((r) => r.headers.authorization === second)).toBe(true);
    // The other origin got the ranges, the plain headers, and no Authorization at all.
    expect(elsewhere.rangeRequests().length).toBeGreaterThan(0);
    for (const r of elsewhere.requests) {
      expect(r.headers.authorization).toBeUndefined();
      expect(r.headers['x-trace']).toBe('visible');
    }
  });

  it('drops a mirror whose site gets no login (not typed, as a Metalink’s), and downloads from the first', async () => {
    const primary = await serve({ lie: demandLogin(basicOf(FIRST)) });
    const mirror = await serve({ lie: demandLogin(basicOf(FIRST)) });
    const made = makeTransfer({
      url: primary.url,
      mirrors: { urls: [{ url: mirror.url }] },
      paths: twoPaths(),
      access: { headers: [], basic: FIRST, cookies: [] },
    });
    done(await made.transfer.run());
    expect(mirror.requests.some((r) => r.headers.authorization !== undefined)).toBe(false);
    expect(made.transfer.info().sources?.find((s) => s.url === mirror.url)?.state).toBe('dropped');
  });
});
