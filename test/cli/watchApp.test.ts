import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PathEvent, PathInfo } from '../../common/contract.ts';
import type { Pathwise } from '../../main/core/createPathwise.ts';
import { handoffSocketPath } from '../../main/host/handoffProtocol.ts';
import { proveKey } from '../support/handoffHandshake.ts';
import { PATHWISE_BIN, testEnv } from '../support/cli.ts';
import { tempDir, until } from '../support/engineLab.ts';
import { startRunningApp } from '../support/runningApp.ts';

/*
 * `pathwise watch` with the app running: it prints the app's path events, so it hears what only the
 * app's monitor knows (its downloads' stalls mark a path suspect at once), and goes on by itself
 * when the app stops.
 */
let app: Pathwise;
let dataDir: string;
let stopped = false;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dataDir = tempDir();
  stopped = false;
  app = await startRunningApp(dataDir);
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
  if (!stopped) await app.service.stop();
});

/** `pathwise watch --json` in its own process, its stdout lines and stderr as they come. */
function watch(): { lines: string[]; stderr: () => string; child: ChildProcess } {
  const child = spawn(PATHWISE_BIN, ['watch', '--json'], {
    env: testEnv({ PATHWISE_DATA_DIR: dataDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  let buffered = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  });
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { lines, stderr: () => err, child };
}

const stall: PathEvent = {
  type: 'health-changed',
  name: 'lo',
  at: '2026-12-06T07:00:00.000Z',
  state: 'suspect',
  reason: 'a download stalled on it',
};

describe('pathwise watch with the app running', () => {
  it('prints the app’s paths, then the events only the app’s monitor has', async () => {
    const w = watch();
    const appPaths = (await app.service.invoke('paths.list', [])) as PathInfo[];
    // The app's paths first, as a watch of its own would announce them.
    await until(() => w.lines.length >= appPaths.length, 60_000, 'the app’s paths');
    const added = w.lines.slice(0, appPaths.length).map((l) => JSON.parse(l) as PathEvent);
    expect(added.map((e) => [e.type, e.name])).toEqual(appPaths.map((p) => ['path-added', p.name]));
    // A verdict the app reached (here published as its monitor publishes one) reaches the watch.
    await until(
      () => {
        app.service.publish('pathEvent', stall);
        return w.lines.some((l) => (JSON.parse(l) as PathEvent).reason === stall.reason);
      },
      60_000,
      'the app’s event',
    );
    const seen = w.lines.map((l) => JSON.parse(l) as PathEvent).find((e) => e.reason === stall.reason);
    expect(seen).toEqual(stall);
  });

  it('goes on with a monitor of its own when the app stops, and says so', async () => {
    const w = watch();
    await until(() => w.lines.length > 0, 60_000, 'the app’s paths');
    stopped = true;
    await app.service.stop();
    await until(() => /watching from here/.test(w.stderr()), 60_000, 'the notice');
    // Its own monitor announces the paths again.
    const before = w.lines.length;
    await until(() => w.lines.length > before, 60_000, 'its own paths');
    expect(w.child.exitCode).toBeNull();
  });
});

describe('the watch over the socket', () => {
  it('stops sending to a watcher that stopped reading, instead of queueing without end', async () => {
    const socket = connect(handoffSocketPath(dataDir));
    await once(socket, 'connect');
    await proveKey(socket, dataDir);
    socket.write(`${JSON.stringify({ kind: 'watch', id: 1 })}\n`);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await until(() => received.includes('"kind":"result"'), 60_000, 'the answer');
    socket.pause();
    const closed = once(socket, 'close');
    const sent = 20_000;
    const big: PathEvent = { ...stall, reason: 'x'.repeat(200) };
    for (let i = 0; i < sent; i++) app.service.publish('pathEvent', big);
    socket.resume();
    await closed;
    const events = received.split('\n').filter((l) => l.includes('"path-event"')).length;
    expect(events).toBeGreaterThan(0);
    expect(events).toBeLessThan(sent);
  });
});
