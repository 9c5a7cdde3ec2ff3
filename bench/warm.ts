/**
 * Bench driver for "warm" downloads: the tool is already running when the download is asked for,
 * as in the desktop app (Pathwise's tray app and `pathwise serve` share one core) and in aria2's
 * RPC daemon. Runs inside the bench's client namespace (bench/run.ts spawns it there):
 *
 *   node bench/warm.ts pathwise|pathwise-get|aria2 URL OUT_DIR FILE_NAME ADDRESS,ADDRESS
 *        [--earlier URL] [--connections N] [--deadline-ms MS]
 *
 * Starts the daemon, waits until it answers, (with --earlier: has it download that file first
 * and waits a second, as a tray app that has been in use), asks for the download and prints
 * `started <epoch ms>` (the bench times its fault from that line), then one JSON line when the
 * download ended: {"seconds", "ok", "error"?}. The daemon is stopped before this exits.
 *
 * Both tools are timed on one clock, this process's: from just before the request is sent to the
 * first message the daemon sends saying the download ended (aria2: its onDownloadComplete or
 * onDownloadError notification; Pathwise: its transfer-done or transfer-failed alert, pushed as
 * the state changes, or the transfer list showing it, whichever comes first). --connections is
 * aria2's count in all (Pathwise's core opens its own default per path); past --deadline-ms the
 * download counts as failed ("timed out").
 *
 * `pathwise-get` is what a user does with the app running: types `pathwise get` in a shell, which
 * hands the download to the app over its local socket (issue 22). Timed from the command's spawn to
 * its exit (its Node start-up included, the engine's not), then checked to be in the app's list.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { PATHWISE_BIN } from '../test/support/cli.ts';
import { ARIA2_RESILIENCE, aria2ConnectionArgs } from './tools/aria2Options.ts';

interface Outcome {
  seconds: number;
  ok: boolean;
  error?: string;
}

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    earlier: { type: 'string' },
    connections: { type: 'string', default: '4' },
    'deadline-ms': { type: 'string', default: '600000' },
  },
});
const [tool, url, outDir, fileName, addresses] = positionals;
if (!tool || !url || !outDir || !fileName || !addresses) {
  process.stderr.write(
    'usage: node bench/warm.ts pathwise|pathwise-get|aria2 URL OUT_DIR FILE_NAME ADDRESS,ADDRESS [--earlier URL] [--connections N] [--deadline-ms MS]\n',
  );
  process.exit(2);
}
const deadlineMs = Number(flags['deadline-ms']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Clock<T> {
  /** What sending the request returned. */
  sent: T;
  /** The daemon said the download ended: stops the clock (only its first call counts). */
  ended: (ok: boolean, error?: string) => void;
  outcome: Promise<Outcome>;
}

/** Starts the clock and sends the request; the outcome settles at the first word that it ended, or at the deadline. */
function clocked<T>(send: () => T, measured: boolean): Clock<T> {
  let settle: (outcome: Outcome) => void = () => undefined;
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  const startedAt = performance.now();
  const ended = (ok: boolean, error?: string): void => {
    clearTimeout(timer);
    settle({ seconds: (performance.now() - startedAt) / 1000, ok, ...(error ? { error } : {}) });
  };
  const timer = setTimeout(() => ended(false, `timed out after ${deadlineMs / 1000} s`), deadlineMs);
  if (measured) process.stdout.write(`started ${Date.now()}\n`);
  return { sent: send(), ended, outcome };
}

/**
 * With --earlier: that download first and a second's pause (a tool in use); then the measured
 * download (the one that prints `started`), whose outcome this returns.
 */
