import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathwise, type Pathwise } from '../../main/core/createPathwise.ts';
import { HandoffServer } from '../../main/host/HandoffServer.ts';
import { AppConnection } from '../../main/cli/handoffClient.ts';
import { handoffKeyPath, helloNonce, helloProof } from '../../main/host/handoffHello.ts';
import { handoffSocketPath } from '../../main/host/handoffProtocol.ts';
import { proveKey } from '../support/handoffHandshake.ts';

/*
 * The core's socket for command lines, spoken to by hand: whatever arrives, the answer is an error
 * (never a crash), and a connection that keeps misbehaving is closed while the server goes on.
 */
let app: Pathwise;
let server: HandoffServer;
let dataDir: string;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pw-handoff-'));
  app = await createPathwise({ shell: 'headless', dataDir, env: {}, monitor: { pollIntervalMs: 60_000 } });
  await app.service.start();
  server = new HandoffServer({
    service: app.service,
    handed: app.handed,
    binder: app.binder,
    socketPath: handoffSocketPath(dataDir),
    keyPath: handoffKeyPath(dataDir),
    maxBadMessages: 5,
  });
  expect(await server.listen()).toBe(true);
});

afterEach(async () => {
  await server.close();
  await app.service.stop();
});

/** A raw connection: send lines, read the answers one at a time. */
async function open(): Promise<{
  socket: Socket;
  send: (text: string) => void;
  next: () => Promise<Record<string, unknown>>;
  closed: Promise<void>;
}> {
  const socket = connect(server.path);
  await new Promise((resolve) => socket.once('connect', resolve));
  await proveKey(socket, dataDir);
  const answers: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      answers.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      buffered = buffered.slice(nl + 1);
      waiters.shift()?.();
    }
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    send: (text) => socket.write(`${text}\n`),
    next: async () => {
      if (answers.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return answers.shift() as Record<string, unknown>;
    },
    closed,
  };
}

describe('HandoffServer: the local socket for command lines', () => {
  it('answers contract requests as the service does', async () => {
    const c = await open();
    c.send(JSON.stringify({ kind: 'invoke', id: 1, channel: 'app.info', args: [] }));
    expect(await c.next()).toMatchObject({
      kind: 'result',
      id: 1,
      ok: true,
      value: { shell: 'headless', dataDir },
    });
    c.socket.destroy();
  });
});

describe('HandoffServer: hostile messages', () => {
  it.each([
    ['not JSON', '{nope', 'E_BAD_MESSAGE'],
    ['an unknown kind', JSON.stringify({ kind: 'rm', id: 2 }), 'E_BAD_MESSAGE'],
    [
      'an unknown channel',
      JSON.stringify({ kind: 'invoke', id: 3, channel: 'fs.delete', args: [] }),
      'E_BAD_CHANNEL',
    ],
    [
      'bad arguments',
      JSON.stringify({ kind: 'invoke', id: 4, channel: 'paths.setPreference', args: ['wlan0', 'sometimes'] }),
      'E_BAD_REQUEST',
    ],
    [
      'a relative file',
      JSON.stringify({
        kind: 'get',
        id: 5,
        detach: true,
        request: {
          url: 'http://127.0.0.1:9/f',
          file: '../etc/passwd',
          mode: 'aggregate',
          paths: null,
          caps: {},
        },
      }),
      'E_BAD_MESSAGE',
    ],
    [
      'a file URL',
      JSON.stringify({
        kind: 'get',
        id: 6,
        detach: true,
        request: { url: 'file:///etc/passwd', directory: '/tmp', mode: 'aggregate', paths: null, caps: {} },
      }),
      'E_BAD_MESSAGE',
    ],
    ['a stop for nothing', JSON.stringify({ kind: 'stop', id: 7 }), 'E_NOT_FOUND'],
    ['a prototype trick', '{"__proto__":{"kind":"invoke"},"id":8}', 'E_BAD_MESSAGE'],
  ])('answers %s with an error, never a crash', async (_what, line, code) => {
    const c = await open();
    c.send(line);
    const answer = await c.next();
    expect(answer).toMatchObject({ kind: 'result', ok: false, error: { code } });
    // The connection and the server still answer.
    c.send(JSON.stringify({ kind: 'invoke', id: 99, channel: 'app.info', args: [] }));
    expect(await c.next()).toMatchObject({ id: 99, ok: true });
    c.socket.destroy();
  });
});

describe('HandoffServer: misbehaving clients and squatted paths', () => {
  it('closes a connection that keeps misbehaving, and serves the next one', async () => {
    const c = await open();
    for (let i = 0; i < 5; i++) c.send('garbage');
    await c.closed;
    const d = await open();
    d.send(JSON.stringify({ kind: 'invoke', id: 1, channel: 'app.info', args: [] }));
    expect(await d.next()).toMatchObject({ ok: true });
    d.socket.destroy();
  });

  it('closes a connection that sends a line longer than any message', async () => {
    const c = await open();
    c.socket.write('x'.repeat(300 * 1024));
    await c.closed;
  });

  it('refuses a path that is not a socket, and keeps another app’s live socket', async () => {
    const other = join(dataDir, 'plain');
    writeFileSync(other, 'mine');
    const planted = new HandoffServer({
      service: app.service,
      handed: app.handed,
      binder: app.binder,
      socketPath: other,
      keyPath: join(dataDir, 'planted.key'),
    });
    await expect(planted.listen()).rejects.toThrow(/is not a socket/);
    const second = new HandoffServer({
      service: app.service,
      handed: app.handed,
      binder: app.binder,
      socketPath: server.path,
      keyPath: join(dataDir, 'second.key'),
    });
    expect(await second.listen()).toBe(false);
    expect(statSync(server.path).isSocket()).toBe(true);
    // The app that holds the door keeps its key: the one that lost wrote none.
    expect(existsSync(join(dataDir, 'second.key'))).toBe(false);
  });
});

