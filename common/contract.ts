/**
 * The one contract between the core service and every UI (Electron renderer via preload IPC,
 * browser via the headless host's WebSocket). Types are derived from the zod schemas so the two
 * can never drift; both shells validate every incoming message against these schemas.
 *
 * Sizes are bytes, rates bytes per second, times epoch milliseconds, money in the plan's
 * currency units, energy in watt-hours.
 */
import { z } from 'zod';
import {
  bytes,
  name,
  PathOverrideSchema,
  PathTypeSchema,
  PreferenceSchema,
  SettingsPatchSchema,
  SettingsSchema,
  TransferModeSchema,
} from './settingsContract.ts';
import { SyncJobInfoSchema, syncInvokeContract } from './syncContract.ts';

// Settings, plans, path types, preferences and transfer modes live in `settingsContract.ts`, which
// the command line loads without the rest of this file (see there); they are part of this contract.
export {
  PathOverrideSchema,
  PathTypeSchema,
  PlanSchema,
  PreferenceSchema,
  SettingsPatchSchema,
  SettingsSchema,
  TransferModeSchema,
} from './settingsContract.ts';
// Folder syncs' shapes live in `syncContract.ts`; they are part of this contract.
export * from './syncContract.ts';
export type {
  PathOverride,
  PathType,
  Plan,
  Preference,
  Settings,
  SettingsPatch,
  TransferMode,
} from './settingsContract.ts';

// ─── Paths (monitor) ─────────────────────────────────────────────────────────────────────────

/**
 * One health verdict per path, shared by the monitor and the engine (main/monitor/HealthVerdicts.ts):
 * `suspect` is a path the engine or the traffic saw fail, not yet confirmed by a probe; `captive`
 * is behind a captive portal (shown to users as `portal`, see PathStateSchema).
 */
export const HealthStatusSchema = z.enum(['good', 'degraded', 'suspect', 'captive', 'offline', 'unknown']);
export type HealthStatus = z.infer<typeof HealthStatusSchema>;

export const PathHealthSchema = z.object({
  status: HealthStatusSchema,
  rttMs: z.number().nullable(),
  checkedAt: z.number().nullable(),
  /** Why the path is in this state, in words (the reason `pathwise watch` prints). */
  detail: z.string().optional(),
  /** `captive` only: the portal's sign-in page (http or https), what "Open login page" opens. */
  portalUrl: z.string().optional(),
  /** When the path entered this status (epoch ms). */
  since: z.number().optional(),
});
export type PathHealth = z.infer<typeof PathHealthSchema>;

export const PathBindingSchema = z.object({
  /** How sockets are pinned to this path: the device (SO_BINDTODEVICE) or only the source address. */
  mode: z.enum(['device', 'address']),
  /** null until a transfer has been checked against the interface's own counters. */
  verified: z.boolean().nullable(),
});
export type PathBinding = z.infer<typeof PathBindingSchema>;

export const PathInfoSchema = z.object({
  name: z.string(),
  type: PathTypeSchema,
  addresses: z.array(z.string()),
  up: z.boolean(),
  metered: z.boolean(),
  /** Where the metered flag came from: the OS (NetworkManager, Windows), the type rule, or the user. */
  meteredSource: z.enum(['os', 'type', 'user']).optional(),
  preference: PreferenceSchema,
  mac: z.string().optional(),
  /**
   * What is paid for on this path, which its plan is tied to (see planIdentity.ts): the modem's
   * SIM (`sim:…`, ModemManager), the Wi-Fi network (`ssid:…`) or the adapter (`mac:…`); absent
   * when none is known (yet). The name is only a label: it changes with the USB port.
   */
  identity: z.string().optional(),
  mtu: z.number().optional(),
  driver: z.string().optional(),
  speedMbps: z.number().nullable().optional(),
  ssid: z.string().nullable().optional(),
  signalDbm: z.number().nullable().optional(),
  gateway: z.string().nullable().optional(),
  /** OS counters for all traffic of the machine on this interface. */
  rxBytes: z.number().optional(),
  txBytes: z.number().optional(),
  rxRate: z.number().optional(),
  txRate: z.number().optional(),
  health: PathHealthSchema.optional(),
  /** Bytes Pathwise's own health probes moved on this path (sent + received) since it started. */
  probeBytes: z.number().optional(),
  binding: PathBindingSchema.optional(),
  /**
   * A VPN's only: the physical path its tunnel rides on (its bytes cross that path too,
   * encrypted), or null when it is not known which. Totals count physical paths only.
   */
  ridesOn: z.string().nullable().optional(),
});
export type PathInfo = z.infer<typeof PathInfoSchema>;