async function earlierThenMeasured(
  download: (from: string, name: string, measured: boolean) => Promise<Outcome>,
): Promise<Outcome> {
  if (flags.earlier) {
    await download(flags.earlier, `earlier-${fileName}`, false);
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

/** What the running core pushes or answers over the dashboard's WebSocket. */
interface CoreMessage {
  kind: string;
  id?: number;
  ok?: boolean;
  value?: unknown;
  error?: unknown;
  channel?: string;
  payload?: unknown;
}

/**
 * The first push saying the measured transfer ended: its alert (raised as the state changes, so
 * not held back by the transfer list's ~4-a-second throttle; named by file, whose alert message
 * starts with the file's name), or the list once it shows the transfer done or failed.
 */
function endOf(
  message: CoreMessage,
  name: string,
  transferId: string | null,
): { ok: boolean; error?: string } | null {
  if (message.kind !== 'event') return null;
  if (message.channel === 'alert') {
    const alert = message.payload as { kind: string; message: string };
    const ours = alert.message.startsWith(`${name} `) || alert.message.startsWith(`${name}:`);
    if (ours && alert.kind === 'transfer-done') return { ok: true };
    if (ours && alert.kind === 'transfer-failed') return { ok: false, error: alert.message };
  }
  if (message.channel === 'transfers' && transferId) {
    const list = message.payload as Array<{ id: string; state: string; error?: unknown }>;
    const info = list.find((t) => t.id === transferId);
    if (info?.state === 'done') return { ok: true };
    if (info?.state === 'failed') return { ok: false, error: JSON.stringify(info.error) };
  }
  return null;
}

/** The download the core is being watched for: its file name, and its id once the start is answered. */
interface Watched {
  name: string;
  transferId: string | null;
  ended: (ok: boolean, error?: string) => void;
}

/** A WebSocket to the running core: invoke a contract channel; `watch` a download until it ends. */
function coreSession(ws: WebSocket): {
  invoke: (channel: string, args: unknown[]) => Promise<unknown>;
  watch: (download: Watched) => void;
} {
  let nextId = 1;
  const pending = new Map<number, (message: CoreMessage) => void>();
  let watched: Watched | null = null;
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as CoreMessage;
    if (message.kind === 'result') {
      pending.get(message.id as number)?.(message);
      pending.delete(message.id as number);
    }
    const end = watched ? endOf(message, watched.name, watched.transferId) : null;
    if (watched && end) {
      watched.ended(end.ok, end.error);
      watched = null;
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
  return { invoke, watch: (download) => (watched = download) };
}

/** Pathwise's running core, reached over the same contract the dashboard uses. */
async function pathwise(): Promise<Outcome> {
  const { daemon, core, ws } = await startServe();
  try {
    const download = (from: string, name: string, measured: boolean): Promise<Outcome> => {
      const request = { url: from, fileName: name, mode: 'aggregate', paths: ['wlan0', 'wwan0'] };
      const clock = clocked(() => core.invoke('transfers.start', [request]), measured);
      // Until this transfer's id is known only its alert can end it: the earlier download is
      // still in every pushed list, done.
      const watched: Watched = { name, transferId: null, ended: clock.ended };
      core.watch(watched);
      clock.sent.then(
        (info) => (watched.transferId = (info as { id: string }).id),
        (error: unknown) => clock.ended(false, `transfers.start failed: ${String(error)}`),
      );
      return clock.outcome;
    };
    const outcome = await earlierThenMeasured(download);
    ws.close();
    return outcome;
  } finally {
    await stop(daemon);
  }
}

/** `pathwise serve` started and answering over the dashboard's WebSocket. */
async function startServe(): Promise<{
  daemon: ChildProcess;
  core: ReturnType<typeof coreSession>;
  ws: WebSocket;
}> {
  const daemon = spawn(PATHWISE_BIN, ['serve', '--port', '0'], {
    env: { ...process.env, XDG_DOWNLOAD_DIR: outDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [, dashboard] = await lineMatching(daemon, /Pathwise dashboard: (\S+)\n/);
    const page = new URL(dashboard as string);
    // The host wants an Origin of its own on every WebSocket, as a browser sends.
    const ws = await openSocket(`ws://${page.host}/ws?token=${page.searchParams.get('token')}`, page.origin);
    const core = coreSession(ws);
    // Answers once the core is up (paths read, ledger open): now it is warm.
    await core.invoke('paths.list', []);
    return { daemon, core, ws };
  } catch (error) {
    await stop(daemon);
    throw error;
  }
}

/** `pathwise get` from a shell while the app runs: handed to it, timed from spawn to exit. */
async function pathwiseHanded(): Promise<Outcome> {
  const { daemon, core, ws } = await startServe();
  try {
    const download = async (from: string, name: string, measured: boolean): Promise<Outcome> => {
      const args = ['get', from, '-o', `${outDir}/${name}`, '--paths', 'wlan0,wwan0', '--quiet'];
      const clock = clocked(
        () => spawn(PATHWISE_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] }),
        measured,
      );
      let stderr = '';
      clock.sent.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
      clock.sent.once('exit', (code) =>
        clock.ended(code === 0, code === 0 ? undefined : `exit ${code}: ${stderr}`),
      );
      const outcome = await clock.outcome;
      await stop(clock.sent);
      // Handed, not run in its own process: the app lists it.
      const listed = (await core.invoke('transfers.list', [])) as Array<{ file: string }>;
      if (outcome.ok && !listed.some((t) => t.file.endsWith(`/${name}`))) {
        return { ...outcome, ok: false, error: 'the download was not handed to the running app' };
      }
      return outcome;
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
      ...aria2ConnectionArgs(Number(flags.connections)),
      ...ARIA2_RESILIENCE,
      `--multiple-interface=${addresses}`,
      '-d',
      outDir as string,
      '--file-allocation=none',
      '--allow-overwrite=true',
      '--auto-file-renaming=false',
      '--console-log-level=warn',
      '--summary-interval=0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    let ws: WebSocket | null = null;
    for (let i = 0; i < 200 && !ws; i++) {
      ws = await openSocket(`ws://127.0.0.1:${port}/jsonrpc`).catch(() => null);
      if (!ws) await sleep(25);
    }
    if (!ws) throw new Error('aria2 RPC did not start');
    const socket = ws;
    let ended: ((ok: boolean, error?: string) => void) | null = null;
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { method?: string };
      if (message.method === 'aria2.onDownloadComplete') ended?.(true);
      if (message.method === 'aria2.onDownloadError') ended?.(false, 'aria2 download error');
    });
    const download = (from: string, name: string, measured: boolean): Promise<Outcome> => {
      const request = { jsonrpc: '2.0', id: name, method: 'aria2.addUri', params: [[from], { out: name }] };
      const clock = clocked(() => socket.send(JSON.stringify(request)), measured);
      ended = clock.ended;
      return clock.outcome;
    };
    const outcome = await earlierThenMeasured(download);
    ws.close();
    return outcome;
  } finally {
    await stop(daemon);
  }
}

const drivers: Record<string, () => Promise<Outcome>> = {
  aria2,
  pathwise,
  'pathwise-get': pathwiseHanded,
};
const outcome = await (
  drivers[tool] ?? ((): Promise<Outcome> => Promise.reject(new Error(`unknown tool ${tool}`)))
)().catch((error: unknown): Outcome => ({
  seconds: Number.NaN,
  ok: false,
  error: String(error),
}));
process.stdout.write(`${JSON.stringify(outcome)}\n`);
if (!outcome.ok) process.exitCode = 1;
