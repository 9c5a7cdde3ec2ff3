import type {
  EventChannel,
  EventPayload,
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  PathInfo,
  PathwiseApi,
  TransferInfo,
  UsagePeriod,
  UsagePoint,
} from '../../common/contract.ts';
import { PRICING, priceOf, scenario, type Pricing, type Scenario } from './scenario.ts';

type Handlers = {
  [C in InvokeChannel]?: (...args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>;
};

export function coded(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * An in-memory PathwiseApi: tests push events and script replies like the core would. A channel
 * with no handler answers E_UNAVAILABLE, as the real service does for a part that isn't running.
 */
export class FakeApi implements PathwiseApi {
  paths: PathInfo[] = [];
  failWith: Error | undefined;
  /** What `usage.correct` and `usage.reset` changed per path this cycle (the scenario's rows stay). */
  readonly corrections: Record<string, number> = {};
  readonly calls: Array<{ channel: InvokeChannel; args: unknown[] }> = [];
  readonly handlers: Handlers = {
    'paths.list': () => this.paths,
    'app.info': () => ({ version: '0.0.0-test', shell: 'headless', dataDir: '/tmp/pathwise-test' }),
  };
  private listeners = new Map<string, Set<(payload: unknown) => void>>();

  /** Every channel answered from a scripted, stateful scenario (see scenario.ts). */
  static withScenario(
    now: number = Date.now(),
    shell: 'electron' | 'headless' = 'headless',
  ): FakeApi & { s: Scenario } {
    const api = new FakeApi() as FakeApi & { s: Scenario };
    const s = scenario(now);
    api.s = s;
    api.paths = s.paths;
    const setState = (id: string, state: TransferInfo['state']): TransferInfo => {
      const t = s.transfers.find((x) => x.id === id);
      if (!t) throw coded('E_NOT_FOUND', `No transfer ${id}.`);
      t.state = state;
      if (state !== 'running') t.rate = 0;
      return { ...t };
    };
    Object.assign(api.handlers, {
      'app.info': () => ({ version: '0.0.0-test', shell, dataDir: '/tmp/pathwise-test' }),
      'paths.setPreference': (name: string, preference: PathInfo['preference']) => {
        api.paths = api.paths.map((p) => (p.name === name ? { ...p, preference } : p));
        return api.paths;
      },
      'battery.get': () => s.battery,
      'transfers.list': () => s.transfers.map((t) => ({ ...t })),
      'transfers.start': (request: { url: string; mode?: TransferInfo['mode']; paths?: string[] | null }) => {
        const name = new URL(request.url).pathname.split('/').pop() || 'download';
        const t: TransferInfo = {
          id: `t-${s.transfers.length + 1}`,
          url: request.url,
          file: `${s.settings.downloadDir}/${name}`,
          mode: request.mode ?? 'aggregate',
          state: 'queued',
          size: null,
          received: 0,
          rate: 0,
          paths: {},
          allowedPaths: request.paths ?? null,
          rangeSupport: null,
          sha256: null,
          error: null,
          createdAt: now,
          finishedAt: null,
        };
        s.transfers.unshift(t);
        return { ...t };
      },
      'transfers.pause': (id: string) => setState(id, 'paused'),
      'transfers.resume': (id: string) => setState(id, 'running'),
      'transfers.cancel': (id: string) => setState(id, 'cancelled'),
      'transfers.pauseAll': () => {
        for (const t of s.transfers)
          if (['queued', 'probing', 'running'].includes(t.state)) t.state = 'paused';
        return s.transfers.map((t) => ({ ...t }));
      },
      'transfers.resumeAll': () => {
        for (const t of s.transfers) if (t.state === 'paused') t.state = 'running';
        return s.transfers.map((t) => ({ ...t }));
      },
      'transfers.reveal': () => undefined,
      'continuity.list': () => s.continuity,
      'usage.summary': () => s.usage,
      'usage.history': (query: { resolution: 'minute' | 'hour' | 'day'; from: number; to: number }) =>
        s.history[query.resolution].filter((p) => p.t >= query.from && p.t <= query.to),
      'usage.periods': (query: { kind: PeriodKind; count?: number }) =>
        periodsOf(api, query.kind, query.count ?? { day: 30, month: 12, cycle: 6 }[query.kind]),
      // As the ledger does: an adjustment to the new figure, the new usage in the answer and pushed.
      'usage.correct': ({ path, bytes }: { path: string; bytes: number }) => adjust(api, path, bytes),
      'usage.reset': ({ path }: { path: string }) => adjust(api, path, 0),
      'alerts.list': () => s.alerts.map((a) => ({ ...a })),
      'alerts.markRead': (ids: string[]) => {
        for (const a of s.alerts) if (ids.includes(a.id)) a.read = true;
        return s.alerts.map((a) => ({ ...a }));
      },
      'settings.get': () => s.settings,
      'settings.update': (patch: Partial<Scenario['settings']>) => {
        Object.assign(s.settings, patch);
        return { ...s.settings };
      },
    } satisfies Handlers);
    return api;
  }

  /** Make these channels answer E_UNAVAILABLE, like a core whose engine or ledger isn't running. */
  unavailable(...channels: InvokeChannel[]): this {
    for (const channel of channels) delete this.handlers[channel];
    return this;
  }

  /** Make this channel fail with an error (a broken part, not a missing one). */
  failing(channel: InvokeChannel, error: Error): this {
    (this.handlers as Record<string, () => never>)[channel] = () => {
      throw error;
    };
    return this;
  }

  async invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    this.calls.push({ channel, args });
    if (this.failWith) throw this.failWith;
    const handler = this.handlers[channel] as ((...a: InvokeArgs<C>) => InvokeResult<C>) | undefined;
    if (!handler) throw coded('E_UNAVAILABLE', `"${channel}" is not available in this build of Pathwise.`);
    return handler(...args);
  }

  callsTo(channel: InvokeChannel): unknown[][] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.args);
  }

  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.listeners.set(channel, set);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  listenerCount(channel: EventChannel): number {
    return this.listeners.get(channel)?.size ?? 0;
  }

  push<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(payload);
  }
}

