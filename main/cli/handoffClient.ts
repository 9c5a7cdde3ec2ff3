import { lstatSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type {
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  PathEvent,
  PathInfo,
  TransferInfo,
} from '../../common/contract.ts';
import { PathwiseError, type ErrorCode } from '../../common/errors.ts';
import { answerServerHello, handoffKeyPath, helloNonce, readHandoffKey } from '../host/handoffHello.ts';
import {
  handoffSocketPath,
  MAX_LINE_BYTES,
  ServerMessageSchema,
  type ClientMessage,
  type GetEvent,
  type HandedRequestMessage,
  type ServerMessage,
} from '../host/handoffProtocol.ts';

type End = Extract<ServerMessage, { kind: 'get-end' }>;

/** A download handed to the app: its start, its events (followed), and its end. */
export interface HandedSession {
  /** The app's answer: the download as it started, or the engine's refusal. */
  started: Promise<TransferInfo>;
  /** How it ended (followed sessions only). */
  ended: Promise<End>;
  /** Ctrl-C: pause it, keeping its part, as a download run here would be. */
  stop(): void;
}

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

function lost(): PathwiseError {
  return new PathwiseError(
    'E_DISCONNECTED',
    'Lost the connection to the running Pathwise app; the download stays with it ("pathwise transfers" lists it).',
  );
}

/**
 * Whether a socket file may be the running app's: a socket owned by this user. Anything else (a
 * file planted in a shared folder, a leftover of another user) is not talked to.
 */
function trustworthy(path: string): boolean {
  if (process.platform === 'win32') return true;
  const stat = lstatSync(path, { throwIfNoEntry: false });
  return Boolean(stat?.isSocket() && stat.uid === process.getuid?.());
}

/** How long the app has to answer a hello (it answers at once; a wedged or foreign one may not). */
const HELLO_TIMEOUT_MS = 10_000;

/**
 * Says hello on a fresh connection and proves the key once the other end has (handoffHello.ts);
 * false, with the socket closed, when it doesn't prove it, closes, or says nothing in time.
 */
function greet(socket: Socket, key: Buffer): Promise<boolean> {
  const nonce = helloNonce();
  return new Promise((resolve) => {
    let buffered = '';
    const finish = (auth: string | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (auth === null) {
        socket.destroy();
        resolve(false);
        return;
      }
      socket.write(`${auth}\n`);
      resolve(true);
    };
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline >= 0) finish(answerServerHello(buffered.slice(0, newline), key, nonce));
      else if (buffered.length > 4096) finish(null);
    };
    const onClose = (): void => finish(null);
    const timer = setTimeout(() => finish(null), HELLO_TIMEOUT_MS);
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.on('error', () => undefined);
    socket.write(`${JSON.stringify({ kind: 'hello', nonce })}\n`);
  });
}

/**
 * The command line's side of the local socket to the running app (main/host/HandoffServer.ts):
 * contract requests and handed downloads, one JSON line each way, every answer validated.
 */
export class AppConnection {
  private readonly socket: Socket;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly followers = new Map<number, { onEvent: (e: GetEvent) => void; end: Waiting }>();
  private readonly watchers = new Map<number, (e: PathEvent) => void>();
  private closed = false;
  private readonly gone: Promise<void>;
  private markGone: () => void = () => undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.gone = new Promise((resolve) => (this.markGone = resolve));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        this.onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
      if (Buffer.byteLength(buffered) > MAX_LINE_BYTES) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
  }

  /**
   * Connects to the app serving this data home; null when none runs (no socket, or a stale one
   * left by a crash: nobody answers) and the command runs its work itself. Also null when what
   * answers can't prove it knows the app's key (handoffHello.ts): it is not this user's Pathwise,
   * and it is told nothing.
   */
  static async open(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<AppConnection | null> {
    const path = handoffSocketPath(dataDir, process.platform, env);
    if (!trustworthy(path)) return null;
    const key = await readHandoffKey(handoffKeyPath(dataDir));
    if (!key) return null;
    const socket = await new Promise<Socket | null>((resolve) => {
      const attempt = connect(path);
      attempt.once('connect', () => {
        attempt.removeAllListeners('error');
        resolve(attempt);
      });
      attempt.once('error', () => resolve(null));
    });
    if (!socket) return null;
    return (await greet(socket, key)) ? new AppConnection(socket) : null;
  }

  /** One contract request to the app, answered as its own service answers the dashboard. */
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    const id = this.nextId++;
    return this.request(id, { kind: 'invoke', id, channel, args }) as Promise<InvokeResult<C>>;
  }

  /** Hands a download over; followed unless `detach`, its events go to `onEvent`. */
  get(
    request: HandedRequestMessage,
    detach: boolean,
    onEvent: (e: GetEvent) => void = () => undefined,
  ): HandedSession {
    const id = this.nextId++;
    const ended = new Promise<End>((resolve, reject) => {
      if (!detach)
        this.followers.set(id, { onEvent, end: { resolve: resolve as Waiting['resolve'], reject } });
    });
    // A session that never gets that far (refused at the start) is not waited for.
    ended.catch(() => undefined);
    const started = this.request(id, { kind: 'get', id, request, detach }) as Promise<TransferInfo>;
    started.catch(() => this.followers.delete(id));
    return { started, ended, stop: () => this.write({ kind: 'stop', id }) };
  }

  /**
   * Follows the app's paths: `onPaths` gets them as they are, then `onEvent` each path event from
   * then on (those that arrived while the paths were on their way first), until the connection ends.
   */
  async watch(onPaths: (paths: PathInfo[]) => void, onEvent: (e: PathEvent) => void): Promise<void> {
    const id = this.nextId++;
    const early: PathEvent[] = [];
    this.watchers.set(id, (e) => early.push(e));
    const paths = (await this.request(id, { kind: 'watch', id })) as PathInfo[];
    onPaths(paths);
    for (const e of early.splice(0)) onEvent(e);
    this.watchers.set(id, onEvent);
  }

  /** Resolves when the connection is gone (the app stopped, or close() was called). */
  ended(): Promise<void> {
    return this.gone;
  }

  close(): void {
    this.closed = true;
    this.socket.end();
  }

  private request(id: number, message: ClientMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closed || this.socket.destroyed) {
        reject(lost());
        return;
      }
      this.waiting.set(id, { resolve, reject });
      this.write(message);
    });
  }

  private write(message: ClientMessage): void {
    if (!this.socket.destroyed) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  private onLine(line: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return;
    }
    const parsed = ServerMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.kind === 'result') {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new PathwiseError(message.error.code as ErrorCode, message.error.message));
    } else if (message.kind === 'get-event') {
      this.followers.get(message.id)?.onEvent(message.event);
    } else if (message.kind === 'path-event') {
      this.watchers.get(message.id)?.(message.event);
    } else {
      this.followers.get(message.id)?.end.resolve(message);
      this.followers.delete(message.id);
    }
  }

  private onClose(): void {
    for (const waiter of this.waiting.values()) waiter.reject(lost());
    for (const follower of this.followers.values()) follower.end.reject(lost());
    this.waiting.clear();
    this.followers.clear();
    this.watchers.clear();
    this.markGone();
  }
}
