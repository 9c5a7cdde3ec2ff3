import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closed, get, openSocket, startHost, upgradeStatus, type HostLab } from '../support/hostClient.ts';

describe('HeadlessHost (pathwise serve): the token and the page', () => {
  let lab: HostLab;
  let port: number;
  let cookie: string;

  beforeAll(async () => {
    lab = await startHost('pw-host-');
    port = lab.port;
  });
  afterAll(() => lab.stop());

  it('refuses a request without the token', async () => {
    const reply = await get(port, '/');
    expect(reply.status).toBe(401);
    expect(reply.body).toContain('token');
  });

  it('refuses a wrong token', async () => {
    expect((await get(port, '/?token=nope')).status).toBe(401);
    expect((await get(port, '/', { cookie: `${lab.host.cookieName}=nope` })).status).toBe(401);
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const reply = await get(port, `/?token=${lab.host.token}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    const setCookie = String(reply.headers['set-cookie']);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    cookie = setCookie.split(';')[0] ?? '';
    const page = await get(port, '/', { cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Pathwise</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const reply = await get(port, `/?token=${lab.host.token}`, { host: 'evil.example:80' });
    expect(reply.status).toBe(403);
  });

  it('refuses a foreign Origin', async () => {
    const reply = await get(port, '/', { cookie, origin: 'http://evil.example' });
    expect(reply.status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const reply = await get(port, '/..%2f..%2fetc%2fpasswd', { cookie });
    expect(reply.status).toBe(404);
  });
});

// A page on another local port is same-site to the cookie (SameSite ignores ports), so only the
// port in Origin tells this dashboard from a page some other local server hands the browser.
describe('HeadlessHost (pathwise serve): Host and Origin must name this server, port included', () => {
  let lab: HostLab;
  let port: number;
  let otherPort: number;
  let cookie: string;

  beforeAll(async () => {
    lab = await startHost('pw-host-names-');
    port = lab.port;
    otherPort = port === 65535 ? port - 1 : port + 1;
    cookie = `${lab.host.cookieName}=${lab.host.token}`;
  });
  afterAll(() => lab.stop());

  it('serves its page and socket under any of its loopback names on its own port', async () => {
    for (const name of ['127.0.0.1', 'localhost']) {
      const self = { host: `${name}:${port}`, origin: `http://${name}:${port}`, cookie };
      expect((await get(port, '/', self)).status).toBe(200);
      expect(await upgradeStatus(port, self)).toBe(101);
    }
  });

  it('refuses a page from another local port, over HTTP and over the WebSocket', async () => {
    for (const origin of [
      `http://127.0.0.1:${otherPort}`,
      `http://localhost:${otherPort}`,
      'http://127.0.0.1',
    ]) {
      expect((await get(port, '/', { cookie, origin })).status, origin).toBe(403);
      expect(await upgradeStatus(port, { cookie, origin }), origin).toBe(403);
    }
  });

  it('refuses a Host naming another port or none, even with the token', async () => {
    for (const host of ['127.0.0.1:1', `localhost:${otherPort}`, '127.0.0.1']) {
      expect((await get(port, `/?token=${lab.host.token}`, { host })).status, host).toBe(403);
    }
  });

  it('refuses a WebSocket upgrade whose Host is not this server, even with its Origin and cookie', async () => {
    const origin = `http://127.0.0.1:${port}`;
    for (const host of ['evil.example', `evil.example:${port}`, '127.0.0.1:1']) {
      expect(await upgradeStatus(port, { host, origin, cookie }), host).toBe(403);
    }
  });
});

