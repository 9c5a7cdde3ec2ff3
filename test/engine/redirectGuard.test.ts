/**
 * A public link may not redirect the download into the user's own networks (SSRF, issue 22): a
 * redirect whose target resolves to a loopback, private or link-local address is refused with
 * E_REDIRECT unless the link itself was private too. The check is on the resolved addresses, not
 * on the name. Everything runs on loopback: the tests say which loopback address counts as
 * "public" (an injected classifier) and what a name resolves to (an injected look-up).
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAddress, type AddressRules } from '../../main/engine/RedirectGuard.ts';
import { failureOf, fileEquals, makeTransfer, twoPaths } from '../support/engineLab.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 400_000;
const content = deterministicContent(SIZE, 71);
const secret = deterministicContent(SIZE, 72);
/** Stands in for a server on the internet. */
const PUBLIC = '127.0.0.1';
/** Stands in for a service on the user's own machine or network. */
const INTERNAL = '127.0.0.9';
const servers: RangeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(...args: Parameters<typeof startRangeServer>): Promise<RangeServer> {
  const server = await startRangeServer(...args);
  servers.push(server);
  return server;
}

/** PUBLIC counts as an internet address; every other address is judged as it really is. */
const publicLoopback: AddressRules['classify'] = (address) =>
  address === PUBLIC ? 'public' : classifyAddress(address);

/** A public server whose file redirects to `location`, and the internal server it points at. */
async function redirectingTo(location: (internal: RangeServer) => string): Promise<{
  origin: RangeServer;
  internal: RangeServer;
}> {
  const internal = await serve(secret, { host: INTERNAL, path: '/admin/backup.bin' });
  const origin = await serve(content, {
    host: PUBLIC,
    behaviour: { redirects: { '/file.bin': location(internal) } },
  });
  return { origin, internal };
}

describe('redirects from a public link into a private network', () => {
  it('refuses one to a loopback address, asking that server nothing', async () => {
    const { origin, internal } = await redirectingTo((s) => s.url);
    const rules: AddressRules = { classify: publicLoopback };
    const { transfer, file } = makeTransfer({ url: origin.url, paths: twoPaths(), addressRules: rules });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toBe(
      `${origin.url} redirects to ${internal.url}, which leads to ${INTERNAL}, a loopback address, while the link itself is on the internet; Pathwise does not let a public link reach into this machine or its network.`,
    );
    expect(internal.requests).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a name that resolves to a private address: the address counts, not the name', async () => {
    const { origin, internal } = await redirectingTo(
      (s) => `http://files.example.net:${s.port}/admin/backup.bin`,
    );
    const asked: string[] = [];
    const rules: AddressRules = {
      classify: publicLoopback,
      lookup: async (host) => {
        asked.push(host);
        return host === 'files.example.net' ? ['8.8.8.8', INTERNAL] : [];
      },
    };
    const { transfer, file } = makeTransfer({ url: origin.url, paths: twoPaths(), addressRules: rules });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toContain(`which leads to files.example.net (${INTERNAL}), a loopback address`);
    expect(asked).toEqual(['files.example.net']);
    expect(internal.requests).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('refuses one to a link-local address (where cloud metadata lives), by its numbers alone', async () => {
    // Nothing reaches 169.254.169.254 either way: the test workers connect only to loopback.
    const origin = await serve(content, {
      host: PUBLIC,
      behaviour: { redirects: { '/file.bin': 'http://169.254.169.254/latest/meta-data/' } },
    });
    const rules: AddressRules = { classify: publicLoopback };
    const { transfer } = makeTransfer({ url: origin.url, paths: twoPaths(), addressRules: rules });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toContain('which leads to 169.254.169.254, a link-local address');
  });
});

describe('redirects that stay where the link is', () => {
  it('follows a private link into its own network (both on loopback, judged as they are)', async () => {
    const { origin, internal } = await redirectingTo((s) => s.url);
    const { transfer, file } = makeTransfer({ url: origin.url, paths: twoPaths() });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(secret) });
    expect(await fileEquals(file, secret)).toBe(true);
    expect(internal.requests.length).toBeGreaterThan(0);
  });

  it('follows a public link to another public address', async () => {
    const { origin } = await redirectingTo((s) => s.url);
    const rules: AddressRules = { classify: (a) => (a === PUBLIC || a === INTERNAL ? 'public' : 'private') };
    const { transfer, file } = makeTransfer({ url: origin.url, paths: twoPaths(), addressRules: rules });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(secret) });
    expect(await fileEquals(file, secret)).toBe(true);
  });
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'shared'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['2001:4860:4860::8888', 'public'],
  ])('%s is %s', (address, scope) => {
    expect(classifyAddress(address)).toBe(scope);
  });
});
