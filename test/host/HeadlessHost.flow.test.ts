import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HeadlessHost } from '../../main/host/HeadlessHost.ts';
import { closed, Inbox, openSocket, serveWith } from '../support/hostClient.ts';
import { ScriptedService } from '../support/scriptedService.ts';

const MiB = 1 << 20;

interface ScriptedLab {
  service: ScriptedService;
  host: HeadlessHost;
  /** A signed-in socket from the dashboard's own origin, with its messages collected. */
  connect(): Promise<{ ws: WebSocket; inbox: Inbox; invoke(id: number): void }>;
}

/** The host in front of a core the test drives: requests wait for the test, pushes come when it says. */
async function startScriptedHost(prefix: string): Promise<ScriptedLab> {
  const service = new ScriptedService();
  const { host, port } = await serveWith(service.asService(), await mkdtemp(join(tmpdir(), prefix)));
  const headers = { origin: `http://127.0.0.1:${port}`, cookie: `${host.cookieName}=${host.token}` };
  return {
    service,
    host,
    connect: async () => {
      const ws = await openSocket(port, headers);
      if (!(ws instanceof WebSocket)) throw new Error(`socket rejected ${ws.rejected}`);
      ws.on('error', () => undefined);
      const invoke = (id: number): void =>
        ws.send(JSON.stringify({ kind: 'invoke', id, channel: 'app.info', args: [] }));
      return { ws, inbox: new Inbox(ws), invoke };
    },
  };
}

/** Whichever comes first: the host's next message on the socket, or a request reaching the core. */
function replyOrPassedOn(inbox: Inbox, service: ScriptedService): Promise<object> {
  return Promise.race([
    inbox.next().then((reply) => ({ reply })),
    service.nextRequest().then((held) => ({ passedOn: held.channel })),
  ]);
}

describe('HeadlessHost: requests in flight on one socket', () => {
  let lab: ScriptedLab;

  beforeAll(async () => {
    lab = await startScriptedHost('pw-host-busy-');
  });
  afterAll(() => lab.host.close());

  it('answers E_BUSY beyond 64 unanswered requests, and takes more as answers go out', async () => {
    const { service } = lab;
    const { ws, inbox, invoke } = await lab.connect();
    for (let id = 1; id <= 64; id++) invoke(id);
    await service.requestsReach(64);

    // The 65th is refused under its own id (so the call waiting for it ends) and never reaches the core.
    const refused = replyOrPassedOn(inbox, service);
    invoke(65);
    expect(await refused).toMatchObject({
      reply: { kind: 'result', id: 65, ok: false, error: { code: 'E_BUSY' } },
    });
    expect(service.requests).toHaveLength(64);

    // One answer frees one place.
    service.requests[0]?.answer('first');
    expect(await inbox.result(1)).toMatchObject({ ok: true, value: 'first' });
    const taken = replyOrPassedOn(inbox, service);
    invoke(66);
    expect(await taken).toEqual({ passedOn: 'app.info' });

    // Nothing that was taken is lost.
    for (const held of service.requests.slice(1)) held.answer('done');
    for (const id of [...Array.from({ length: 63 }, (_, i) => i + 2), 66]) {
      expect(await inbox.result(id), `request ${id}`).toMatchObject({ ok: true, value: 'done' });
    }
    ws.close();
  });
});

describe('HeadlessHost: a client that stops reading', () => {
  let lab: ScriptedLab;

  beforeAll(async () => {
    lab = await startScriptedHost('pw-host-slow-');
  });
  afterAll(() => lab.host.close());

  it('skips pushes while it is over 4 MiB behind, keeps it, and pushes again once it caught up', async () => {
    const { service } = lab;
    const { ws, inbox, invoke } = await lab.connect();
    ws.pause(); // a frozen tab: its socket is not read
    for (let seq = 0; seq < 24; seq++) service.push('transfers', { seq, filler: 'x'.repeat(MiB) });
    // An answer goes out after every push above: once it is in, so is every push that was sent.
    const asked = service.nextRequest();
    invoke(1);
    (await asked).answer('caught up');
    ws.resume();
    expect(await inbox.result(1)).toMatchObject({ ok: true, value: 'caught up' });

    const seqs = inbox.received.flatMap((r) =>
      r.kind === 'event' ? [(r.payload as { seq: number }).seq] : [],
    );
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs.length, '24 MiB of pushes to a stalled tab are not all queued').toBeLessThan(24);
    expect(seqs, 'the first ones, in order; the rest skipped').toEqual(seqs.map((_, i) => i));

    const fresh = inbox.next((r) => r.kind === 'event' && (r.payload as { seq: number }).seq === 99);
    service.push('transfers', { seq: 99 });
    expect(await fresh).toMatchObject({ channel: 'transfers' });
    ws.close();
  });

  it('drops a socket over 32 MiB behind instead of holding its backlog, and serves the others', async () => {
    const { service } = lab;
    service.requests.splice(0);
    const { ws, inbox, invoke } = await lab.connect();
    ws.pause();
    // A tab that asked for 48 MiB of answers and froze before reading them.
    for (let id = 1; id <= 48; id++) invoke(id);
    await service.requestsReach(48);
    for (const held of service.requests.splice(0)) held.answer('x'.repeat(MiB));
    // Its next request reaches the core after the answers above were written.
    const asked = service.nextRequest();
    invoke(49);
    await asked;
    service.requests.splice(0);

    service.push('transfers', { seq: 1 });
    const outcome = Promise.race([
      closed(ws).then((code) => ({ closed: code })),
      inbox.result(48).then(() => ({ allAnswersArrived: true })),
    ]);
    ws.resume();
    expect(await outcome).toEqual({ closed: 1006 });
    expect(inbox.received.length, 'the backlog was dropped').toBeLessThan(48);

    const other = await lab.connect();
    const reaches = service.nextRequest();
    other.invoke(7);
    (await reaches).answer('still here');
    expect(await other.inbox.result(7)).toMatchObject({ ok: true, value: 'still here' });
    other.ws.close();
  });
});
