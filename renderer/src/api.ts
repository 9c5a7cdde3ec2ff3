import type {
  EventChannel,
  EventPayload,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  PathwiseApi,
  WireMessage,
} from '../../common/contract.ts';

declare global {
  interface Window {
    pathwise?: PathwiseApi;
  }
}

export class ApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * The same PathwiseApi over the headless host's WebSocket (the HttpOnly cookie set when the
 * tokenised URL was opened authenticates the upgrade). Reconnects with backoff and re-delivers
 * pushes to existing listeners, so a host restart doesn't need a page reload.
 */
export function createSocketApi(url: string, WebSocketImpl: typeof WebSocket = WebSocket): PathwiseApi {
  let socket: WebSocket | undefined;
  let nextId = 1;
  let retryMs = 250;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let ready: Promise<WebSocket> | undefined;

  const connect = (): Promise<WebSocket> => {
    ready ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      socket = ws;
      ws.onopen = () => {
        retryMs = 250;
        resolve(ws);
      };
      ws.onmessage = (event: MessageEvent) => {
        let message: WireMessage;
        try {
          message = JSON.parse(String(event.data)) as WireMessage;
        } catch {
          return; // Not ours to crash on: the host only sends JSON.
        }
        if (message.kind === 'event') {
          for (const listener of listeners.get(message.channel) ?? []) listener(message.payload);
        } else {
          const waiter = pending.get(message.id);
          pending.delete(message.id);
          if (!waiter) return;
          if (message.ok) waiter.resolve(message.value);
          else waiter.reject(new ApiError(message.error.code, message.error.message));
        }
      };
      ws.onclose = () => {
        ready = undefined;
        for (const waiter of pending.values())
          waiter.reject(new ApiError('E_DISCONNECTED', 'Lost the connection to Pathwise.'));
        pending.clear();
        reject(new ApiError('E_DISCONNECTED', 'Could not reach Pathwise.'));
        if (listeners.size > 0) {
          setTimeout(() => void connect().catch(() => undefined), retryMs);
          retryMs = Math.min(retryMs * 2, 5000);
        }
      };
    });
    return ready;
  };

  return {
    async invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
      const ws = await connect();
      const id = nextId++;
      return new Promise<InvokeResult<C>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ kind: 'invoke', id, channel, args }));
      });
    },
    on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(channel, set);
      void connect().catch(() => undefined);
      return () => {
        set.delete(listener as (payload: unknown) => void);
        if (set.size === 0) listeners.delete(channel);
        if (listeners.size === 0 && pending.size === 0) socket?.close();
      };
    },
  };
}

/** Electron gives us `window.pathwise` through the preload; a browser talks to `pathwise serve`. */
export function createApi(): PathwiseApi {
  if (window.pathwise) return window.pathwise;
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createSocketApi(`${scheme}//${window.location.host}/ws`);
}