describe('HeadlessHost (pathwise serve): the WebSocket', () => {
  let lab: HostLab;
  let port: number;
  let cookie: string;

  beforeAll(async () => {
    lab = await startHost('pw-host-');
    port = lab.port;
    // Signed in as a browser is: the token traded for the cookie the host sets.
    const reply = await get(port, `/?token=${lab.host.token}`);
    cookie = String(reply.headers['set-cookie']).split(';')[0] ?? '';
  });
  afterAll(() => lab.stop());

  it('refuses a WebSocket without the cookie, or from another origin', async () => {
    const origin = `http://127.0.0.1:${port}`;
    expect(await openSocket(port, { origin })).toEqual({ rejected: 401 });
    expect(await openSocket(port, { origin: 'http://evil.example', cookie })).toEqual({ rejected: 403 });
    expect(await openSocket(port, { cookie })).toEqual({ rejected: 403 });
  });

  it('answers contract requests over the socket and survives hostile messages', async () => {
    const ws = await openSocket(port, { origin: `http://127.0.0.1:${port}`, cookie });
    if (!(ws instanceof WebSocket)) throw new Error(`socket rejected ${ws.rejected}`);
    const replies: unknown[] = [];
    ws.on('message', (data: Buffer) => replies.push(JSON.parse(data.toString())));
    const waitFor = async (id: number) => {
      for (let i = 0; i < 100; i++) {
        const found = replies.find((r) => (r as { id?: number }).id === id);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no reply ${id}`);
    };
    ws.send('not json at all');
    expect(await waitFor(-1)).toMatchObject({ ok: false, error: { code: 'E_BAD_MESSAGE' } });
    ws.send(JSON.stringify({ kind: 'invoke', id: 1, channel: 'shell.exec', args: ['rm -rf /'] }));
    expect(await waitFor(1)).toMatchObject({ ok: false, error: { code: 'E_BAD_CHANNEL' } });
    ws.send(JSON.stringify({ kind: 'invoke', id: 2, channel: 'paths.list', args: ['extra'] }));
    expect(await waitFor(2)).toMatchObject({ ok: false, error: { code: 'E_BAD_REQUEST' } });
    ws.send(JSON.stringify({ kind: 'invoke', id: 3, channel: 'paths.list', args: [] }));
    const ok = (await waitFor(3)) as { ok: boolean; value: Array<{ name: string }> };
    expect(ok.ok).toBe(true);
    expect(ok.value.map((p) => p.name)).toContain('lo');
    ws.close();
  });
});

describe('HeadlessHost under abuse', () => {
  let lab: HostLab;
  let port: number;
  let headers: Record<string, string>;

  beforeAll(async () => {
    lab = await startHost('pw-host-abuse-', { maxSockets: 3, maxBadMessages: 5 });
    port = lab.port;
    headers = { origin: `http://127.0.0.1:${port}`, cookie: `${lab.host.cookieName}=${lab.host.token}` };
  });
  afterAll(() => lab.stop());

  async function connected(): Promise<WebSocket> {
    const ws = await openSocket(port, headers);
    if (!(ws instanceof WebSocket)) throw new Error(`socket rejected ${ws.rejected}`);
    return ws;
  }

  it('refuses sockets beyond its limit with 503, and takes new ones when some close', async () => {
    const open = [await connected(), await connected(), await connected()];
    expect(await openSocket(port, headers)).toEqual({ rejected: 503 });
    const first = open[0] as WebSocket;
    const gone = closed(first);
    first.close();
    await gone;
    let again: WebSocket | { rejected: number } = { rejected: 0 };
    for (let i = 0; i < 50 && !(again instanceof WebSocket); i++) {
      again = await openSocket(port, headers);
      if (!(again instanceof WebSocket)) await new Promise((r) => setTimeout(r, 20));
    }
    expect(again).toBeInstanceOf(WebSocket);
    for (const ws of [...open.slice(1), again as WebSocket]) ws.close();
  });

  it('closes a socket that keeps sending bad messages, and keeps serving everyone else', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const hostile = await connected();
    const polite = await connected();
    const hostileClosed = closed(hostile);
    for (let i = 0; i < 10; i++)
      hostile.send(
        i % 2 ? '{"kind":"invoke"' : JSON.stringify({ kind: 'invoke', id: i, channel: 'nope', args: [] }),
      );
    expect(await hostileClosed).toBe(1008);
    const reply = new Promise<{ ok: boolean }>((resolve) =>
      polite.once('message', (d: Buffer) => resolve(JSON.parse(d.toString()))),
    );
    polite.send(JSON.stringify({ kind: 'invoke', id: 1, channel: 'app.info', args: [] }));
    expect(await reply).toMatchObject({ ok: true });
    polite.close();
  });

  it('drops a socket that sends an oversized message, without crashing', async () => {
    await new Promise((r) => setTimeout(r, 100));
    const big = await connected();
    const bigClosed = closed(big);
    big.send('x'.repeat(200 * 1024));
    expect(await bigClosed).toBe(1009);
    const after = await connected();
    after.close();
  });
});
