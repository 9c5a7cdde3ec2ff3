import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert, TransferInfo } from '../../common/contract.ts';
import { createPathwise, type Pathwise } from '../../main/core/createPathwise.ts';
import { attachHandoff } from '../../main/host/HandoffServer.ts';
import { handoffSocketPath } from '../../main/host/handoffProtocol.ts';
import { tempDir, until } from '../support/engineLab.ts';
import {
  deterministicContent,
  isProbe,
  sha256,
  startRangeServer,
  type RangeServer,
} from '../support/rangeServer.ts';
import { cli, type CliRun } from './inProcess.ts';

/*
 * `pathwise get` with the app's core running in this process (as `pathwise serve` runs it): the
 * command line reaches it over the data home's socket, and the download runs in the core's engine.
 */
const SIZE = 1_500_000;
const content = deterministicContent(SIZE, 77);
let server: RangeServer;
let app: Pathwise;
let dataDir: string;
let alerts: Alert[];
let warnings: string[];

beforeEach(async () => {
  server = await startRangeServer(content);
  dataDir = tempDir();
  app = await createPathwise({
    shell: 'headless',
    dataDir,
    env: { PATHWISE_PROBE_URL: 'http://127.0.0.1:9/' },
    monitor: { pollIntervalMs: 60_000 },
  });
  alerts = [];
  warnings = [];
  app.service.subscribe((channel, payload) => {
    if (channel === 'alert') alerts.push(payload as Alert);
  });
  attachHandoff(app, (warning) => warnings.push(warning));
  await app.service.start();
});

afterEach(async () => {
  await app.service.stop();
  await server.close();
});

