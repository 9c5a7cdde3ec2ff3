/**
 * Issue 22's hardening of `pathwise serve`: each host's cookie carries its port (browsers send a
 * 127.0.0.1 cookie to every port, so one shared name let two hosts overwrite each other), the
 * token redirect never answers a Location a browser reads as another server, and a --host other
 * machines can reach needs --allow-remote (and is said out loud when given).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../main/cli/main.ts';
import type { CliIo } from '../../main/cli/io.ts';
import { checkServeHost } from '../../main/cli/serve.ts';
import { cookieName, HeadlessHost, isLoopback } from '../../main/host/HeadlessHost.ts';
import { get, serveWith, startHost, type HostLab } from '../support/hostClient.ts';
import { ScriptedService } from '../support/scriptedService.ts';

function captureIo(): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (chunk: string) => ((out += chunk), true) },
    stderr: { write: (chunk: string) => ((err += chunk), true) },
  } as unknown as CliIo;
  return { io, out: () => out, err: () => err };
}

/** The cookie a host sets when its token is traded: `name=value`. */
async function signIn(lab: { port: number; host: HeadlessHost }): Promise<string> {
  const reply = await get(lab.port, `/?token=${lab.host.token}`);
  expect(reply.status).toBe(303);
  return String(reply.headers['set-cookie']).split(';')[0] ?? '';
}

describe('two hosts on one machine: a cookie per port', () => {
  let first: HostLab;
  let second: { host: HeadlessHost; port: number };

  beforeAll(async () => {
    first = await startHost('pw-host-cookie-');
    second = await serveWith(first.service, await mkdtemp(join(tmpdir(), 'pw-host-cookie2-')));
  });
  afterAll(async () => {
    await second.host.close();
    await first.stop();
  });

  it('names each host’s cookie after its port', async () => {
    const a = await signIn(first);
    const b = await signIn(second);
    expect(a).toBe(`${cookieName(first.port)}=${first.host.token}`);
    expect(b).toBe(`${cookieName(second.port)}=${second.host.token}`);
    expect(cookieName(first.port)).not.toBe(cookieName(second.port));
  });

  it('lets each host find its own token among the cookies the browser sends to both', async () => {
    // A browser keeps one jar for 127.0.0.1 and sends all of it to every port.
    const jar = `${await signIn(first)}; ${await signIn(second)}`;
    expect((await get(first.port, '/', { cookie: jar })).status).toBe(200);
    expect((await get(second.port, '/', { cookie: jar })).status).toBe(200);
    // The other host's cookie alone opens nothing here.
    expect((await get(second.port, '/', { cookie: await signIn(first) })).status).toBe(401);
  });
});

describe('the token redirect stays on this server', () => {
  let lab: HostLab;
  beforeAll(async () => {
    lab = await startHost('pw-host-location-');
  });
  afterAll(() => lab.stop());

  it.each(['/.//evil.example', '/./\\evil.example', '//evil.example/x', '/\\/evil.example'])(
    'answers %j with a path, never a protocol-relative Location',
    async (path) => {
      const reply = await get(lab.port, `${path}?token=${lab.host.token}`);
      expect(reply.status).toBe(303);
      const location = String(reply.headers.location);
      expect(location).toMatch(/^\/(?![/\\])/);
      expect(new URL(location, `http://127.0.0.1:${lab.port}/`).host).toBe(`127.0.0.1:${lab.port}`);
    },
  );

  it('keeps an ordinary path as it is', async () => {
    const reply = await get(lab.port, `/index.html?token=${lab.host.token}`);
    expect(reply.headers.location).toBe('/index.html');
  });
});

describe('serve --host: other machines only with --allow-remote', () => {
  it('refuses a --host others can reach without --allow-remote, with a usage error', async () => {
    for (const host of ['0.0.0.0', '192.168.1.20', '::']) {
      const { io, out } = captureIo();
      await expect(runCli(['serve', '--host', host, '--port', '0'], io)).rejects.toMatchObject({
        code: 'E_USAGE',
        message: expect.stringContaining(`--host ${host} would let other machines reach the dashboard`),
      });
      expect(out()).toBe('');
    }
  });

  it('warns when --allow-remote lets it, and says nothing for loopback', () => {
    const remote = captureIo();
    checkServeHost({ host: '0.0.0.0', port: 0, allowRemote: true }, remote.io);
    expect(remote.err()).toMatch(/^pathwise: warning: serving on 0\.0\.0\.0 \(--allow-remote\)/);
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.7']) {
      const local = captureIo();
      checkServeHost({ host, port: 0 }, local.io);
      expect(local.err()).toBe('');
    }
  });

  it('holds in the host itself too: no listening on a reachable address unless allowed', () => {
    const service = {} as ConstructorParameters<typeof HeadlessHost>[0]['service'];
    expect(() => new HeadlessHost({ service, rootDir: '/tmp', host: '0.0.0.0' })).toThrow(
      expect.objectContaining({ code: 'E_USAGE' }),
    );
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.evil.example')).toBe(false);
  });
});

describe('serve --host on one address others may reach: that address’s name and no other', () => {
  // Bound to one address (not loopback, not every address), only that address reaches the
  // socket, so a Host naming loopback is a rebound name. The v4-mapped form of 127.0.0.1 is such
  // an address that these tests may reach without leaving the machine's loopback.
  it('answers to the bracketed address it listens on, and refuses loopback’s names', async () => {
    const { host, port } = await serveWith(
      new ScriptedService().asService(),
      await mkdtemp(join(tmpdir(), 'pw-host-mapped-')),
      { host: '::ffff:127.0.0.1', allowRemote: true },
    );
    try {
      expect(host.url()).toBe(`http://[::ffff:127.0.0.1]:${port}/?token=${host.token}`);
      const cookie = `${host.cookieName}=${host.token}`;
      const own = await get(port, '/', { cookie, host: `[::ffff:127.0.0.1]:${port}` });
      expect(own.status).toBe(200);
      for (const name of ['127.0.0.1', 'localhost', '[::1]']) {
        const reply = await get(port, '/', { cookie, host: `${name}:${port}` });
        expect({ name, status: reply.status, body: reply.body }).toEqual({
          name,
          status: 403,
          body: 'Forbidden: unexpected Host or Origin.\n',
        });
      }
    } finally {
      await host.close();
    }
  });
});
