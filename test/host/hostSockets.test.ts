/**
 * `pathwise serve`'s WebSocket, rule by rule (issue 26): an upgrade is refused with a whole HTTP
 * answer unless Host, Origin and the cookie are this server's; at most 16 sockets by default; a
 * socket is closed after 20 malformed or invalid messages (a domain error is not the client's
 * fault); every refusal carries the id it answers; binary frames are not requests; a closed
 * socket stops receiving pushes.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PathwiseError, type ErrorCode } from '../../common/errors.ts';
import type { PathwiseService } from '../../main/core/PathwiseService.ts';
import type { HeadlessHost, HeadlessHostOptions } from '../../main/host/HeadlessHost.ts';
import { closed, Inbox, openSocket, serveWith } from '../support/hostClient.ts';
import {
  exchange,
  refusal,
  scriptedHost,
  upgradeRequest,
  type ScriptedHost,
} from '../support/hostRequests.ts';

const BAD_MESSAGE = 'Malformed message: expected {kind:"invoke",id,channel,args}.';

/**
 * A core that answers at once: a channel named after an error code fails with it (as the real core
 * fails E_BAD_CHANNEL for a channel it doesn't have), any other is echoed back.
 */
function answeringService(): PathwiseService {
  return {
    invoke: async (channel: string, args: unknown) => {
      if (channel.startsWith('E_')) throw new PathwiseError(channel as ErrorCode, `failed with ${channel}`);
      return { channel, args };
    },
    subscribe: () => () => undefined,
  } as unknown as PathwiseService;
}

const hosts: HeadlessHost[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) await host.close();
});

async function answering(options: Omit<HeadlessHostOptions, 'service' | 'rootDir'> = {}) {
  const { host, port } = await serveWith(
    answeringService(),
    await mkdtemp(join(tmpdir(), 'pw-host-ws-')),
    options,
  );
  hosts.push(host);
  const signedIn = { origin: `http://127.0.0.1:${port}`, cookie: `${host.cookieName}=${host.token}` };
  return { host, port, signedIn };
}

async function scripted(
  options: Omit<HeadlessHostOptions, 'service' | 'rootDir'> = {},
): Promise<ScriptedHost> {
  const lab = await scriptedHost('pw-host-ws-', options);
  hosts.push(lab.host);
  return lab;
}

async function connect(
  port: number,
  headers: Record<string, string>,
): Promise<{ ws: WebSocket; inbox: Inbox }> {
  const ws = await openSocket(port, headers);
  if (!(ws instanceof WebSocket)) throw new Error(`socket refused with ${ws.rejected}`);
  ws.on('error', () => undefined);
  return { ws, inbox: new Inbox(ws) };
}

const invoke = (id: number, channel = 'app.info'): string =>
  JSON.stringify({ kind: 'invoke', id, channel, args: [] });

describe('a refused upgrade', () => {
  it('is a whole HTTP answer with its reason, after which the connection ends', async () => {
    const { port, signedIn } = await answering();
    const host = `127.0.0.1:${port}`;
    const cookie = signedIn.cookie!;
    const origin = signedIn.origin!;
    expect(await exchange(port, upgradeRequest({ Host: host, Cookie: cookie }))).toBe(
      refusal(403, 'Forbidden'),
    );
    expect(
      await exchange(port, upgradeRequest({ Host: `evil.example:${port}`, Origin: origin, Cookie: cookie })),
    ).toBe(refusal(403, 'Forbidden'));
    expect(await exchange(port, upgradeRequest({ Host: host, Origin: origin }))).toBe(
      refusal(401, 'Unauthorized'),
    );
    expect(
      await exchange(port, upgradeRequest({ Host: host, Origin: origin, Cookie: cookie }, '/other')),
    ).toBe(refusal(404, 'Not Found'));
  });

  it('takes 16 sockets by default and refuses the 17th with 503 until one closes', async () => {
    const { port, signedIn } = await answering();
    const open = [];
    for (let i = 0; i < 16; i++) open.push(await connect(port, signedIn));
    const request = upgradeRequest({
      Host: `127.0.0.1:${port}`,
      Origin: signedIn.origin!,
      Cookie: signedIn.cookie!,
    });
    expect(await exchange(port, request)).toBe(refusal(503, 'Service Unavailable'));
    for (const { ws } of open) ws.close();
  });
});

