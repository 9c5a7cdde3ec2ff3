import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { PathEvent } from '../../common/contract.ts';
import { errorCode, errorMessage, wireError } from '../../common/errors.ts';
import type { HandedTransfers } from '../core/HandedTransfers.ts';
import type { PathwiseService } from '../core/PathwiseService.ts';
import type { PathBinder } from '../engine/PathBinder.ts';
import {
  ClientMessageSchema,
  handoffSocketPath,
  MAX_LINE_BYTES,
  type ServerMessage,
} from './handoffProtocol.ts';
import { handoffKeyPath, HelloGate, writeHandoffKey } from './handoffHello.ts';
import { startHandoffSession, type Session } from './handoffSession.ts';

export interface HandoffServerOptions {
  service: PathwiseService;
  handed: HandedTransfers;
  binder: PathBinder;
  /** handoffSocketPath(dataDir): a Unix socket, or a named pipe on Windows. */
  socketPath: string;
  /**
   * handoffKeyPath(dataDir): the key a client must prove it can read before it is answered
   * (handoffHello.ts), written afresh each time the server listens.
   */
  keyPath: string;
  /** How long a connection may take to prove the key before it is closed. */
  helloTimeoutMs?: number;
  /** Malformed or refused messages a connection may send before it is closed. */
  maxBadMessages?: number;
  /** Command lines connected at once. */
  maxClients?: number;
}

/** Bytes a watch may leave unread before its connection is closed (a reader that stopped reading). */
const MAX_WATCH_BACKLOG = 1024 * 1024;

/** Requests one connection may have unanswered at once; more are answered E_BUSY. */
const MAX_IN_FLIGHT = 32;

