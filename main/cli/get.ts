import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import type { ContinuityEvent, PathBinding, PathInfo, TransferInfo } from '../../common/contract.ts';
import { resolveDataDir } from '../base/dataDir.ts';
import { PathwiseError } from '../../common/errors.ts';
// Not from contract.ts: building all of its schemas would hold the first request back.
import { TransferModeSchema, type TransferMode } from '../../common/settingsContract.ts';
import { SettingsStore } from '../core/SettingsStore.ts';
import { formatBytes, formatRate, parseByteSize } from '../../common/format.ts';
import { enginePathsFrom, type EnginePath } from '../engine/EnginePath.ts';
import { PathBinder } from '../engine/PathBinder.ts';
import { PathLimits } from '../engine/PathLimits.ts';
import { Ledger } from '../ledger/Ledger.ts';
import { Transfer, type TransferOutcome, type TransferTuning } from '../engine/Transfer.ts';
import { missingFolder } from '../engine/transferErrors.ts';
import { PathMonitor } from '../monitor/PathMonitor.ts';
import type { CliIo } from './io.ts';

export const GET_USAGE = `Usage: pathwise get URL [-o FILE] [options]

Downloads URL over several network paths at once; re-running the same command resumes.

Options:
  -o, --output FILE      where to save; a folder (or a name ending in /) saves in it under a
                         safe name from the server (default: that name, in this folder)
  --paths A,B            use exactly these interfaces, in order (the first is the primary in
                         handover mode); NAME=ADDRESS binds a path to a given source address
  --mode MODE            aggregate (default) | handover | interactive
  --cap PATH=SIZE        spend at most SIZE on PATH (e.g. wwan0=50M); repeatable
  --sha256 HEX           the expected SHA-256; the file is kept only if it matches
  --connections N        connections per path (default 2)
  --json                 JSON lines of progress and events, and a final status line
  --data-dir DIR         where settings and the ledger live (or PATHWISE_DATA_DIR)
`;

interface GetOptions {
  url: string;
  output: string | null;
  paths: string[] | null;
  mode: TransferMode;
  caps: Record<string, number>;
  sha256: string | null;
  json: boolean;
  dataDir: string | undefined;
  connections: number | null;
}

function usage(message: string): PathwiseError {
  return new PathwiseError('E_USAGE', `${message}\n\n${GET_USAGE}`);
}

export function parseGetArgs(args: string[]): GetOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      output: { type: 'string', short: 'o' },
      paths: { type: 'string' },
      mode: { type: 'string' },
      cap: { type: 'string', multiple: true },
      sha256: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      connections: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw usage('Give exactly one URL.');
  const url = positionals[0] as string;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw usage(`"${url}" is not an http:// or https:// URL.`);
  }
  const mode = TransferModeSchema.safeParse(values.mode ?? 'aggregate');
  if (!mode.success) throw usage(`--mode must be aggregate, handover or interactive, not "${values.mode}".`);
  const paths = values.paths
    ?.split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths !== undefined && paths.length === 0) throw usage('--paths needs at least one interface name.');
  for (const spec of paths ?? []) {
    const [name, address] = spec.split('=');
    if (!name || !/^[\w.:-]{1,64}$/.test(name) || (address !== undefined && isIP(address) === 0)) {
      throw usage(`--paths entry "${spec}" must be an interface name or NAME=ADDRESS.`);
    }
  }
  const caps: Record<string, number> = {};
  for (const spec of values.cap ?? []) {
    const eq = spec.lastIndexOf('=');
    const name = spec.slice(0, eq);
    const size = parseByteSize(spec.slice(eq + 1));
    if (eq <= 0 || size === null) throw usage(`--cap "${spec}" must look like PATH=SIZE, e.g. wwan0=50M.`);
    caps[name] = size;
  }
  if (values.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(values.sha256)) {
    throw usage('--sha256 must be 64 hexadecimal digits.');
  }
  let connections: number | null = null;
  if (values.connections !== undefined) {
    connections = Number(values.connections);
    if (!Number.isInteger(connections) || connections < 1 || connections > 16) {
      throw usage('--connections must be a whole number from 1 to 16.');
    }
  }
  return {
    url,
    output: values.output ?? null,
    paths: paths ?? null,
    mode: mode.data,
    caps,
    sha256: values.sha256?.toLowerCase() ?? null,
    json: values.json ?? false,
    dataDir: values['data-dir'],
    connections,
  };
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/** The paths this download may use, from --paths or the policy, as the monitor sees them now. */
function pathsFor(options: GetOptions, snapshot: PathInfo[]): EnginePath[] {
  if (options.paths) {
    const names = options.paths.map((spec) => spec.split('=')[0] as string);
    const fromMonitor = enginePathsFrom(snapshot, names);
    return fromMonitor.map((path, i) => {
      const address = (options.paths as string[])[i]?.split('=')[1];
      // NAME=ADDRESS: bound to that address; up as long as the interface (if there is one) is.
      if (address) {
        const known = snapshot.find((p) => p.name === path.name);
        return { ...path, address, up: known ? known.up : true };
      }
      return path;
    });
  }
  // A server on this machine is reached over loopback, whatever the policy says about real paths.
  if (LOOPBACK.test(new URL(options.url).hostname)) {
    const host = new URL(options.url).hostname;
    return [
      {
        name: 'lo',
        address: host === '[::1]' ? '::1' : '127.0.0.1',
        up: true,
        preference: 'always',
        rank: 0,
        health: 'unknown',
        rttMs: null,
      },
    ];
  }
  return enginePathsFrom(snapshot);
}