export const PathEventTypeSchema = z.enum([
  'path-added',
  'path-removed',
  'path-up',
  'path-down',
  'address-changed',
  'health-changed',
]);
/** A path's health as `pathwise watch`, the tray and the cards name it (`good` is `up`, `captive` is `portal`). */
export const PathStateSchema = z.enum(['up', 'suspect', 'degraded', 'portal', 'offline', 'unknown']);
export type PathState = z.infer<typeof PathStateSchema>;

export const PathEventSchema = z.object({
  type: PathEventTypeSchema,
  name: z.string(),
  at: z.string(),
  path: PathInfoSchema.optional(),
  addresses: z.array(z.string()).optional(),
  health: PathHealthSchema.optional(),
  /** health-changed: the new state in a word, and why. */
  state: PathStateSchema.optional(),
  reason: z.string().optional(),
});
export type PathEvent = z.infer<typeof PathEventSchema>;

export const BatterySchema = z.object({
  present: z.boolean(),
  percent: z.number().nullable(),
  charging: z.boolean(),
  acConnected: z.boolean(),
  capacityWh: z.number().nullable(),
  /** Measured from the battery: watts drawn while discharging, null when charging or unknown. */
  dischargeW: z.number().nullable(),
  /** How dischargeW was measured: the battery's own power meter, or its stored energy falling over time. */
  dischargeSource: z.enum(['power-meter', 'energy-drop']).nullable().optional(),
});
export type Battery = z.infer<typeof BatterySchema>;

// ─── Transfers (engine) ──────────────────────────────────────────────────────────────────────

export const TransferStateSchema = z.enum([
  'queued',
  'probing',
  'running',
  'paused',
  'done',
  'failed',
  'cancelled',
]);
export type TransferState = z.infer<typeof TransferStateSchema>;

export const TransferPathStateSchema = z.enum([
  'idle',
  'active',
  'stalled',
  'down',
  'capped',
  'excluded',
  'unverified',
]);

export const TransferPathSchema = z.object({
  bytes: bytes,
  rate: z.number().nonnegative(),
  state: TransferPathStateSchema,
  /** Why this path asks nothing now although it could, in words (a server asked it to wait). */
  waiting: z.string().optional(),
});