export function path(overrides: Partial<PathInfo> & { name: string }): PathInfo {
  return { type: 'wifi', addresses: [], up: true, metered: false, preference: 'always', ...overrides };
}

type ScenarioApi = FakeApi & { s: Scenario };

function adjust(api: ScenarioApi, path: string, bytes: number) {
  const p = api.s.usage.paths.find((u) => u.name === path);
  if (!p) throw coded('E_NOT_FOUND', `No usage on ${path} this cycle.`);
  const change = bytes - p.allBytes;
  p.allBytes = bytes;
  p.adjustedBytes = (p.adjustedBytes ?? 0) + change;
  api.corrections[path] = (api.corrections[path] ?? 0) + change;
  const usage = { ...api.s.usage, paths: api.s.usage.paths.map((u) => ({ ...u })) };
  api.push('usage', usage);
  return { change, usage };
}

type PeriodKind = 'day' | 'month' | 'cycle';
type Span = { label: string; start: number; end: number };

function addDays(t: number, days: number): number {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

function localDate(t: number): string {
  const d = new Date(t);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The ledger's spans, oldest first: days, calendar months, or cycles (30-day windows when sliding). */
function spansOf(kind: PeriodKind, count: number, pricing: Pricing | undefined, now: number): Span[] {
  const d = new Date(now);
  return Array.from({ length: count }, (_, k): Span => {
    const i = count - 1 - k;
    if (kind === 'day') {
      const start = addDays(now, -i);
      return { label: localDate(start), start, end: addDays(start, 1) };
    }
    if (kind === 'cycle' && pricing?.sliding) {
      const start = addDays(now, 1 - 30 * (i + 1));
      return { label: localDate(start), start, end: addDays(start, 30) };
    }
    const start = new Date(d.getFullYear(), d.getMonth() - i, 1).getTime();
    const end = new Date(d.getFullYear(), d.getMonth() - i + 1, 1).getTime();
    return { label: kind === 'month' ? localDate(start).slice(0, 7) : localDate(start), start, end };
  });
}

/**
 * `usage.periods` from the scenario's daily points, summed per path and span as the ledger sums
 * its day rows and priced by the scenario's plans. This cycle's corrections (the summary's
 * adjustedBytes) are booked on today, as the ledger books them.
 */
function periodsOf(api: ScenarioApi, kind: PeriodKind, count: number): UsagePeriod[] {
  const now = api.s.now;
  // A point a DST change moved off midnight belongs to the day it is nearest.
  const dayOf = (t: number): number => addDays(t + 12 * 3_600_000, 0);
  const today = addDays(now, 0);
  return Object.keys(PRICING)
    .sort()
    .flatMap((path) => {
      const pricing = PRICING[path] as Pricing;
      return spansOf(kind, count, pricing, now).map((span): UsagePeriod => {
        const mine = api.s.history.day.filter(
          (p) => p.path === path && dayOf(p.t) >= span.start && dayOf(p.t) < span.end,
        );
        const sum = (f: (p: UsagePoint) => number): number => mine.reduce((n, p) => n + f(p), 0);
        const current = today >= span.start && today < span.end;
        const adjusted = api.s.usage.paths.find((u) => u.name === path)?.adjustedBytes ?? 0;
        const allBytes = Math.max(0, sum((p) => p.allBytes) + (current ? (api.corrections[path] ?? 0) : 0));
        return {
          path,
          label: span.label,
          start: new Date(span.start).toISOString(),
          end: new Date(span.end).toISOString(),
          appBytes: sum((p) => p.appBytes),
          allBytes,
          estimatedBytes: sum((p) => p.estimatedBytes ?? 0),
          adjustedBytes: current ? adjusted : 0,
          cost: pricing.price > 0 ? priceOf(pricing, allBytes, kind === 'cycle') : null,
          currency: pricing.price > 0 ? 'USD' : null,
        };
      });
    });
}