describe('messages that count against a socket', () => {
  it('closes a socket on its 20th bad message by default, and not before', async () => {
    const { port, signedIn } = await answering();
    const { ws, inbox } = await connect(port, signedIn);
    const bad = [
      'garbage',
      invoke(1, 'E_BAD_CHANNEL'),
      invoke(2, 'E_BAD_REQUEST'),
      '{"kind":"invoke","id":3}',
    ];
    for (let i = 0; i < 19; i++) ws.send(bad[i % bad.length]!);
    ws.send(invoke(100));
    expect(await inbox.result(100)).toMatchObject({ ok: true, value: { channel: 'app.info', args: [] } });
    const gone = new Promise<[number, string]>((resolve) =>
      ws.on('close', (code, reason) => resolve([code, String(reason)])),
    );
    ws.send('garbage');
    expect(await gone).toEqual([1008, 'Too many bad messages']);
  });

  it('counts exactly as many as it is told, and not a domain error (a failed transfer, a full disk)', async () => {
    const { port, signedIn } = await answering({ maxBadMessages: 3 });
    const { ws, inbox } = await connect(port, signedIn);
    ws.send('garbage');
    ws.send(invoke(1, 'E_BAD_REQUEST'));
    for (let id = 10; id < 20; id++) ws.send(invoke(id, id % 2 ? 'E_NOT_FOUND' : 'E_DISK_FULL'));
    ws.send(invoke(20));
    expect(await inbox.result(19)).toMatchObject({
      ok: false,
      error: { code: 'E_NOT_FOUND', message: 'failed with E_NOT_FOUND' },
    });
    expect(await inbox.result(20)).toMatchObject({ ok: true });
    const gone = closed(ws);
    ws.send(invoke(21, 'E_BAD_CHANNEL'));
    expect(await inbox.result(21)).toMatchObject({ ok: false, error: { code: 'E_BAD_CHANNEL' } });
    expect(await gone).toBe(1008);
  });

  it('answers a malformed message under the id it carries, or -1 when it carries none', async () => {
    const { port, signedIn } = await answering({ maxBadMessages: 100 });
    const { ws, inbox } = await connect(port, signedIn);
    const cases: Array<[string, number]> = [
      ['not json', -1],
      ['5', -1],
      ['"text"', -1],
      ['null', -1],
      ['[1, 2]', -1],
      ['{"id":"7"}', -1],
      ['{"kind":"invoke","id":8}', 8],
      ['{"kind":"other","id":9,"channel":"app.info","args":[]}', 9],
    ];
    for (const [text] of cases) ws.send(text);
    ws.send(invoke(1000));
    await inbox.result(1000);
    const refusals = inbox.received.filter((r) => r.kind === 'result' && r.id !== 1000);
    expect(refusals).toEqual(
      cases.map(([, id]) => ({
        kind: 'result',
        id,
        ok: false,
        error: { code: 'E_BAD_MESSAGE', message: BAD_MESSAGE },
      })),
    );
    ws.close();
  });
});

describe('frames that are not requests', () => {
  it('refuses a binary frame, even one that holds a request, and passes it on to nothing', async () => {
    const lab = await scripted({ maxBadMessages: 100 });
    const { ws, inbox } = await connect(lab.port, lab.signedIn);
    ws.send(Buffer.from(invoke(5)), { binary: true });
    const reply = await inbox.next();
    expect(reply).toEqual({
      kind: 'result',
      id: -1,
      ok: false,
      error: { code: 'E_BAD_MESSAGE', message: BAD_MESSAGE },
    });
    expect(lab.service.requests).toHaveLength(0);
    ws.close();
  });
});

describe('a socket with 64 requests unanswered', () => {
  it('answers E_BUSY under the request’s id (-1 for a binary frame), and counts it as a bad message', async () => {
    const lab = await scripted({ maxBadMessages: 3 });
    const { ws, inbox } = await connect(lab.port, lab.signedIn);
    for (let id = 1; id <= 64; id++) ws.send(invoke(id));
    await lab.service.requestsReach(64);
    const busy = { code: 'E_BUSY', message: 'Too many requests at once; wait for answers first.' };
    ws.send(invoke(65));
    expect(await inbox.next()).toEqual({ kind: 'result', id: 65, ok: false, error: busy });
    ws.send(Buffer.from(invoke(66)), { binary: true });
    expect(await inbox.next()).toEqual({ kind: 'result', id: -1, ok: false, error: busy });
    const gone = closed(ws);
    ws.send(invoke(67));
    expect(await gone).toBe(1008);
    expect(lab.service.requests).toHaveLength(64);
  });
});

describe('a socket that goes away', () => {
  it('stops receiving pushes once closed', async () => {
    const lab = await scripted();
    const { ws } = await connect(lab.port, lab.signedIn);
    const other = await connect(lab.port, lab.signedIn);
    expect(lab.service.subscribers).toBe(2);
    ws.close();
    await closed(ws);
    // The host hears of the close no later than of a request sent after it on another socket.
    const asked = lab.service.nextRequest();
    other.ws.send(invoke(1));
    await asked;
    for (let i = 0; i < 1000 && lab.service.subscribers > 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(lab.service.subscribers).toBe(1);
    other.ws.close();
  });

  it('is ended when the host closes, and the host then takes no new connection', async () => {
    const lab = await scriptedHost('pw-host-close-');
    const { ws } = await connect(lab.port, lab.signedIn);
    const gone = closed(ws);
    await lab.host.close();
    expect(await gone).toBe(1006);
    await expect(exchange(lab.port, 'GET / HTTP/1.0\r\n\r\n')).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
