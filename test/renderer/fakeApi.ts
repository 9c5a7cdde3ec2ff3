import type {
  EventChannel,
  EventPayload,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  PathInfo,
  PathwiseApi,
} from '../../main/contract.ts';

type Handlers = {
  [C in InvokeChannel]?: (...args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>;
};

/** An in-memory PathwiseApi: tests push events and script replies like the core would. */
export class FakeApi implements PathwiseApi {
  paths: PathInfo[] = [];
  failWith: Error | undefined;
  readonly calls: Array<{ channel: InvokeChannel; args: unknown[] }> = [];
  readonly handlers: Handlers = {
    'paths.list': () => this.paths,
    'app.info': () => ({ version: '0.0.0-test', shell: 'headless', dataDir: '/tmp/pathwise-test' }),
  };
  private listeners = new Map<string, Set<(payload: unknown) => void>>();

  async invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    this.calls.push({ channel, args });
    if (this.failWith) throw this.failWith;
    const handler = this.handlers[channel] as ((...a: InvokeArgs<C>) => InvokeResult<C>) | undefined;
    if (!handler) throw new Error(`unscripted ${channel}`);
    return handler(...args);
  }

  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.listeners.set(channel, set);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  push<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(payload);
  }
}

export function path(overrides: Partial<PathInfo> & { name: string }): PathInfo {
  return { type: 'wifi', addresses: [], up: true, metered: false, preference: 'always', ...overrides };
}