/**
 * Where -o says to save: a file, or a folder to save in under the server's name (an existing
 * folder, or any name ending in a slash). Its folder must exist: said now, before any request.
 */
function saveTarget(output: string | null): { file: string } | { directory: string } {
  const folderOnly = output === null || output.endsWith('/') || output.endsWith(sep);
  const path = resolve(output ?? '.');
  const stat = statSync(path, { throwIfNoEntry: false });
  if (folderOnly || stat?.isDirectory()) {
    if (!stat?.isDirectory()) throw missingFolder(path);
    return { directory: path };
  }
  if (!statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory()) throw missingFolder(dirname(path));
  return { file: path };
}

function tuningFromEnv(env: NodeJS.ProcessEnv, connections: number | null): Partial<TransferTuning> {
  const tuning: Partial<TransferTuning> = {};
  if (connections !== null) tuning.connectionsPerPath = connections;
  // Tests shorten the give-up time so a dead server fails fast; not a user-facing option.
  const giveUp = Number(env['PATHWISE_GIVE_UP_MS']);
  if (Number.isFinite(giveUp) && giveUp > 0) tuning.giveUpMs = giveUp;
  return tuning;
}

function isTty(stream: NodeJS.WritableStream): stream is NodeJS.WriteStream {
  return Boolean((stream as NodeJS.WriteStream).isTTY);
}

function progressLine(info: TransferInfo, width: number): string {
  const size = info.size;
  const fraction = size ? Math.min(1, info.received / size) : 0;
  const barWidth = Math.max(10, Math.min(30, width - 70));
  const filled = Math.round(fraction * barWidth);
  const bar = size
    ? `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`
    : '';
  const amount = size ? `${formatBytes(info.received)}/${formatBytes(size)}` : formatBytes(info.received);
  const eta = size && info.rate > 0 ? ` ETA ${Math.ceil((size - info.received) / info.rate)}s` : '';
  const paths = Object.entries(info.paths)
    .filter(([, p]) => p.bytes > 0 || p.state !== 'idle')
    .map(([name, p]) => `${name} ${p.state === 'active' ? formatRate(p.rate) : p.state}`)
    .join(' · ');
  return `${bar} ${amount} ${formatRate(info.rate)}${eta}  ${paths}`.slice(0, width - 1);
}

const WATCHER_DELAY_MS = 1000;

/** True once the transfer reports its first bytes or WATCHER_DELAY_MS passed; false if it ended first. */
function flowingOrDelay(transfer: Transfer, running: Promise<TransferOutcome>): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (flowing: boolean): void => {
      clearTimeout(timer);
      transfer.off('bytes', onBytes);
      resolve(flowing);
    };
    const onBytes = (): void => settle(true);
    const timer = setTimeout(() => settle(true), WATCHER_DELAY_MS);
    transfer.once('bytes', onBytes);
    void running.then(
      () => settle(false),
      () => settle(false),
    );
  });
}

