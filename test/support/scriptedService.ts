import { EventEmitter, once } from 'node:events';
import type { EventChannel } from '../../common/contract.ts';
import type { EventListener, PathwiseService } from '../../main/core/PathwiseService.ts';

/** One request the host passed on, waiting for the test to answer it. */
export interface HeldRequest {
  channel: unknown;
  args: unknown;
  answer(value: unknown): void;
}

/**
 * A stand-in for the core behind the host, driven by the test: every request is held until the
 * test answers it (a handler that never resolves is one the test never answers), and the test
 * pushes events whenever and as large as it likes. It has the two methods the host calls.
 */
export class ScriptedService {
  readonly requests: HeldRequest[] = [];
  private readonly listeners = new Set<EventListener>();
  private readonly events = new EventEmitter();

  invoke(channel: unknown, args: unknown): Promise<unknown> {
    return new Promise((answer) => {
      const held = { channel, args, answer };
      this.requests.push(held);
      this.events.emit('request', held);
    });
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Pushes an event to every subscriber, as the core's publish does (the payload is not checked). */
  push(channel: EventChannel, payload: unknown): void {
    // The payload is deliberately off-contract (filler of any size): the host must not care.
    for (const listener of this.listeners) (listener as (c: string, p: unknown) => void)(channel, payload);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** The next request the host passes on. */
  async nextRequest(): Promise<HeldRequest> {
    const [held] = (await once(this.events, 'request')) as [HeldRequest];
    return held;
  }

  /** Resolves once the host has passed on `count` requests in all. */
  async requestsReach(count: number): Promise<void> {
    while (this.requests.length < count) await once(this.events, 'request');
  }

  /** What the host's constructor takes: it calls only `invoke` and `subscribe`. */
  asService(): PathwiseService {
    return this as unknown as PathwiseService;
  }
}
