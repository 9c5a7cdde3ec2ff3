/**
 * The one contract between the core service and every UI (Electron renderer via preload IPC,
 * browser via the headless host's WebSocket). Types are derived from the zod schemas so the two
 * can never drift; both shells validate every incoming message against these schemas.
 */
import { z } from 'zod';

export const PathTypeSchema = z.enum([
  'ethernet',
  'wifi',
  'cellular',
  'tether',
  'vpn',
  'loopback',
  'virtual',
  'unknown',
]);
export type PathType = z.infer<typeof PathTypeSchema>;

export const PreferenceSchema = z.enum(['always', 'secondary', 'backup', 'never']);
export type Preference = z.infer<typeof PreferenceSchema>;

export const MeteredSchema = z.enum(['yes', 'no', 'unknown']);
export type Metered = z.infer<typeof MeteredSchema>;

export const PathInfoSchema = z.object({
  name: z.string(),
  type: PathTypeSchema,
  addresses: z.array(z.string()),
  up: z.boolean(),
  metered: z.boolean(),
  meteredSource: z.string().optional(),
  preference: PreferenceSchema,
  mac: z.string().optional(),
  mtu: z.number().optional(),
  speedMbps: z.number().nullable().optional(),
  ssid: z.string().nullable().optional(),
  signalDbm: z.number().nullable().optional(),
  rxBytes: z.number().optional(),
  txBytes: z.number().optional(),
  rxRate: z.number().optional(),
  txRate: z.number().optional(),
});
export type PathInfo = z.infer<typeof PathInfoSchema>;

/** Request/response channels: name -> argument tuple and result. */
export const invokeContract = {
  'paths.list': { args: z.tuple([]), result: z.array(PathInfoSchema) },
  'app.info': {
    args: z.tuple([]),
    result: z.object({ version: z.string(), shell: z.enum(['electron', 'headless']) }),
  },
} as const;

/** Push channels: name -> payload, sent from the core to every UI. */
export const eventContract = {
  paths: z.array(PathInfoSchema),
} as const;

export type InvokeContract = typeof invokeContract;
export type InvokeChannel = keyof InvokeContract;
export type InvokeArgs<C extends InvokeChannel> = z.infer<InvokeContract[C]['args']>;
export type InvokeResult<C extends InvokeChannel> = z.infer<InvokeContract[C]['result']>;
export type EventContract = typeof eventContract;
export type EventChannel = keyof EventContract;
export type EventPayload<C extends EventChannel> = z.infer<EventContract[C]>;

export const invokeChannels = Object.keys(invokeContract) as InvokeChannel[];
export const eventChannels = Object.keys(eventContract) as EventChannel[];

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && Object.hasOwn(invokeContract, value);
}

/** What a UI sees: one async function per invoke channel, plus a subscription for pushes. */
export type PathwiseApi = {
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>>;
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
};

/** Messages on the headless host's WebSocket. */
export const WireRequestSchema = z.object({
  kind: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  channel: z.string(),
  args: z.array(z.unknown()),
});
export type WireRequest = z.infer<typeof WireRequestSchema>;

export type WireMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: { code: string; message: string } }
  | { kind: 'event'; channel: EventChannel; payload: unknown };
