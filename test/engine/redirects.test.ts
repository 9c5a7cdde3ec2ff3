/**
 * Redirects the probe refuses to follow (issue 26): from HTTPS down to plain HTTP, to anything
 * that is not http(s), and more than ten in a row. Each fails with E_REDIRECT naming the link, and
 * nothing is fetched from where the redirect pointed.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PathEndpoint } from '../../main/engine/pathAgent.ts';
import { Agent } from '../../main/network/undiciCore.ts';
import { failureOf, fileEquals, makeTransfer, twoPaths } from '../support/engineLab.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';
import { selfSignedCert } from '../support/selfSigned.ts';

const SIZE = 1_000_000;
const content = deterministicContent(SIZE, 61);
const servers: RangeServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(...args: Parameters<typeof startRangeServer>): Promise<RangeServer> {
  const server = await startRangeServer(...args);
  servers.push(server);
  return server;
}

/** `/r0` → `/r1` → … → `/r{hops-1}` → the file: a chain of `hops` redirects. */
function chain(hops: number): Record<string, string> {
  const redirects: Record<string, string> = {};
  for (let i = 0; i < hops; i++) redirects[`/r${i}`] = i + 1 < hops ? `/r${i + 1}` : '/file.bin';
  return redirects;
}

describe('redirects: how many the probe follows', () => {
  it('follows a chain of ten redirects to the file', async () => {
    const server = await serve(content, { behaviour: { redirects: chain(10) } });
    const { transfer, file } = makeTransfer({
      url: server.url.replace('/file.bin', '/r0'),
      paths: twoPaths(),
    });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
  });

  it('stops at the eleventh redirect with E_REDIRECT, fetching nothing from the file', async () => {
    const server = await serve(content, { behaviour: { redirects: chain(11) } });
    const url = server.url.replace('/file.bin', '/r0');
    const { transfer, file } = makeTransfer({ url, paths: twoPaths() });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toBe(`${url} redirects more than 10 times; the link is probably broken.`);
    expect(server.requests.some((r) => r.path === '/file.bin')).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('stops a redirect loop with E_REDIRECT', async () => {
    const server = await serve(content, { behaviour: { redirects: { '/a': '/b', '/b': '/a' } } });
    const url = server.url.replace('/file.bin', '/a');
    const { transfer, file } = makeTransfer({ url, paths: twoPaths() });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toBe(`${url} redirects more than 10 times; the link is probably broken.`);
    expect(existsSync(file)).toBe(false);
  });
});

describe('redirects: where the probe will not go', () => {
  it.each([
    ['a local file', 'file:///etc/passwd'],
    ['FTP', 'ftp://127.0.0.1/file.bin'],
    ['a data: URL', 'data:application/octet-stream;base64,AAAA'],
  ])('refuses a redirect to %s with E_REDIRECT', async (_, location) => {
    const server = await serve(content, { behaviour: { redirects: { '/file.bin': location } } });
    const { transfer, file } = makeTransfer({ url: server.url, paths: twoPaths() });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toBe(
      `${server.url} redirects to ${new URL(location).href}, which is not http(s); Pathwise does not follow it.`,
    );
    expect(existsSync(file)).toBe(false);
  });
});

describe('redirects: from HTTPS', () => {
  let tls: ReturnType<typeof selfSignedCert>;
  beforeAll(() => {
    tls = selfSignedCert('127.0.0.1', 'IP:127.0.0.1');
  });

  /** Pools that trust the test's certificate, bound to each path's address as the engine's are. */
  const trusting = (path: PathEndpoint): InstanceType<typeof Agent> =>
    new Agent({ localAddress: path.address, connect: { ca: tls.cert } });

  it('follows a redirect that stays on HTTPS', async () => {
    const secure = await serve(content, {
      tls: { key: tls.key, cert: tls.cert },
      behaviour: { redirects: { '/latest': '/file.bin' } },
    });
    const url = secure.url.replace('/file.bin', '/latest');
    const { transfer, file } = makeTransfer({ url, paths: twoPaths(), agentFactory: trusting });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
  });

  it('refuses a redirect from HTTPS down to plain HTTP, asking the HTTP server nothing', async () => {
    const plain = await serve(content);
    const secure = await serve(content, {
      tls: { key: tls.key, cert: tls.cert },
      behaviour: { redirects: { '/file.bin': plain.url } },
    });
    const { transfer, file } = makeTransfer({ url: secure.url, paths: twoPaths(), agentFactory: trusting });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_REDIRECT');
    expect(error.message).toBe(
      `${secure.url} redirects from HTTPS to plain HTTP (${plain.url}); Pathwise refuses the downgrade.`,
    );
    expect(plain.requests).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });
});
