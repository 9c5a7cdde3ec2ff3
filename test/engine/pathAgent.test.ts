import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPathAgent,
  socketHandshakes,
  type PathAgent,
  type PathHandshake,
} from '../../main/engine/pathAgent.ts';
import { request } from '../../main/network/undiciCore.ts';
import { until } from '../support/engineLab.ts';
import { deterministicContent, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

let server: RangeServer | null = null;
let agent: PathAgent | null = null;

afterEach(async () => {
  await agent?.destroy();
  agent = null;
  await server?.close();
  server = null;
});

const lo = { name: 'lo', address: '127.0.0.1' };

describe('PathAgent.whenSent', () => {
  it('resolves once a request that waited for its connection has been written', async () => {
    server = await startRangeServer(deterministicContent(4096));
    agent = createPathAgent(lo);
    const origin = new URL(server.url).origin;
    await expect(agent.whenSent(origin)).resolves.toBeUndefined(); // nothing asked yet
    const answer = request(agent, { origin, path: '/file.bin', method: 'GET' });
    // Handed to the pool, its connection not open yet.
    expect(agent.stats[origin]?.pending).toBe(1);
    await agent.whenSent(origin);
    expect(agent.stats[origin]).toMatchObject({ pending: 0, running: 1 });
    const first = await answer;
    await first.body.dump();
    await until(
      () => {
        const stats = agent?.stats[origin];
        return stats !== undefined && 'free' in stats && stats.free === 1;
      },
      5000,
      'connection kept alive',
    );

    // A kept-alive connection writes at once; whenSent does not wait for a connect that never comes.
    const again = request(agent, { origin, path: '/file.bin', method: 'GET' });
    await agent.whenSent(origin);
    expect(agent.stats[origin]?.pending).toBe(0);
    await (await again).body.dump();
    expect(server.connections).toHaveLength(1);
  });

  it('resolves when the connection fails', async () => {
    // A port that was just free: the connect is refused.
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    agent = createPathAgent(lo);
    const origin = `http://127.0.0.1:${port}`;
    const answer = request(agent, { origin, path: '/', method: 'GET' }).catch((error: unknown) => error);
    await agent.whenSent(origin);
    expect(await answer).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('stops waiting, and listening, when its signal aborts before the connection opens', async () => {
    server = await startRangeServer(deterministicContent(4096));
    agent = createPathAgent(lo);
    const origin = new URL(server.url).origin;
    const answer = request(agent, { origin, path: '/file.bin', method: 'GET' });
    const listening = (): number => agent!.listenerCount('connect') + agent!.listenerCount('connectionError');
    const before = listening();
    const stop = new AbortController();
    const waited = agent.whenSent(origin, stop.signal);
    expect(listening()).toBe(before + 2);
    stop.abort();
    // Gone at once, not when the connect ends (behind a hanging one, up to its 15 s timeout).
    expect(listening()).toBe(before);
    expect(agent.stats[origin]?.pending).toBe(1);
    await waited;
    expect(agent.stats[origin]?.pending).toBe(1); // resolved by the abort, not by the connect
    await (await answer).body.dump();
    // An aborted signal: no wait at all.
    await agent.whenSent(origin, AbortSignal.abort());
  });
});

describe('PathAgent handshakes (the RTT the engine sees, issue 23)', () => {
  it('tells each new connection’s TCP handshake under its path, and none for a kept-alive one', async () => {
    server = await startRangeServer(deterministicContent(4096));
    agent = createPathAgent(lo);
    const told: PathHandshake[] = [];
    const listener = (handshake: PathHandshake): number => told.push(handshake);
    socketHandshakes.on('handshake', listener);
    try {
      const origin = new URL(server.url).origin;
      const pool = agent;
      const answers = await Promise.all(
        [1, 2].map(() => request(pool, { origin, path: '/file.bin', method: 'GET' })),
      );
      await Promise.all(answers.map((a) => a.body.dump()));
      await (await request(pool, { origin, path: '/file.bin', method: 'GET' })).body.dump();
      expect(server.connections).toHaveLength(2);
      expect(told.map((h) => h.path)).toEqual(['lo', 'lo']);
      for (const h of told) expect(h.ms).toBeGreaterThanOrEqual(0);
      expect(told.every((h) => Number.isFinite(h.ms) && h.at > 0)).toBe(true);
    } finally {
      socketHandshakes.off('handshake', listener);
    }
  });
});
