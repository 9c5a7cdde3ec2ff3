import {
  eventContract,
  invokeContract,
  isInvokeChannel,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeParsedArgs,
  type InvokeResult,
} from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';

export type ShellKind = 'electron' | 'headless';

export type Handler<C extends InvokeChannel> = (...args: InvokeParsedArgs<C>) => Promise<InvokeResult<C>>;
export type Handlers = { [C in InvokeChannel]: Handler<C> };

export type EventListener = <C extends EventChannel>(channel: C, payload: EventPayload<C>) => void;

type Lifecycle = { start?: () => Promise<void> | void; stop?: () => Promise<void> | void };

/**
 * The core's switchboard: each domain (monitor, engine, ledger, settings) registers the contract
 * handlers it owns and its start/stop; the shells (Electron main, headless host) only transport
 * messages to `invoke` and from `subscribe`. Knows nothing of Electron or HTTP.
 */
export class PathwiseService {
  readonly shell: ShellKind;
  private readonly listeners = new Set<EventListener>();
  private readonly handlers: Partial<Handlers> = {};
  private readonly parts: Lifecycle[] = [];
  private started = false;

  constructor(options: { shell: ShellKind }) {
    this.shell = options.shell;
  }

  register(handlers: Partial<Handlers>, lifecycle: Lifecycle = {}): void {
    for (const channel of Object.keys(handlers) as InvokeChannel[]) {
      if (this.handlers[channel]) throw new Error(`Two handlers for ${channel}`);
    }
    Object.assign(this.handlers, handlers);
    this.parts.push(lifecycle);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const part of this.parts) await part.start?.();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const part of [...this.parts].reverse()) await part.stop?.();
    this.listeners.clear();
  }

  /**
   * Entry point for every message from a UI: the channel and arguments are untrusted and are
   * validated against the contract before any handler runs; the result is validated on the way
   * out so a bug here can't send the UI a shape it doesn't expect. `override` answers in place of
   * the registered handler (a shell's own, e.g. the OS file manager), checked the same way.
   */
  async invoke(channel: unknown, args: unknown, override?: unknown): Promise<unknown> {
    if (!isInvokeChannel(channel)) {
      throw new PathwiseError('E_BAD_CHANNEL', `Unknown request "${String(channel)}".`);
    }
    const spec = invokeContract[channel];
    const parsed = spec.args.safeParse(args);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) =>
        i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
      );
      throw new PathwiseError('E_BAD_REQUEST', `Invalid request "${channel}": ${issues.join('; ')}`);
    }
    const handler = (override ?? this.handlers[channel]) as
      ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (!handler) {
      throw new PathwiseError('E_UNAVAILABLE', `"${channel}" is not available in this build of Pathwise.`);
    }
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