export async function runGet(
  args: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const options = parseGetArgs(args);
  const target = saveTarget(options.output);
  const dataDir = resolveDataDir(options.dataDir, env);
  const { store: settings } = await SettingsStore.open(dataDir, env);
  // Link state, addresses, metered and the user's preferences are all a download needs: no
  // systeminformation details (they spawn processes) and no counters (PathBinder reads its own).
  const monitor = new PathMonitor({
    preferences: () => settings.get().preferences,
    overrides: () => settings.get().overrides,
    systemDetails: false,
    countersIntervalMs: 0,
  });
  const binder = new PathBinder({ warn: (message) => io.stderr.write(`pathwise: ${message}\n`) });
  const snapshot = await monitor.refresh();
  binder.watch(snapshot);
  const paths = pathsFor(options, binder.decorate(snapshot));
  const here = snapshot.map((p) => p.name);
  const absent = (options.paths ?? [])
    .filter((spec) => !spec.includes('='))
    .filter((name) => !here.includes(name));
  if (absent.length > 0 && absent.length === options.paths?.length) {
    // None of them exists: most likely a typo, not every named link unplugged at once.
    throw new PathwiseError(
      'E_NO_PATH',
      `This machine has no interface named ${absent.join(' or ')} (it has ${here.join(', ') || 'none'}). "pathwise interfaces" lists them.`,
    );
  }
  for (const name of Object.keys(options.caps)) {
    if (!paths.some((p) => p.name === name)) {
      throw usage(
        `--cap names ${name}, which is not one of the paths in use (${paths.map((p) => p.name).join(', ')}).`,
      );
    }
  }
  const out = io.stdout;
  const err = io.stderr;
  const tty = !options.json && isTty(err);
  if (absent.length > 0 && !options.json) {
    const [are, them, appear] =
      absent.length === 1 ? ['is', 'it', 'it appears'] : ['are', 'them', 'they appear'];
    err.write(
      `pathwise: ${absent.join(', ')} ${are} not on this machine now; the download starts without ${them} and takes ${them} up if ${appear}.\n`,
    );
  }
  const line = (value: unknown): void => {
    out.write(`${JSON.stringify(value)}\n`);
  };
  // The plans' caps hold here too: this download's bytes count in the ledger the app keeps.
  const { ledger, warning: ledgerWarning } = Ledger.open({
    dataDir,
    plans: () => settings.get().plans,
    thresholds: () => settings.get().capThresholds,
  });
  if (ledgerWarning) err.write(`pathwise: ${ledgerWarning}\n`);
  ledger.start();
  const transfer = new Transfer({
    limits: new PathLimits(ledger),
    url: options.url,
    ...target,
    mode: options.mode,
    paths,
    allowedPaths: options.paths ? paths.map((p) => p.name) : null,
    caps: options.caps,
    ...(options.sha256 ? { sha256: options.sha256 } : {}),
    whenCapped: 'fail',
    tuning: tuningFromEnv(env, options.connections),
    agentFactory: binder.agentFactory,
  });

  monitor.on('paths', (next) => {
    binder.watch(next);
    transfer.updatePaths(pathsFor(options, binder.decorate(next)));
  });
  transfer.on('bytes', (event) => {
    binder.record(event.path, event.bytes);
    ledger.recordPathBytes(event);
  });
  binder.on('change', (verification) => {
    transfer.updatePaths(pathsFor(options, binder.decorate(monitor.snapshot())));
    if (verification.verified === false && !options.json) {
      err.write(
        `${tty ? '\r\x1b[K' : ''}pathwise: ${verification.path} is unverified: the engine received ${formatBytes(verification.payloadBytes)} over it but the interface counted ${formatBytes(verification.interfaceBytes)}; it is no longer used.\n`,
      );
    }
    if (options.json) line({ type: 'binding', ...verification, mode: binder.mode(verification.path) });
  });
  const verifying = setInterval(() => void binder.check().catch(() => undefined), 1000);

  transfer.on('continuity', (event: ContinuityEvent) => {
    if (options.json) line({ type: 'continuity', ...event });
    else if (event.kind !== 'path-restored' || tty) {
      if (tty) err.write('\r\x1b[K');
      err.write(
        `pathwise: ${event.kind}${event.from ? ` from ${event.from}` : ''}${event.to ? ` to ${event.to}` : ''}${event.detail ? ` — ${event.detail}` : ''}\n`,
      );
    }
  });
  let lastState = '';
  transfer.on('change', () => {
    const info = transfer.info();
    if (options.json && info.state !== lastState)
      line({ type: 'state', state: info.state, file: info.file, at: Date.now() });
    lastState = info.state;
  });
  const progress = setInterval(
    () => {
      const info = transfer.info();
      if (info.state !== 'running') return;
      if (options.json) {
        line({
          type: 'progress',
          at: Date.now(),
          received: info.received,
          size: info.size,
          rate: info.rate,
          paths: info.paths,
        });
      } else if (tty) {
        err.write(`\r\x1b[K${progressLine(info, (err as NodeJS.WriteStream).columns || 100)}`);
      }
    },
    options.json ? 500 : 200,
  );

  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    void transfer.pause();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let outcome: TransferOutcome;
  try {
    // The link watcher starts once bytes flow (or after WATCHER_DELAY_MS): spawning `ip monitor`
    // blocks for milliseconds the first requests need more, and the paths were just read. Until
    // then a failing path is caught by its socket errors and stall watchdogs.
    const running = transfer.run();
    if (await flowingOrDelay(transfer, running)) {
      try {
        await monitor.start();
      } catch (error) {
        // Nothing may outlive this function: stop the download (its part is kept) first.
        await transfer.pause();
        await running;
        throw error;
      }
    }
    outcome = await running;
  } finally {
    clearInterval(progress);
    clearInterval(verifying);
    monitor.stop();
    ledger.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (tty) err.write('\r\x1b[K');
  }
  await binder.check().catch(() => undefined);
  return report(outcome, transfer.info(), options.json, interrupted, io, bindings(binder, transfer.info()));
}

