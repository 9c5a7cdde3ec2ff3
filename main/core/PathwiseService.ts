import {
  eventContract,
  invokeContract,
  isInvokeChannel,
  type EventChannel,
  type EventPayload,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResult,
} from '../contract.ts';
import { PathMonitor } from '../monitor/PathMonitor.ts';
import { PathwiseError } from './errors.ts';
import { APP_VERSION } from './version.ts';

export type ShellKind = 'electron' | 'headless';

type Handlers = {
  [C in InvokeChannel]: (...args: InvokeArgs<C>) => Promise<InvokeResult<C>>;
};

export type EventListener = <C extends EventChannel>(channel: C, payload: EventPayload<C>) => void;

export interface PathwiseServiceOptions {
  shell: ShellKind;
  monitor?: PathMonitor;
}

/**
 * The core: composes monitor, engine and ledger, and answers the contract. Knows nothing of
 * Electron or HTTP; the two shells (Electron main, headless host) only transport messages.
 */
export class PathwiseService {
  readonly monitor: PathMonitor;
  private readonly shell: ShellKind;
  private readonly listeners = new Set<EventListener>();
  private readonly handlers: Handlers;

  constructor(options: PathwiseServiceOptions) {
    this.shell = options.shell;
    this.monitor = options.monitor ?? new PathMonitor();
    this.monitor.on('paths', (paths) => this.publish('paths', paths));
    this.handlers = {
      'paths.list': async () => this.monitor.snapshot(),
      'app.info': async () => ({ version: APP_VERSION, shell: this.shell }),
    };
  }

  async start(): Promise<void> {
    await this.monitor.start();
  }

  async stop(): Promise<void> {
    this.monitor.stop();
    this.listeners.clear();
  }

  /**
   * Entry point for every message from a UI: the channel and arguments are untrusted and are
   * validated against the contract before any handler runs; the result is validated on the way
   * out so a bug here can't send the UI a shape it doesn't expect.
   */
  async invoke(channel: unknown, args: unknown): Promise<unknown> {
    if (!isInvokeChannel(channel)) {
      throw new PathwiseError('E_BAD_CHANNEL', `Unknown request "${String(channel)}".`);
    }
    const spec = invokeContract[channel];
    const parsed = spec.args.safeParse(args);
    if (!parsed.success) {
      throw new PathwiseError(
        'E_BAD_REQUEST',
        `Invalid arguments for "${channel}": ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      );
    }
    const handler = this.handlers[channel] as (...a: unknown[]) => Promise<unknown>;
    const result = await handler(...(parsed.data as unknown[]));
    return spec.result.parse(result);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    const checked = eventContract[channel].parse(payload) as EventPayload<C>;
    for (const listener of this.listeners) listener(channel, checked);
  }
}
