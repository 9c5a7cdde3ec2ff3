import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Alert, TransferInfo } from '../../common/contract.ts';
import { PATHWISE_BIN, runPathwise, testEnv, type CliResult } from '../support/cli.ts';
import { startLabRangeServer } from '../support/labServer.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';
import { deterministicContent, sha256 } from '../support/rangeServer.ts';
import { startServe, type Served } from '../support/serve.ts';

const SIZE = 8_000_000;
const SEED = 22;
const URL_ = `http://${SERVER_ADDRESS}:8080/file.bin`;

/*
 * Issue 22: `pathwise get` while `pathwise serve` runs on a laptop with two paths. The download
 * runs in serve's engine over both paths; serve's ledger books it and raises its alert; Ctrl-C
 * pauses it there; --detach leaves it there.
 */
let lab: NetLab;
let serve: Served;
let dataDir: string;

const env = (): NodeJS.ProcessEnv => ({
  PATHWISE_DATA_DIR: dataDir,
  PATHWISE_PROBE_URL: `http://${SERVER_ADDRESS}:8080/generate_204`,
});
const cli = (args: string[]): Promise<CliResult> => runPathwise(args, { netns: lab.client, env: env() });
const listed = async (): Promise<TransferInfo[]> =>
  JSON.parse((await cli(['transfers', '--json'])).stdout) as TransferInfo[];
const outDir = (): string => mkdtempSync(join(tmpdir(), 'pw-handoff-out-'));

describeNeeding(netnsNeeds())('pathwise get handed to a running pathwise serve, in namespaces', () => {
  beforeAll(async () => {
    lab = await NetLab.create([
      { name: 'wlan0', downMbit: 40 },
      { name: 'wwan0', downMbit: 30 },
    ]);
    await startLabRangeServer(lab, SIZE, SEED);
    dataDir = mkdtempSync(join(tmpdir(), 'pw-handoff-net-'));
    serve = await startServe({ netns: lab.client, env: env() });
  });
  afterAll(async () => {
    await serve?.stop();
    await lab?.destroy();
  });

  it('runs in serve’s engine over both paths, and serve’s ledger books it and raises the alert', () =>
    handedOverBothPaths());

  it('Ctrl-C pauses it in serve and exits 130', () => stoppedByCtrlC());

  it('--detach leaves it to serve, which finishes it', () => detachedToServe());
});

async function handedOverBothPaths(): Promise<void> {
  const file = join(outDir(), 'f.bin');
  const run = await cli(['get', URL_, '-o', file, '--json', '--paths', 'wlan0,wwan0']);
  expect(run.code, run.stderr).toBe(0);
  const done = JSON.parse(run.stdout.trim().split('\n').pop() as string) as {
    status: string;
    sha256: string;
    paths: Record<string, { bytes: number }>;
  };
  expect(done).toMatchObject({ status: 'done', sha256: sha256(deterministicContent(SIZE, SEED)) });
  expect(done.paths['wlan0']?.bytes).toBeGreaterThan(0);
  expect(done.paths['wwan0']?.bytes).toBeGreaterThan(0);
  expect(readFileSync(file).length).toBe(SIZE);
  // One engine: serve's lists it (the command ran none of its own).
  expect(await listed()).toEqual(
    expect.arrayContaining([expect.objectContaining({ file, state: 'done', received: SIZE })]),
  );
  // serve's ledger has the bytes (it flushes every 2 s) and the alert.
  let booked = 0;
  for (let i = 0; i < 50 && booked < SIZE; i++) {
    const usage = JSON.parse((await cli(['usage', '--json'])).stdout) as {
      paths: Array<{ name: string; appBytes: number }>;
    };
    booked = usage.paths
      .filter((p) => p.name === 'wlan0' || p.name === 'wwan0')
      .reduce((n, p) => n + p.appBytes, 0);
    if (booked < SIZE) await new Promise((r) => setTimeout(r, 200));
  }
  expect(booked).toBeGreaterThanOrEqual(SIZE);
  const alerts = JSON.parse((await cli(['alerts', '--json'])).stdout) as Alert[];
  expect(alerts.some((a) => a.kind === 'transfer-done')).toBe(true);
}

async function stoppedByCtrlC(): Promise<void> {
  const file = join(outDir(), 'slow.bin');
  await lab.shape('wlan0', 4);
  await lab.shape('wwan0', 4);
  try {
    const child = lab.spawnIn('client', PATHWISE_BIN, ['get', URL_, '-o', file, '--json'], {
      env: testEnv(env()),
    });
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"type":"progress"')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, err).toBe(130);
    expect(JSON.parse(out.trim().split('\n').pop() as string)).toMatchObject({ status: 'paused', file });
    expect((await listed()).find((t) => t.file === file)?.state).toBe('paused');
  } finally {
    await lab.shape('wlan0', 40);
    await lab.shape('wwan0', 30);
  }
}

async function detachedToServe(): Promise<void> {
  const detached = await cli(['get', URL_, '-o', join(outDir(), 'later.bin'), '--detach', '--json']);
  expect(detached.code, detached.stderr).toBe(0);
  const { id } = JSON.parse(detached.stdout) as { id: string };
  let state = '';
  for (let i = 0; i < 100 && state !== 'done'; i++) {
    state = (await listed()).find((t) => t.id === id)?.state ?? '';
    if (state !== 'done') await new Promise((r) => setTimeout(r, 200));
  }
  expect(state).toBe('done');
}
