/**
 * Bench driver for "warm" downloads: the tool is already running when the download is asked for,
 * as in the desktop app (Pathwise's tray app and `pathwise serve` share one core) and in aria2's
 * RPC daemon. Runs inside the bench's client namespace (bench/run.ts spawns it there):
 *
 *   node bench/warm.ts pathwise|aria2 URL OUT_DIR FILE_NAME ADDRESS,ADDRESS [EARLIER_URL]
 *
 * Starts the daemon, waits until it answers, (with EARLIER_URL: has it download that file first
 * and waits a second, as a tray app that has been in use), asks for the download and prints
 * `started <epoch ms>` (the bench times its fault from that line), then one JSON line when the
 * download ended: {"seconds", "ok", "error"?}. The daemon is stopped before this exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import WebSocket from 'ws';
import { PATHWISE_BIN } from '../test/support/cli.ts';

interface Outcome {
  seconds: number;
  ok: boolean;
  error?: string;
}

const [tool, url, outDir, fileName, addresses, earlierUrl] = process.argv.slice(2);
if (!tool || !url || !outDir || !fileName || !addresses) {
  process.stderr.write(
    'usage: node bench/warm.ts pathwise|aria2 URL OUT_DIR FILE_NAME ADDRESS,ADDRESS [EARLIER_URL]\n',
  );
  process.exit(2);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * With EARLIER_URL: that download first and a second's pause (a tool in use); then the measured
 * download (the one that prints `started`), whose outcome this returns.
 */
async function earlierThenMeasured(
  download: (from: string, name: string, measured: boolean) => Promise<Outcome>,
): Promise<Outcome> {
  if (earlierUrl) {
    await download(earlierUrl, `earlier-${fileName}`, false);
    await sleep(1000);
  }
  return download(url as string, fileName as string, true);
}

/** Resolves with the first stdout line of `child` that matches, or rejects when it exits first. */
function lineMatching(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (data: Buffer): void => {
      buffered += data.toString();
      const match = pattern.exec(buffered);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`exited (${code}) before printing ${pattern}: ${buffered}`)),
    );
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function openSocket(address: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(address, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Pathwise's running core, reached over the same contract the dashboard uses. */
async function pathwise(): Promise<Outcome> {
  const daemon = spawn(PATHWISE_BIN, ['serve', '--port', '0'], {
    env: { ...process.env, XDG_DOWNLOAD_DIR: outDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [, dashboard] = await lineMatching(daemon, /Pathwise dashboard: (\S+)\n/);
    const page = new URL(dashboard as string);
    // The host wants an Origin of its own on every WebSocket, as a browser sends.
    const ws = await openSocket(`ws://${page.host}/ws?token=${page.searchParams.get('token')}`, page.origin);
    let nextId = 1;
    const pending = new Map<number, (message: { ok: boolean; value?: unknown; error?: unknown }) => void>();
    let transferId: string | null = null;
    let finished: ((outcome: Outcome) => void) | null = null;
    let startedEpoch = 0;
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as {
        kind: string;
        id?: number;
        ok?: boolean;
        value?: unknown;
        error?: unknown;
        channel?: string;
        payload?: unknown;
      };
      if (message.kind === 'result') {
        pending.get(message.id as number)?.(message as { ok: boolean });
        pending.delete(message.id as number);
      } else if (message.kind === 'event' && message.channel === 'transfers' && transferId) {
        const info = (
          message.payload as Array<{ id: string; state: string; finishedAt: number | null; error?: unknown }>
        ).find((t) => t.id === transferId);
        if (info && (info.state === 'done' || info.state === 'failed')) {
          // The core's own finish time: pushes are batched, the clock is the same machine's.
          finished?.({
            seconds: ((info.finishedAt ?? Date.now()) - startedEpoch) / 1000,
            ok: info.state === 'done',
            ...(info.state === 'failed' ? { error: JSON.stringify(info.error) } : {}),
          });
        }
      }
    });
    const invoke = (channel: string, args: unknown[]): Promise<unknown> =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, (message) =>
          message.ok ? resolve(message.value) : reject(new Error(JSON.stringify(message.error))),
        );
        ws.send(JSON.stringify({ kind: 'invoke', id, channel, args }));
      });
    // Answers once the core is up (paths read, ledger open): now it is warm.
    await invoke('paths.list', []);
    const download = async (from: string, name: string, measured: boolean): Promise<Outcome> => {
      // Until this transfer's id is known, no pushed list may end it: the earlier download is
      // still in every list, done.
      transferId = null;
      const done = new Promise<Outcome>((resolve) => (finished = resolve));
      startedEpoch = Date.now();
      if (measured) process.stdout.write(`started ${startedEpoch}\n`);
      const info = (await invoke('transfers.start', [
        { url: from, fileName: name, mode: 'aggregate', paths: ['wlan0', 'wwan0'] },
      ])) as { id: string };
      transferId = info.id;
      return done;
    };
    const outcome = await earlierThenMeasured(download);
    ws.close();
    return outcome;
  } finally {
    await stop(daemon);
  }
}

/** aria2's RPC daemon with the options the bench gives aria2c, asked over its WebSocket RPC. */
async function aria2(): Promise<Outcome> {
  const port = 6800 + Math.floor(Math.random() * 1000);
  const daemon = spawn(
    'aria2c',
    [
      '--enable-rpc',
      `--rpc-listen-port=${port}`,
      '--rpc-listen-all=false',
      '-x2',
      '-s2',
      `--multiple-interface=${addresses}`,
      '-d',
      outDir as string,
      '--file-allocation=none',
      '--allow-overwrite=true',
      '--auto-file-renaming=false',
      '--max-tries=0',
      '--console-log-level=warn',
      '--summary-interval=0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    let ws: WebSocket | null = null;
    for (let i = 0; i < 200 && !ws; i++) {
      ws = await openSocket(`ws://127.0.0.1:${port}/jsonrpc`).catch(() => null);
      if (!ws) await new Promise((r) => setTimeout(r, 25));
    }
    if (!ws) throw new Error('aria2 RPC did not start');
    const socket = ws;
    let startedAt = 0;
    let finished: ((outcome: Outcome) => void) | null = null;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { method?: string };
      if (message.method === 'aria2.onDownloadComplete')
        finished?.({ seconds: (performance.now() - startedAt) / 1000, ok: true });
      if (message.method === 'aria2.onDownloadError')
        finished?.({
          seconds: (performance.now() - startedAt) / 1000,
          ok: false,
          error: 'aria2 download error',
        });
    });
    const download = (from: string, name: string, measured: boolean): Promise<Outcome> => {
      const done = new Promise<Outcome>((resolve) => (finished = resolve));
      startedAt = performance.now();
      if (measured) process.stdout.write(`started ${Date.now()}\n`);
      socket.send(
        JSON.stringify({ jsonrpc: '2.0', id: name, method: 'aria2.addUri', params: [[from], { out: name }] }),
      );
      return done;
    };
    const outcome = await earlierThenMeasured(download);
    ws.close();
    return outcome;
  } finally {
    await stop(daemon);
  }
}

const outcome = await (tool === 'aria2' ? aria2() : pathwise()).catch((error: unknown): Outcome => ({
  seconds: Number.NaN,
  ok: false,
  error: String(error),
}));
process.stdout.write(`${JSON.stringify(outcome)}\n`);
if (!outcome.ok) process.exitCode = 1;
