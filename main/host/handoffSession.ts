import type { ContinuityEvent, PathBinding } from '../../common/contract.ts';
import { wireError } from '../../common/errors.ts';
import type { HandedRequest, HandedTransfers } from '../core/HandedTransfers.ts';
import type { PathBinder } from '../engine/PathBinder.ts';
import type { PathVerification } from '../engine/PathVerifier.ts';
import { proxyFromHanded } from '../network/handedProxy.ts';
import type { Transfer, TransferOutcome } from '../engine/Transfer.ts';
import type { HandedRequestMessage, ServerMessage, WireOutcome } from './handoffProtocol.ts';

/** One handed download as its command line follows it. */
export interface Session {
  /** Ctrl-C: pause it (its part is kept), as the command's own download would be. */
  stop(): Promise<void>;
  /** The command line went away without a word: its download stops too. */
  abandoned(): void;
}

export interface SessionParts {
  handed: HandedTransfers;
  binder: PathBinder;
  send: (message: ServerMessage) => void;
  sessions: Map<number, Session>;
}

/** How often a followed download's progress is sent (the command line draws its bar at 5 Hz). */
const PROGRESS_MS = 200;

function toRequest(message: HandedRequestMessage): HandedRequest {
  return {
    url: message.url,
    file: message.file,
    directory: message.directory,
    mode: message.mode,
    paths: message.paths,
    caps: message.caps,
    sha256: message.sha256,
    connections: message.connections,
    // Kept in memory for this download's runs only: never logged, journaled or sent back.
    access: message.access,
    mirrors: message.mirrors,
    fileName: message.fileName,
    followMetalink: message.followMetalink,
    // The command's own proxies, for this download: their login in memory only, like `access`.
    proxy: message.proxy ? proxyFromHanded(message.proxy) : undefined,
  };
}

function wireOutcome(outcome: TransferOutcome): WireOutcome {
  return outcome.status === 'failed' ? { status: 'failed', error: wireError(outcome.error) } : outcome;
}

/**
 * Starts a handed download in the app's engine and answers with it. Detached, that is all: the app
 * keeps it. Followed, its changes, progress, continuity and binding verdicts go to the command line
 * as its own download's would have, and then how it ended with each path's binding.
 */
export function startHandoffSession(
  message: { id: number; request: HandedRequestMessage; detach: boolean },
  { handed, binder, send, sessions }: SessionParts,
): boolean {
  const { id, detach } = message;
  const event = (e: Extract<ServerMessage, { kind: 'get-event' }>['event']): void =>
    send({ kind: 'get-event', id, event: e });
  let detachFollowers: () => void = () => undefined;
  let started: { transfer: Transfer; outcome: Promise<TransferOutcome> };
  try {
    started = handed.start(toRequest(message.request), (transfer) => {
      if (!detach) detachFollowers = follow(transfer, binder, event);
    });
  } catch (error) {
    send({ kind: 'result', id, ok: false, error: wireError(error) });
    // A request the engine refuses (a relative path, say) is the user's mistake, not the client's.
    return true;
  }
  const { transfer, outcome } = started;
  send({ kind: 'result', id, ok: true, value: transfer.info() });
  if (detach) return true;
  let ended = false;
  sessions.set(id, {
    stop: async () => {
      await handed.pause(transfer.id);
    },
    abandoned: () => {
      if (!ended) void handed.pause(transfer.id).catch(() => undefined);
    },
  });
  void outcome.then(async (result) => {
    ended = true;
    detachFollowers();
    // The last word on each path's binding, as the command line's own check at the end would say.
    await binder.check().catch(() => undefined);
    const info = transfer.info();
    const bindings: Record<string, PathBinding> = Object.fromEntries(
      Object.keys(info.paths).map((name) => [name, binder.binding(name)]),
    );
    send({ kind: 'get-end', id, outcome: wireOutcome(result), info, bindings });
    sessions.delete(id);
  });
  return true;
}

/** Streams a transfer's events to its command line; returns how to stop. */
function follow(
  transfer: Transfer,
  binder: PathBinder,
  event: (e: Extract<ServerMessage, { kind: 'get-event' }>['event']) => void,
): () => void {
  const onChange = (): void => event({ type: 'change', info: transfer.info() });
  const continuity = (e: ContinuityEvent): void => event({ type: 'continuity', event: e });
  const onBinding = (verification: PathVerification): void => {
    if (!(verification.path in transfer.info().paths)) return;
    event({ type: 'binding', verification, mode: binder.mode(verification.path) });
  };
  transfer.on('change', onChange);
  transfer.on('continuity', continuity);
  binder.on('change', onBinding);
  const progress = setInterval(() => {
    if (transfer.currentState === 'running') event({ type: 'info', info: transfer.info() });
  }, PROGRESS_MS);
  return () => {
    clearInterval(progress);
    transfer.off('change', onChange);
    transfer.off('continuity', continuity);
    binder.off('change', onBinding);
  };
}
