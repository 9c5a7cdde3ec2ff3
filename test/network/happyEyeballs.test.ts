/**
 * Each path uses the address families it has (issue 25): Happy Eyeballs between a server's
 * addresses, and sockets sourced from the path's address of the target's family.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BindAddonStatus } from '../../main/network/bindAddon.ts';
import { createBoundConnect } from '../../main/network/boundConnect.ts';
import { interleave, raceConnects, resolveTargets, type Target } from '../../main/network/happyEyeballs.ts';
import { Agent, request } from '../../main/network/undiciCore.ts';

const noAddon: BindAddonStatus = { available: false, addon: null, source: null, file: null, reason: 'test' };
const v4 = (address: string): Target => ({ address, family: 4 });
const v6 = (address: string): Target => ({ address, family: 6 });

let server: Server;
let port: number;
beforeAll(async () => {
  // Dual-stack: answers with the peer address it saw, over 127.0.0.1 and ::1 alike.
  server = createServer((req, res) => res.end(req.socket.remoteAddress?.replace(/^::ffff:/, '')));
  await new Promise<void>((resolve) => server.listen(0, '::', () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** A real TCP connection to the test server at `address`. */
function dial(target: Target): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.address, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('Happy Eyeballs', () => {
  it('takes the families in turns, the path’s first family first', () => {
    const targets = [v6('::1'), v6('::2'), v4('127.0.0.1'), v4('127.0.0.2')];
    expect(interleave(targets, 4).map((t) => t.address)).toEqual(['127.0.0.1', '::1', '127.0.0.2', '::2']);
    expect(interleave(targets, 6).map((t) => t.address)).toEqual(['::1', '127.0.0.1', '::2', '127.0.0.2']);
  });

  it('starts the next address while one hangs, takes the first that opens and aborts the rest', async () => {
    const aborted: string[] = [];
    const hanging = (target: Target, signal: AbortSignal): Promise<Socket> =>
      new Promise((_, reject) =>
        signal.addEventListener('abort', () => {
          aborted.push(target.address);
          reject(new Error('aborted'));
        }),
      );
    const socket = await raceConnects([v6('2001:2::1'), v4('127.0.0.1')], (target, signal) =>
      target.family === 6 ? hanging(target, signal) : dial(target),
    );
    expect(socket.remoteAddress).toBe('127.0.0.1');
    expect(aborted).toEqual(['2001:2::1']);
    socket.destroy();
  });

  it('goes on at once after a failure, and reports every failure when none opens', async () => {
    const socket = await raceConnects(
      [v4('127.0.0.1'), v6('::1')],
      (target) =>
        target.family === 4
          ? Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))
          : dial(target),
      // A delay longer than the test: only the failure can have started the second attempt.
      { delayMs: 3_600_000 },
    );
    expect(socket.remoteAddress).toBe('::1');
    socket.destroy();
    const failed = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));
    await expect(raceConnects([v4('127.0.0.1'), v6('::1')], failed('ECONNREFUSED'))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
      message: 'ECONNREFUSED; ECONNREFUSED',
    });
  });

  it('keeps to the families the path has, and says so when the server has no other', async () => {
    expect(await resolveTargets('::1', new Set([4, 6]), 4, 'wlan0')).toEqual([v6('::1')]);
    await expect(resolveTargets('::1', new Set([4]), 4, 'wwan0')).rejects.toMatchObject({
      code: 'ENETUNREACH',
      message: '::1 has no address that wwan0 can reach (wwan0 has IPv4 only)',
    });
  });
});

describe('a path with an IPv4 and an IPv6 address, bound by address', () => {
  const path = createBoundConnect({
    device: 'lo',
    localAddress: '127.0.0.2',
    localAddresses: ['127.0.0.2', '::1'],
    addon: noAddon,
  });
  const agent = new Agent({ connect: path });
  afterAll(() => agent.close());

  it('sources each connection from its address of the server’s family', async () => {
    const over4 = await request(agent, { origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET' });
    expect(await over4.body.text()).toBe('127.0.0.2');
    const over6 = await request(agent, { origin: `http://[::1]:${port}`, path: '/', method: 'GET' });
    expect(await over6.body.text()).toBe('::1');
  });

  it('an IPv6-only path reaches a server by its IPv6 address and never tries IPv4 unbound', async () => {
    const only6 = createBoundConnect({ device: 'lo', localAddresses: ['::1'], addon: noAddon });
    const agent6 = new Agent({ connect: only6 });
    try {
      const answer = await request(agent6, { origin: `http://[::1]:${port}`, path: '/', method: 'GET' });
      expect(await answer.body.text()).toBe('::1');
      await expect(
        request(agent6, { origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET' }),
      ).rejects.toMatchObject({ code: 'ENETUNREACH' });
    } finally {
      await agent6.close();
    }
  });
});