export const ErrorInfoSchema = z.object({ code: z.string(), message: z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/**
 * Why a running download moves nothing: every path it may use is at its data cap (`paths`: those
 * paths), or none of them is up and usable, or the server asked every path to wait (`server`: a
 * 429 or 503; `paths`: those paths), or the signed link the URL led to stopped working and a
 * fresh one is being asked for (`link`). It resumes on its own when that changes.
 */
export const TransferWaitSchema = z.object({
  reason: z.enum(['cap', 'no-path', 'server', 'link']),
  paths: z.array(z.string()),
  /** The same in words, for `server` and `link`: "example.com asked to wait 30 s (429 Too Many Requests), 27 s left". */
  detail: z.string().optional(),
});
export type TransferWait = z.infer<typeof TransferWaitSchema>;

/** One server of a download from mirrors (`pathwise get URL1 URL2 …`, a Metalink: main/engine/Mirrors.ts). */
export const TransferSourceSchema = z.object({
  url: z.string(),
  /** new, probing, ready (serving), resting (asked again after a back-off), dropped (not asked again). */
  state: z.enum(['new', 'probing', 'ready', 'resting', 'dropped']),
  /** Payload bytes received from it in this run. */
  bytes,
  /** Why it rests or was dropped; null while it serves. */
  why: z.string().nullable(),
});
export type TransferSource = z.infer<typeof TransferSourceSchema>;

export const TransferInfoSchema = z.object({
  id: z.string(),
  url: z.string(),
  file: z.string(),
  mode: TransferModeSchema,
  state: TransferStateSchema,
  size: z.number().nullable(),
  received: bytes,
  rate: z.number().nonnegative(),
  paths: z.record(z.string(), TransferPathSchema),
  allowedPaths: z.array(z.string()).nullable(),
  rangeSupport: z.boolean().nullable(),
  sha256: z.string().nullable(),
  error: ErrorInfoSchema.nullable(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
  /** Set while a running download waits (see TransferWaitSchema); absent or null otherwise. */
  waiting: TransferWaitSchema.nullable().optional(),
  /** A download from mirrors: each source, its state and bytes; absent for one URL. */
  sources: z.array(TransferSourceSchema).max(256).optional(),
});
export type TransferInfo = z.infer<typeof TransferInfoSchema>;

export const StartTransferSchema = z.object({
  url: z
    .string()
    .max(8192)
    .refine(
      (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
      'Enter an http:// or https:// URL.',
    ),
  mode: TransferModeSchema.default('aggregate'),
  /** Restrict to these paths; null or absent means the policy's paths. */
  paths: z.array(name).max(32).nullable().optional(),
  /** A file name inside the download folder; derived from the URL or Content-Disposition when absent. */
  fileName: z.string().min(1).max(255).optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'A SHA-256 is 64 hex digits.')
    .optional(),
  /** Per-transfer byte caps, path name → bytes. */
  caps: z.record(name, bytes).optional(),
  /** More addresses of the same file (mirrors): ranges are spread over them, each checked to match. */
  mirrors: z
    .array(
      z
        .string()
        .max(8192)
        .refine(
          (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
          'Each mirror is an http:// or https:// URL.',
        ),
    )
    .max(32)
    .optional(),
  /**
   * A login the file's site asks for (HTTP Basic), sent to the addresses the user gave and never
   * after a redirect to another site; kept in memory only (never in the journal, the list or a
   * message), so a download resumed after a restart asks for it again.
   */
  login: z
    .object({
      user: z
        .string()
        .min(1, 'Enter the user name.')
        .max(1024)
        .regex(/^[^:\p{Cc}]*$/u, 'A user name has no colon or control characters.'),
      password: z
        .string()
        .max(4096)
        .regex(/^\P{Cc}*$/u, 'A password has no control characters.'),
    })
    .optional(),
});
export type StartTransfer = z.infer<typeof StartTransferSchema>;

/** One step of a path's health on the timeline: the state it entered, when (epoch ms), and why. */
export const HealthStepSchema = z.object({ state: PathStateSchema, at: z.number(), reason: z.string() });
export type HealthStep = z.infer<typeof HealthStepSchema>;

/**
 * Continuity timeline: handovers, failovers and what they cost; and `health`, a path's trouble
 * from its first step off `up` to its return (main/monitor/HealthTimeline.ts), one entry told again
 * as it goes on, its steps in order.
 */
export const ContinuityEventSchema = z.object({
  id: z.string(),
  at: z.number(),
  kind: z.enum(['handover', 'failover', 'path-lost', 'path-restored', 'restart', 'cap-reached', 'health']),
  transferId: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  /** Bytes that had to be fetched again because of this event. */
  bytesLost: bytes,
  /** Longest time no payload arrived around this event. */
  stallMs: z.number().nonnegative(),
  detail: z.string().optional(),
  /** path-lost: the engine's error code (E_STALLED, E_TIMEOUT, …), which the monitor's verdict reads. */
  code: z.string().optional(),
  /** health: the path's steps (suspect → offline → up …); the last is its state now. */
  steps: z.array(HealthStepSchema).max(64).optional(),
});
export type ContinuityEvent = z.infer<typeof ContinuityEventSchema>;

// ─── Usage, cost, energy, alerts (ledger) ────────────────────────────────────────────────────

export const CycleSchema = z.object({ start: z.string(), end: z.string() });

/** Where this cycle's use will end, as a range (issue 20 case 9). */
export const UsageForecastSchema = z.object({
  lowBytes: bytes,
  highBytes: bytes,
  lowCost: z.number().nonnegative(),
  highCost: z.number().nonnegative(),
});
export type UsageForecast = z.infer<typeof UsageForecastSchema>;

export const PathUsageSchema = z.object({
  name: z.string(),
  appBytes: bytes,
  allBytes: bytes,
  capBytes: z.number().nullable(),
  cost: z.number().nonnegative(),
  forecastBytes: bytes,
  forecastCost: z.number().nonnegative(),
  /** Radio energy estimated by the model in common/radioModel.ts: the middle of the range below. */
  energyWh: z.number().nonnegative(),
  /** energyWh as a share of this machine's battery; null without one, or when energyOn isn't 'laptop'. */
  energyBatteryPct: z.number().nullable(),
  /** What the ledger's records allow the model's figure to be (issue 20 case 11). */
  energyLowWh: z.number().nonnegative().optional(),
  energyHighWh: z.number().nonnegative().optional(),
  /** Whose battery the radio drains: this machine's, the phone's (a tether), none (wired); absent: 'laptop'. */
  energyOn: z.enum(['laptop', 'phone', 'none']).optional(),
  currency: z.string().nullable(),
  cycle: CycleSchema,
  /**
   * Of allBytes, bytes counted for a time Pathwise was closed and spread over it: their day (and
   * so their cycle) is an estimate.
   */
  estimatedBytes: bytes.optional(),
  /**
   * The forecast as a range; null while there is not a complete day of data, or on a sliding
   * window (it has no end). forecastBytes/forecastCost are then the use so far, not extrapolated.
   */
  forecast: UsageForecastSchema.nullable().optional(),
  /**
   * Of allBytes, what corrections to the carrier's figure and resets added (negative: took away)
   * this cycle; allBytes already includes it.
   */
  adjustedBytes: z.number().optional(),
  /** Of cost, the plan's fixed fee (the rest is the per-GB price). */
  feeCost: z.number().nonnegative().optional(),
  /** A VPN's only (see PathInfo.ridesOn): its bytes are in that path's too, and in no total. */
  ridesOn: z.string().nullable().optional(),
});
export type PathUsage = z.infer<typeof PathUsageSchema>;

/** One path's use over one day, month or billing cycle (`pathwise usage --days|--months|--cycles`). */
export const UsagePeriodSchema = z.object({
  path: z.string(),
  /** The period's first local date: YYYY-MM-DD, or YYYY-MM for a month. */
  label: z.string(),
  start: z.string(),
  end: z.string(),
  appBytes: bytes,
  allBytes: bytes,
  estimatedBytes: bytes,
  adjustedBytes: z.number(),
  /** The plan's price for it (with the fixed fee for a cycle); null without a plan. */
  cost: z.number().nullable(),
  currency: z.string().nullable(),
});
export type UsagePeriod = z.infer<typeof UsagePeriodSchema>;

/** Which history `usage.periods` answers: the last `count` days, calendar months or billing cycles. */
export const UsagePeriodQuerySchema = z.object({
  kind: z.enum(['day', 'month', 'cycle']),
  /** How many, up to now; the CLI's defaults (30 days, 12 months, 6 cycles) when absent. */
  count: z.number().int().min(1).max(400).optional(),
});
export type UsagePeriodQuery = z.infer<typeof UsagePeriodQuerySchema>;

export const UsageSummarySchema = z.object({
  paths: z.array(PathUsageSchema),
  cycle: CycleSchema,
  battery: BatterySchema.nullable(),
  /** allBytes across the physical paths, each byte once: no VPN (see ridesOn), no bridge. */
  totalBytes: bytes.optional(),
});
export type UsageSummary = z.infer<typeof UsageSummarySchema>;

/** A correction (`usage.correct`, `usage.reset`): what it added (negative: took away), and the cycle after it. */
export const UsageAdjustmentSchema = z.object({ change: z.number(), usage: UsageSummarySchema });
export type UsageAdjustment = z.infer<typeof UsageAdjustmentSchema>;

export const UsageHistoryQuerySchema = z.object({
  resolution: z.enum(['minute', 'hour', 'day']),
  from: z.number(),
  to: z.number(),
  paths: z.array(name).max(64).optional(),
});
export type UsageHistoryQuery = z.infer<typeof UsageHistoryQuerySchema>;

export const UsagePointSchema = z.object({
  t: z.number(),
  path: z.string(),
  appBytes: bytes,
  allBytes: bytes,
  /** Of allBytes, bytes spread over a time Pathwise was closed (see PathUsage.estimatedBytes). */
  estimatedBytes: bytes.optional(),
});
export type UsagePoint = z.infer<typeof UsagePointSchema>;

/** One live sample a second: per-path rates, app (engine) and whole machine (OS counters). */
export const ThroughputSampleSchema = z.object({
  t: z.number(),
  paths: z.record(
    z.string(),
    z.object({
      appRate: z.number().nonnegative(),
      rxRate: z.number().nonnegative(),
      txRate: z.number().nonnegative(),
    }),
  ),
});
export type ThroughputSample = z.infer<typeof ThroughputSampleSchema>;

export const AlertKindSchema = z.enum([
  'cap-threshold',
  'cap-forecast',
  'unexpected-cellular',
  'handover',
  'transfer-done',
  'transfer-failed',
  'captive-portal',
  'metered-fallback',
  'sync-conflict',
  'sync-failed',
]);
export const AlertSchema = z.object({
  id: z.string(),
  kind: AlertKindSchema,
  severity: z.enum(['info', 'warning', 'critical']),
  path: z.string().nullable(),
  /** The download an alert is about (finished, failed, handed over); null otherwise, and in old alerts. */
  transferId: z.string().nullable(),
  title: z.string(),
  message: z.string(),
  at: z.number(),
  read: z.boolean(),
});
export type Alert = z.infer<typeof AlertSchema>;

/** The About panel: what runs, where it keeps its data and log, what it bundles, what went wrong. */
export const AboutSchema = z.object({
  version: z.string(),
  shell: z.enum(['electron', 'headless']),
  dataDir: z.string(),
  /** The log file (rotated in the data home); null where nothing is logged to a file. */
  logFile: z.string().nullable(),
  /** The runtime: Node's version, and Electron's and Chromium's in the desktop app. */
  runtime: z.record(z.string(), z.string()),
  /** The dependencies the app bundles, each with its licence (SPDX) as its package declares it. */
  licences: z.array(z.object({ name: z.string(), version: z.string(), license: z.string() })),
  /** What went wrong while starting or since (a settings file moved aside, counters off), newest last. */
  warnings: z.array(z.object({ message: z.string(), at: z.number() })),
  /** The desktop app's auto-update in a line (off and why, or what it last did); absent headless. */
  updates: z.string().optional(),
});
export type About = z.infer<typeof AboutSchema>;

// ─── Channels ────────────────────────────────────────────────────────────────────────────────

const id = z.string().min(1).max(64);

/** Request/response channels: name -> argument tuple and result. */
export const invokeContract = {
  'app.info': {
    args: z.tuple([]),
    result: z.object({ version: z.string(), shell: z.enum(['electron', 'headless']), dataDir: z.string() }),
  },
  'app.about': { args: z.tuple([]), result: AboutSchema },
  /**
   * A folder chosen in the OS's own dialog, starting at the given one (Electron); null when the
   * user cancelled. Elsewhere E_UNSUPPORTED: the browser dashboard takes a typed path.
   */
  'dialog.chooseFolder': { args: z.tuple([z.string().max(4096)]), result: z.string().nullable() },
  'paths.list': { args: z.tuple([]), result: z.array(PathInfoSchema) },
  'paths.setPreference': { args: z.tuple([name, PreferenceSchema]), result: z.array(PathInfoSchema) },
  /** The user's type/metered correction for a path (wins over the OS and the type rule); {} clears it. */
  'paths.setOverride': { args: z.tuple([name, PathOverrideSchema]), result: z.array(PathInfoSchema) },
  /**
   * The sign-in page of the captive portal a path is behind. The Electron shell opens it in the
   * default browser (`opened: true`); elsewhere the caller opens `url` itself (a browser tab).
   */
  'paths.openPortal': {
    args: z.tuple([name]),
    result: z.object({ url: z.string(), opened: z.boolean() }),
  },
  'battery.get': { args: z.tuple([]), result: BatterySchema },
  'transfers.list': { args: z.tuple([]), result: z.array(TransferInfoSchema) },
  'transfers.start': { args: z.tuple([StartTransferSchema]), result: TransferInfoSchema },
  'transfers.pause': { args: z.tuple([id]), result: TransferInfoSchema },
  'transfers.resume': { args: z.tuple([id]), result: TransferInfoSchema },
  'transfers.cancel': { args: z.tuple([id]), result: TransferInfoSchema },
  /** Moves a download to these paths (null: the preferences'), resuming from what it has on disk. */
  'transfers.setPaths': {
    args: z.tuple([id, z.array(name).min(1).max(32).nullable()]),
    result: TransferInfoSchema,
  },
  'transfers.pauseAll': { args: z.tuple([]), result: z.array(TransferInfoSchema) },
  'transfers.resumeAll': { args: z.tuple([]), result: z.array(TransferInfoSchema) },
  /** Show the file in the OS file manager (Electron); the headless host answers E_UNSUPPORTED. */
  'transfers.reveal': { args: z.tuple([id]), result: z.void() },
  'continuity.list': { args: z.tuple([]), result: z.array(ContinuityEventSchema) },
  'usage.summary': { args: z.tuple([]), result: UsageSummarySchema },
  'usage.history': { args: z.tuple([UsageHistoryQuerySchema]), result: z.array(UsagePointSchema) },
  /** History per path by day, month or billing cycle (`pathwise usage --days|--months|--cycles`). */
  'usage.periods': { args: z.tuple([UsagePeriodQuerySchema]), result: z.array(UsagePeriodSchema) },
  /** Sets this cycle's count on a path to the carrier's figure (`pathwise usage --correct`). */
  'usage.correct': {
    args: z.tuple([z.object({ path: name, bytes: bytes.int().max(Number.MAX_SAFE_INTEGER) })]),
    result: UsageAdjustmentSchema,
  },
  /** Starts this cycle's count on a path from zero (`pathwise usage --reset`). */
  'usage.reset': { args: z.tuple([z.object({ path: name })]), result: UsageAdjustmentSchema },
  'alerts.list': { args: z.tuple([]), result: z.array(AlertSchema) },
  'alerts.markRead': { args: z.tuple([z.array(id).max(1000)]), result: z.array(AlertSchema) },
  'settings.get': { args: z.tuple([]), result: SettingsSchema },
  'settings.update': { args: z.tuple([SettingsPatchSchema]), result: SettingsSchema },
  ...syncInvokeContract,
} as const;

/** Push channels: name -> payload, sent from the core to every UI. */
export const eventContract = {
  paths: z.array(PathInfoSchema),
  pathEvent: PathEventSchema,
  battery: BatterySchema,
  transfers: z.array(TransferInfoSchema),
  continuity: ContinuityEventSchema,
  throughput: ThroughputSampleSchema,
  usage: UsageSummarySchema,
  alert: AlertSchema,
  settings: SettingsSchema,
  /** The sync jobs, whenever one starts, progresses, ends or changes. */
  syncs: z.array(SyncJobInfoSchema),
} as const;

export type InvokeContract = typeof invokeContract;
export type InvokeChannel = keyof InvokeContract;
/** Arguments as the caller writes them (defaults may be omitted). */
export type InvokeArgs<C extends InvokeChannel> = z.input<InvokeContract[C]['args']>;
/** Arguments as handlers receive them, after validation and defaults. */
export type InvokeParsedArgs<C extends InvokeChannel> = z.output<InvokeContract[C]['args']>;
export type InvokeResult<C extends InvokeChannel> = z.infer<InvokeContract[C]['result']>;
export type EventContract = typeof eventContract;
export type EventChannel = keyof EventContract;
export type EventPayload<C extends EventChannel> = z.infer<EventContract[C]>;

export const invokeChannels = Object.keys(invokeContract) as InvokeChannel[];
export const eventChannels = Object.keys(eventContract) as EventChannel[];

export function isInvokeChannel(value: unknown): value is InvokeChannel {
  return typeof value === 'string' && Object.hasOwn(invokeContract, value);
}

/** What a UI sees: one async call per invoke channel, plus a subscription for pushes. */
export type PathwiseApi = {
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<InvokeResult<C>>;
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void;
};

/** Messages on the headless host's WebSocket. */
export const WireRequestSchema = z.object({
  kind: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(64),
  args: z.array(z.unknown()).max(8),
});
export type WireRequest = z.infer<typeof WireRequestSchema>;

export type WireMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: ErrorInfo }
  | { kind: 'event'; channel: EventChannel; payload: unknown };