/** Per path used: how its sockets were bound and whether the interface counters confirmed it. */
function bindings(binder: PathBinder, info: TransferInfo): Record<string, PathBinding> {
  return Object.fromEntries(Object.keys(info.paths).map((name) => [name, binder.binding(name)]));
}

function bindingText(binding: PathBinding | undefined): string {
  if (!binding) return '';
  const verified =
    binding.verified === null ? 'not verified yet' : binding.verified ? 'verified' : 'UNVERIFIED';
  return `bound by ${binding.mode}, ${verified}`;
}

function report(
  outcome: TransferOutcome,
  info: TransferInfo,
  json: boolean,
  interrupted: boolean,
  io: CliIo,
  binding: Record<string, PathBinding> = {},
): number {
  const write = (value: unknown): void => {
    io.stdout.write(`${JSON.stringify(value)}\n`);
  };
  switch (outcome.status) {
    case 'done': {
      const fetched = Object.values(outcome.paths).reduce((n, p) => n + p.bytes, 0);
      if (json) {
        write({
          status: 'done',
          file: outcome.file,
          bytes: info.size ?? fetched,
          sha256: outcome.sha256,
          durationMs: outcome.durationMs,
          paths: Object.fromEntries(
            Object.entries(outcome.paths).map(([name, p]) => [name, { ...p, ...binding[name] }]),
          ),
          fetchedBytes: fetched,
          resumedBytes: outcome.resumedBytes,
        });
      } else {
        const split = Object.entries(outcome.paths)
          .map(
            ([name, p]) =>
              `${name} ${formatBytes(p.bytes)}${binding[name] ? ` [${bindingText(binding[name])}]` : ''}`,
          )
          .join(', ');
        io.stdout.write(
          `${outcome.file}: ${formatBytes(info.size ?? fetched)} in ${(outcome.durationMs / 1000).toFixed(1)} s (${split})${outcome.resumedBytes ? `, ${formatBytes(outcome.resumedBytes)} resumed` : ''}\nsha256 ${outcome.sha256}\n`,
        );
      }
      return 0;
    }
    case 'paused':
    case 'cancelled': {
      const message = `Stopped; ${formatBytes(info.received)} of ${info.file} are kept. Run the same command again to resume.`;
      if (json) write({ status: 'paused', file: info.file, received: info.received, size: info.size });
      io.stderr.write(`pathwise: ${message}\n`);
      return interrupted ? 130 : 1;
    }
    case 'failed': {
      const { code, message } = outcome.error;
      if (json) {
        write({
          status: 'failed',
          error: { code, message },
          file: info.file,
          received: info.received,
          size: info.size,
          paths: Object.fromEntries(
            Object.entries(info.paths).map(([n, p]) => [n, { bytes: p.bytes, ...binding[n] }]),
          ),
        });
      }
      const kept =
        info.received > 0 && existsSync(`${info.file}.part`)
          ? ` ${formatBytes(info.received)} are kept in ${info.file}.part for resuming.`
          : '';
      io.stderr.write(`pathwise: ${message}${kept} [${code}]\n`);
      return 1;
    }
  }
}