function lines(run: CliRun): Array<Record<string, unknown>> {
  return run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The core's bytes on a path, as its ledger has booked them. */
function bookedBytes(path: string): number {
  app.ledger?.flush();
  return (
    app.ledger?.history({ resolution: 'minute', from: 0, to: Date.now() + 120_000, paths: [path] }) ?? []
  )
    .map((p) => p.appBytes)
    .reduce((a, b) => a + b, 0);
}

describe('pathwise get with the app running: the download is handed to it', () => {
  it('listens on a socket in the data home that only this user can open', () => {
    const socket = handoffSocketPath(dataDir);
    expect(socket).toBe(join(dataDir, 'pathwise.sock'));
    const stat = statSync(socket);
    expect(stat.isSocket()).toBe(true);
    expect(stat.mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([]);
  });

  it('runs in the app’s engine, its ledger books the bytes, its alert is a push; the command prints as ever', async () => {
    const file = join(tempDir(), 'handed.bin');
    const run = await cli(['get', server.url, '-o', file, '--json', '--data-dir', dataDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const all = lines(run);
    expect(all.at(-1)).toMatchObject({
      status: 'done',
      file,
      bytes: SIZE,
      sha256: sha256(content),
      fetchedBytes: SIZE,
      resumedBytes: 0,
      paths: { lo: { bytes: SIZE, mode: expect.stringMatching(/device|address/) } },
    });
    expect(all.some((l) => l['type'] === 'state' && l['state'] === 'running')).toBe(true);
    expect(readFileSync(file).equals(content)).toBe(true);
    // One engine: the app's. It lists the download, and its ledger has the bytes.
    const listed = (await app.service.invoke('transfers.list', [])) as TransferInfo[];
    expect(listed).toEqual([expect.objectContaining({ file, state: 'done', received: SIZE })]);
    expect(app.handed.list()).toHaveLength(1);
    expect(bookedBytes('lo')).toBeGreaterThanOrEqual(SIZE);
    // The app's ledger turned its end into an alert, pushed to every UI (a notification in Electron).
    await until(() => alerts.some((a) => a.kind === 'transfer-done'), 10_000, 'the transfer-done alert');
  });

  it('prints the same summary as a download run in the command itself', async () => {
    const dir = tempDir();
    const handed = await cli(['get', server.url, '-o', join(dir, 'a.bin'), '--data-dir', dataDir]);
    process.env['PATHWISE_NO_HANDOFF'] = '1';
    let local: CliRun;
    try {
      local = await cli(['get', server.url, '-o', join(dir, 'b.bin'), '--data-dir', dataDir]);
    } finally {
      delete process.env['PATHWISE_NO_HANDOFF'];
    }
    expect(app.handed.list()).toHaveLength(1);
    const shape = (text: string): string =>
      text
        .replace(/[ab]\.bin/, 'X.bin')
        .replace(/in [\d.]+ ?m?s/, 'in T')
        .replace(/\[bound by \w+, [^\]]+\]/g, '[B]');
    expect(handed.code).toBe(local.code);
    expect(shape(handed.stdout)).toBe(shape(local.stdout));
    expect(handed.stdout).toContain(`sha256 ${sha256(content)}`);
  });

  it('fails at a cap with the same line and exit code as ever (7), the part kept', async () => {
    const file = join(tempDir(), 'capped.bin');
    const run = await cli([
      'get',
      server.url,
      '-o',
      file,
      '--json',
      '--cap',
      'lo=500k',
      '--data-dir',
      dataDir,
    ]);
    expect(run.code).toBe(7);
    expect(lines(run).at(-1)).toMatchObject({ status: 'failed', error: { code: 'E_CAP_REACHED' } });
    expect(run.stderr).toMatch(/kept in .*capped\.bin\.part for resuming\. \[E_CAP_REACHED\]/);
    expect(app.handed.list()).toEqual([expect.objectContaining({ state: 'failed' })]);
  });
});

describe('pathwise get with the app running: refusals, Ctrl-C and --detach', () => {
  it('says the engine’s refusal (an existing file) as ever, exit 6', async () => {
    const dir = tempDir();
    const first = await cli(['get', server.url, '-o', join(dir, 'f.bin'), '--data-dir', dataDir]);
    expect(first.code).toBe(0);
    const again = await cli(['get', server.url, '-o', join(dir, 'f.bin'), '--data-dir', dataDir]);
    expect(again.code).toBe(6);
    expect(again.stderr).toContain('E_EXISTS');
  });

  it('Ctrl-C pauses the app’s download (its part kept) and exits 130, as ever', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Only the probe is answered: the download runs, then waits on its ranges.
    server.behaviour.onRequest = (log) => (isProbe(log) ? undefined : held);
    const file = join(tempDir(), 'stopped.bin');
    const running = cli(['get', server.url, '-o', file, '--json', '--data-dir', dataDir]);
    await until(() => app.handed.list()[0]?.state === 'running', 10_000, 'the handed download running');
    process.emit('SIGINT');
    const run = await running;
    release();
    expect(run.code).toBe(130);
    expect(lines(run).at(-1)).toMatchObject({ status: 'paused', file });
    expect(run.stderr).toMatch(/Stopped; .* are kept\. Run the same command again to resume\./);
    expect(app.handed.list()[0]?.state).toBe('paused');
    expect(existsSync(`${file}.part`)).toBe(true);
  });

  it('--detach leaves the download to the app and prints its id', async () => {
    const file = join(tempDir(), 'detached.bin');
    const run = await cli(['get', server.url, '-o', file, '--detach', '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(app.handed.list().map((t) => t.id)).toEqual([id]);
    expect(run.stderr).toContain('pathwise transfers');
    await until(() => app.handed.list()[0]?.state === 'done', 20_000, 'the detached download done');
    expect(readFileSync(file).equals(content)).toBe(true);
  });
});

describe('pathwise get without a running app', () => {
  it('runs in the command when the socket is stale (its app died), and the next app takes the socket over', async () => {
    await app.service.stop();
    const socket = handoffSocketPath(dataDir);
    // A socket file nobody answers on, as a crashed app leaves it.
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    await new Promise((resolve) => child.once('exit', resolve));
    expect(statSync(socket).isSocket()).toBe(true);
    const file = join(tempDir(), 'local.bin');
    const run = await cli(['get', server.url, '-o', file, '--data-dir', dataDir]);
    expect(run.code).toBe(0);
    expect(readFileSync(file).equals(content)).toBe(true);
    expect(app.handed.list()).toHaveLength(0);
    const detach = await cli(['get', server.url, '-o', tempDir(), '--detach', '--data-dir', dataDir]);
    expect(detach.code).toBe(1);
    expect(detach.stderr).toMatch(/none is running.*\[E_UNAVAILABLE\]/);
    // A new app removes the stale file and listens.
    const next = await createPathwise({
      shell: 'headless',
      dataDir,
      env: {},
      monitor: { pollIntervalMs: 60_000 },
    });
    const taken: string[] = [];
    attachHandoff(next, (w) => taken.push(w));
    await next.service.start();
    try {
      expect(taken).toEqual([]);
      const listed = await cli(['transfers', '--data-dir', dataDir]);
      expect(listed).toMatchObject({ code: 0, stdout: 'No downloads.\n' });
    } finally {
      await next.service.stop();
    }
  });

  it('a second app on the same data home leaves the socket to the first, and says so', async () => {
    const second = await createPathwise({
      shell: 'headless',
      dataDir,
      env: {},
      monitor: { pollIntervalMs: 60_000 },
    });
    const said: string[] = [];
    attachHandoff(second, (w) => said.push(w));
    await second.service.start();
    await second.service.stop();
    expect(said).toEqual([expect.stringContaining('Another Pathwise already answers command lines')]);
    // The first still answers.
    expect((await cli(['transfers', '--data-dir', dataDir])).code).toBe(0);
  });
});

describe('pathwise transfers', () => {
  it('lists, pauses, resumes and cancels the app’s downloads by a unique beginning of their id', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    server.behaviour.onRequest = (log) => (isProbe(log) ? undefined : held);
    const started = await cli(['get', server.url, '-o', tempDir(), '--detach', '--data-dir', dataDir]);
    const id = started.stdout.trim();
    await until(() => app.handed.list()[0]?.state === 'running', 10_000, 'running');
    const list = await cli(['transfers', 'list', '--data-dir', dataDir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`^ID +STATE +PROGRESS +RATE +FILE\\n${id.slice(0, 8)} +running +`),
    );
    const json = await cli(['transfers', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ id, state: 'running' })]);
    const paused = await cli(['transfers', 'pause', id.slice(0, 6), '--json', '--data-dir', dataDir]);
    expect(JSON.parse(paused.stdout)).toMatchObject({ id, state: 'paused' });
    release();
    server.behaviour.onRequest = null;
    const resumed = await cli(['transfers', 'resume', id, '--data-dir', dataDir]);
    expect(resumed.code).toBe(0);
    await until(() => app.handed.list()[0]?.state === 'done', 20_000, 'done after resume');
    const cancelled = await cli(['transfers', 'cancel', id, '--json', '--data-dir', dataDir]);
    expect(cancelled.code).toBe(0);
  });

  it('names a missing download, and refuses a missing ID', async () => {
    const missing = await cli(['transfers', 'pause', 'nope', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no download "nope".*\[E_NOT_FOUND\]/);
    const usage = await cli(['transfers', 'cancel', '--data-dir', dataDir]);
    expect(usage.code).toBe(2);
  });

  it('says no app is running when none is, exit 1', async () => {
    const run = await cli(['transfers', '--data-dir', tempDir()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^pathwise: No Pathwise app is running .*\[E_UNAVAILABLE\]\n$/);
  });
});