/** The id a message was sent under, so a refusal reaches the call waiting for it; -1 when it has none. */
function idOf(raw: unknown): number {
  return raw && typeof raw === 'object' && 'id' in raw && typeof raw.id === 'number' ? raw.id : -1;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether something answers on a socket path: another Pathwise holds it, or it is a stale file. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/**
 * The running core's door for command lines on this machine (`pathwise get`, `pathwise
 * transfers`): a Unix socket only this user can open (0600, in the private data home), or a
 * named pipe on Windows. No TCP port. A connection is answered only once it has proved it can read
 * the key in the data home (handoffHello.ts; the pipe's default DACL lets others open it). Every
 * line is then validated (handoffProtocol.ts): a malformed
 * or hostile one gets an error answer, never a crash, and a connection that keeps sending them is
 * closed. Contract requests go through `PathwiseService.invoke` like the dashboard's; a handed
 * download runs in the app's engine (HandedTransfers) and is streamed back (handoffSession.ts).
 */
export class HandoffServer {
  private readonly options: HandoffServerOptions;
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  private listening = false;
  /** This start's key; connections made before it is written are closed unanswered. */
  private key: Buffer | null = null;

  constructor(options: HandoffServerOptions) {
    this.options = options;
    this.server = createServer((socket) => this.onConnection(socket));
  }

  get path(): string {
    return this.options.socketPath;
  }

  /**
   * Listens; false when another running Pathwise already answers on this data home's socket (that
   * one keeps it). A socket file nobody answers on is left from a crash: it is removed first.
   */
  async listen(): Promise<boolean> {
    const path = this.options.socketPath;
    const windows = path.startsWith('\\\\');
    if (!windows) {
      const stat = await lstat(path).catch(() => null);
      if (stat) {
        if (!stat.isSocket())
          throw new Error(
            `${path} exists and is not a socket; remove it to let command lines reach Pathwise.`,
          );
        if (await answers(path)) return false;
        await unlink(path).catch(() => undefined);
      }
    }
    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(path, () => {
          this.server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      if (errorCode(error) === 'EADDRINUSE') return false;
      throw error;
    }
    // Only this user may connect (its folder is private too, so nobody else could in between).
    if (!windows) await chmod(path, 0o600);
    this.listening = true;
    // Written once the door is ours (not over the key of another Pathwise that holds it).
    this.key = await writeHandoffKey(this.options.keyPath);
    return true;
  }

  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    for (const client of this.clients) client.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: Socket): void {
    if (this.clients.size >= (this.options.maxClients ?? 32) || !this.key) {
      socket.destroy();
      return;
    }
    this.clients.add(socket);
    const gate = new HelloGate(this.key);
    const deadline = setTimeout(() => {
      if (!gate.open) socket.destroy();
    }, this.options.helloTimeoutMs ?? 10_000);
    deadline.unref();
    const sessions = new Map<number, Session>();
    const watches: Array<() => void> = [];
    let buffered = '';
    let bad = 0;
    let inFlight = 0;
    const send = (message: ServerMessage): void => {
      if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
    };
    const misbehaved = (): void => {
      if (++bad >= (this.options.maxBadMessages ?? 20)) socket.destroy();
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim() === '') continue;
        if (!gate.open) {
          // Nothing is answered, nor any line read further, until the key is proved.
          const step = gate.take(line);
          if (step === 'refused') {
            socket.destroy();
            return;
          }
          if (step !== 'accepted') socket.write(`${step.reply}\n`);
          continue;
        }
        inFlight++;
        void this.onLine(line, { socket, send, sessions, watches, busy: inFlight > MAX_IN_FLIGHT })
          .then((ok) => {
            if (!ok) misbehaved();
          })
          .finally(() => inFlight--);
      }
      // A line longer than anyone sends is garbage or an attack: stop reading.
      if (Buffer.byteLength(buffered) > MAX_LINE_BYTES) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      this.clients.delete(socket);
      // The command line is gone (killed, or its terminal closed): its download stops as it would have.
      for (const session of sessions.values()) session.abandoned();
      sessions.clear();
      for (const unwatch of watches.splice(0)) unwatch();
    });
  }

  /** Answers one line; false when it was malformed or refused as invalid. */
  private async onLine(
    line: string,
    { socket, send, sessions, watches, busy }: ConnectionState,
  ): Promise<boolean> {
    const raw = parseJson(line);
    if (busy) {
      send({
        kind: 'result',
        id: idOf(raw),
        ok: false,
        error: { code: 'E_BUSY', message: 'Too many requests at once; wait for answers first.' },
      });
      return false;
    }
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const message = `Malformed message: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ')}`;
      send({ kind: 'result', id: idOf(raw), ok: false, error: { code: 'E_BAD_MESSAGE', message } });
      return false;
    }
    const message = parsed.data;
    switch (message.kind) {
      case 'invoke':
        try {
          send({
            kind: 'result',
            id: message.id,
            ok: true,
            value: await this.options.service.invoke(message.channel, message.args),
          });
          return true;
        } catch (error) {
          const safe = wireError(error);
          send({ kind: 'result', id: message.id, ok: false, error: safe });
          return safe.code !== 'E_BAD_CHANNEL' && safe.code !== 'E_BAD_REQUEST';
        }
      case 'get':
        if (sessions.has(message.id)) {
          send({
            kind: 'result',
            id: message.id,
            ok: false,
            error: { code: 'E_BAD_MESSAGE', message: 'That id is in use.' },
          });
          return false;
        }
        return startHandoffSession(message, { ...this.options, send, sessions });
      case 'stop': {
        const session = sessions.get(message.id);
        if (!session) {
          send({
            kind: 'result',
            id: message.id,
            ok: false,
            error: { code: 'E_NOT_FOUND', message: 'No download of yours has that id.' },
          });
          return false;
        }
        await session.stop();
        return true;
      }
      case 'watch':
        return this.watch(message.id, { socket, send, watches });
    }
  }

  /**
   * Sends the app's path events under `id` until the connection closes, after answering with the
   * paths as they are (the events seen while that answer was read come first: the client prints
   * the paths, then them). A reader that stops reading is cut off rather than buffered forever.
   */
  private async watch(
    id: number,
    { socket, send, watches }: Pick<ConnectionState, 'socket' | 'send' | 'watches'>,
  ): Promise<boolean> {
    const unwatch = this.options.service.subscribe((channel, payload) => {
      if (channel !== 'pathEvent') return;
      if (socket.writableLength > MAX_WATCH_BACKLOG) socket.destroy();
      else send({ kind: 'path-event', id, event: payload as PathEvent });
    });
    watches.push(unwatch);
    send({ kind: 'result', id, ok: true, value: await this.options.service.invoke('paths.list', []) });
    return true;
  }
}

interface ConnectionState {
  socket: Socket;
  send: (m: ServerMessage) => void;
  sessions: Map<number, Session>;
  /** Each watch's unsubscribe, called when the connection closes. */
  watches: Array<() => void>;
  busy: boolean;
}

/** What attachHandoff needs of the composed core (createPathwise's Pathwise). */
export interface HandoffParts {
  service: PathwiseService;
  handed: HandedTransfers;
  binder: PathBinder;
  dataDir: string;
}

/**
 * Opens the door for command lines with the core (both shells call this before service.start):
 * it listens while the core runs and closes first when it stops. When it can't (another Pathwise
 * already serves this data home, or the socket can't be made), `warn` says why and the command
 * line simply runs its downloads itself.
 */
export function attachHandoff(parts: HandoffParts, warn: (message: string) => void): HandoffServer {
  const server = new HandoffServer({
    service: parts.service,
    handed: parts.handed,
    binder: parts.binder,
    socketPath: handoffSocketPath(parts.dataDir),
    keyPath: handoffKeyPath(parts.dataDir),
  });
  parts.service.register(
    {},
    {
      start: async () => {
        try {
          if (!(await server.listen())) {
            warn(
              `Another Pathwise already answers command lines at ${server.path}; "pathwise get" hands its downloads to that one.`,
            );
          }
        } catch (error) {
          warn(
            `Command lines can't reach this Pathwise (${errorMessage(error)}); "pathwise get" runs its downloads itself.`,
          );
        }
      },
      stop: () => server.close(),
    },
  );
  return server;
}