/** A connection that says only what the test sends: every byte it receives is kept. */
async function rawConnection(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const socket = connect(server.path);
  await once(socket, 'connect');
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => undefined);
  return { socket, received: () => text, closed };
}

describe('HandoffServer: only a client that can read the data home’s key is answered', () => {
  it('writes a fresh key each start, readable by this user only', async () => {
    const first = readFileSync(handoffKeyPath(dataDir), 'utf8');
    expect(first).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(handoffKeyPath(dataDir)).mode & 0o777).toBe(0o600);
    await server.close();
    expect(await server.listen()).toBe(true);
    expect(readFileSync(handoffKeyPath(dataDir), 'utf8')).not.toBe(first);
  });

  it('closes, unanswered, a connection that sends a request without the hello', async () => {
    const c = await rawConnection();
    c.socket.write(`${JSON.stringify({ kind: 'invoke', id: 1, channel: 'app.info', args: [] })}\n`);
    await c.closed;
    expect(c.received()).toBe('');
  });

  it('closes, after its hello, a client whose proof is wrong', async () => {
    const c = await rawConnection();
    c.socket.write(`${JSON.stringify({ kind: 'hello', nonce: helloNonce() })}\n`);
    // The server proves itself first; a client that doesn't have the key can't answer it.
    const forged = helloProof(Buffer.alloc(32, 7), 'client', 'a'.repeat(64), 'b'.repeat(64));
    c.socket.write(`${JSON.stringify({ kind: 'auth', proof: forged })}\n`);
    c.socket.write(`${JSON.stringify({ kind: 'invoke', id: 1, channel: 'app.info', args: [] })}\n`);
    await c.closed;
    expect(c.received().trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(c.received())).toMatchObject({ kind: 'hello' });
  });

  it('closes a connection that never says hello, once its time is up', async () => {
    await server.close();
    server = new HandoffServer({
      service: app.service,
      handed: app.handed,
      binder: app.binder,
      socketPath: handoffSocketPath(dataDir),
      keyPath: handoffKeyPath(dataDir),
      helloTimeoutMs: 200,
    });
    expect(await server.listen()).toBe(true);
    const c = await rawConnection();
    await c.closed;
    expect(c.received()).toBe('');
  });

  it('lets the command line talk to the app that proves the key, and to nothing else', async () => {
    const connection = await AppConnection.open(dataDir, {});
    expect(connection).not.toBeNull();
    expect(await connection?.invoke('app.info')).toMatchObject({ dataDir });
    connection?.close();
    // Someone else's server on the path (a squatted Windows pipe): it can't prove the key.
    await server.close();
    const heard: string[] = [];
    const impostor = createServer((socket) => {
      socket.on('data', (chunk: Buffer) => {
        heard.push(chunk.toString());
        socket.write(`${JSON.stringify({ kind: 'hello', nonce: 'c'.repeat(64), proof: 'd'.repeat(64) })}\n`);
      });
    });
    await new Promise<void>((resolve) => impostor.listen(server.path, resolve));
    try {
      expect(await AppConnection.open(dataDir, {})).toBeNull();
      // It heard the hello's nonce and nothing more: no request, no URL, no password.
      expect(heard.join('').trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(heard.join(''))).toMatchObject({ kind: 'hello' });
    } finally {
      await new Promise<void>((resolve) => impostor.close(() => resolve()));
    }
    // With the key gone (another user's home, a copied socket), nothing is even tried.
    unlinkSync(handoffKeyPath(dataDir));
    expect(await server.listen()).toBe(true);
    chmodSync(handoffKeyPath(dataDir), 0o644);
    expect(await AppConnection.open(dataDir, {})).toBeNull();
  });
});

describe('handoffSocketPath', () => {
  it('is in the data home, a runtime-folder socket for a home too long for one, a named pipe on Windows', () => {
    expect(handoffSocketPath('/home/me/.local/share/pathwise', 'linux', {})).toBe(
      '/home/me/.local/share/pathwise/pathwise.sock',
    );
    const long = `/home/me/${'x'.repeat(120)}`;
    const runtime = handoffSocketPath(long, 'linux', { XDG_RUNTIME_DIR: '/run/user/1000' });
    expect(runtime).toMatch(/^\/run\/user\/1000\/pathwise-\d+-[0-9a-f]{16}\.sock$/);
    expect(handoffSocketPath(long, 'linux', { XDG_RUNTIME_DIR: '/run/user/1000' })).toBe(runtime);
    const pipe = handoffSocketPath('C:\\Users\\me\\AppData\\Roaming\\Pathwise', 'win32', { USERNAME: 'me' });
    expect(pipe).toMatch(/^\\\\\.\\pipe\\pathwise-me-[0-9a-f]{16}$/);
  });
});
