import { EventEmitter } from 'node:events';
import type { ContinuityEvent, TransferInfo } from '../../common/contract.ts';
import { PathwiseError, type ErrorCode } from '../../common/errors.ts';
import type { PathBinder } from '../engine/PathBinder.ts';
import type { PathVerification } from '../engine/PathVerifier.ts';
import type { Transfer, TransferOutcome } from '../engine/Transfer.ts';
import type { DownloadAccess } from '../engine/requestAuth.ts';
import { handedProxyFromEnv } from '../network/handedProxy.ts';
import {
  MAX_LINE_BYTES,
  type GetEvent,
  type HandedRequestMessage,
  type WireOutcome,
} from '../host/handoffProtocol.ts';
import type { GetOptions } from './getArgs.ts';
import { absentNotice, absentPaths, checkCaps, pathsFor } from './getPaths.ts';
import { showProgress } from './getProgress.ts';
import { report } from './getReport.ts';
import type { AppConnection } from './handoffClient.ts';
import type { CliIo } from './io.ts';

/** Where -o says to save, as get.ts resolved it (absolute). */
export type SaveTarget = { file: string } | { directory: string };

/**
 * The app's download as the command line's own progress output reads a Transfer: its latest
 * info, and `change` / `continuity` as the app streams them.
 */
class RemoteTransfer extends EventEmitter<{ change: []; continuity: [ContinuityEvent] }> {
  private latest: TransferInfo;

  constructor(request: HandedRequestMessage) {
    super();
    this.latest = {
      id: '',
      url: request.url,
      file: request.file ?? request.directory ?? '',
      mode: request.mode,
      state: 'queued',
      size: null,
      received: 0,
      rate: 0,
      paths: {},
      allowedPaths: null,
      rangeSupport: null,
      sha256: null,
      error: null,
      createdAt: Date.now(),
      finishedAt: null,
    };
  }

  info(): TransferInfo {
    return this.latest;
  }

  update(info: TransferInfo, changed: boolean): void {
    this.latest = info;
    if (changed) this.emit('change');
  }
}

/** The app's binding verdicts for this download's paths, as the output reads a PathBinder. */
class RemoteBinder extends EventEmitter<{ change: [PathVerification] }> {
  private readonly modes = new Map<string, 'device' | 'address'>();

  mode(path: string): 'device' | 'address' {
    return this.modes.get(path) ?? 'address';
  }

  update(verification: PathVerification, mode: 'device' | 'address'): void {
    this.modes.set(verification.path, mode);
    this.emit('change', verification);
  }
}

function outcomeOf(wire: WireOutcome): TransferOutcome {
  if (wire.status !== 'failed') return wire;
  return { status: 'failed', error: new PathwiseError(wire.error.code as ErrorCode, wire.error.message) };
}

/**
 * The request the app's engine runs: this command's options, with its paths and file absolute,
 * and the proxies its environment names (the app's own are used without them).
 */
export function handedRequest(
  options: GetOptions,
  target: SaveTarget,
  env: NodeJS.ProcessEnv = process.env,
): HandedRequestMessage {
  const proxy = handedProxyFromEnv(env);
  return {
    url: options.url,
    ...target,
    mode: options.mode,
    paths: options.paths,
    caps: options.caps,
    ...(options.sha256 ? { sha256: options.sha256 } : {}),
    ...(options.connections !== null ? { connections: options.connections } : {}),
    ...(options.access ? { access: fitToHand(options.access) } : {}),
    ...(options.mirrors ? { mirrors: options.mirrors } : {}),
    ...(options.fileName ? { fileName: options.fileName } : {}),
    ...(options.followMetalink ? { followMetalink: true as const } : {}),
    ...(proxy ? { proxy } : {}),
  };
}

/** The access as it travels to the app: within one message of its socket, or refused here, clearly. */
function fitToHand(access: DownloadAccess): DownloadAccess {
  // Room left for the rest of the request (a URL and a path of up to 8 KiB and 4 KiB).
  if (Buffer.byteLength(JSON.stringify(access)) <= MAX_LINE_BYTES - 16 * 1024) return access;
  throw new PathwiseError(
    'E_USAGE',
    `The ${access.cookies.length} cookies and ${access.headers.length} headers are more than can be handed to the running app (${MAX_LINE_BYTES / 1024} KiB a message): keep only this site's cookies in the cookie file.`,
  );
}

/**
 * `pathwise get` with the app running: the download runs in the app's engine (one engine, one
 * ledger, its alerts become notifications), and this command follows it, printing exactly what a
 * download run here prints and ending with the same exit code. Ctrl-C pauses it (its part is
 * kept, as here); --detach leaves it to the app and prints its id.
 */
export async function runHandedGet(
  app: AppConnection,
  options: GetOptions,
  target: SaveTarget,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    // The paths as the app sees them: the same checks and notices as a download run here.
    const snapshot = await app.invoke('paths.list');
    const absent = absentPaths(options.paths, snapshot);
    checkCaps(options.caps, pathsFor(options, snapshot));
    if (absent.length > 0 && !options.json && !options.quiet) io.stderr.write(absentNotice(absent));
    const request = handedRequest(options, target, env);
    if (options.detach) return await detached(app, request, options, io);
    return await followed(app, request, options, io);
  } finally {
    app.close();
  }
}

async function detached(
  app: AppConnection,
  request: HandedRequestMessage,
  options: GetOptions,
  io: CliIo,
): Promise<number> {
  const info = await app.get(request, true).started;
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ status: 'detached', id: info.id, url: info.url, file: info.file })}\n`,
    );
  } else {
    io.stdout.write(`${info.id}\n`);
    if (!options.quiet) {
      io.stderr.write(
        `pathwise: the running Pathwise app has the download; "pathwise transfers" shows it, "pathwise transfers pause ${info.id.slice(0, 8)}" pauses it.\n`,
      );
    }
  }
  return 0;
}

async function followed(
  app: AppConnection,
  request: HandedRequestMessage,
  options: GetOptions,
  io: CliIo,
): Promise<number> {
  const transfer = new RemoteTransfer(request);
  const binder = new RemoteBinder();
  // The same output as a download run here (getProgress.ts reads only info(), on() and mode()).
  const output = showProgress(transfer as unknown as Transfer, binder as unknown as PathBinder, options, io);
  const session = app.get(request, false, (event: GetEvent) => {
    if (event.type === 'change' || event.type === 'info')
      transfer.update(event.info, event.type === 'change');
    else if (event.type === 'continuity') transfer.emit('continuity', event.event);
    else binder.update(event.verification, event.mode);
  });
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    session.stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await session.started;
    const end = await session.ended;
    output.stop();
    output.clearLine();
    return report(outcomeOf(end.outcome), end.info, options, interrupted, io, end.bindings);
  } finally {
    output.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
