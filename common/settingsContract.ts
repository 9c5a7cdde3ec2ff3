/**
 * The part of the contract (see contract.ts, which re-exports all of it) that the command line
 * needs on its own: settings and plans, path types and preferences, transfer modes. `pathwise get`
 * checks its settings file and its arguments with these, and building every other schema of the
 * contract as well would hold its first request back (~10 ms of zod at start-up).
 */
import { z } from 'zod';

export const name = z.string().min(1).max(64);
export const bytes = z.number().nonnegative();

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

export const TransferModeSchema = z.enum(['aggregate', 'handover', 'interactive']);
export type TransferMode = z.infer<typeof TransferModeSchema>;

// ─── Settings and plans ──────────────────────────────────────────────────────────────────────

export const PlanSchema = z.object({
  capBytes: bytes.nullable(),
  cycle: z.discriminatedUnion('kind', [
    /** From `startDay` each month, clamped to short months: 31 is the last day of every month. */
    z.object({ kind: z.literal('monthly'), startDay: z.number().int().min(1).max(31) }),
    /** A sliding window: the 30 days ending today (nothing resets; old days slide out). */
    z.object({ kind: z.literal('rolling30') }),
    /** Prepaid: 30-day periods from the activation day (YYYY-MM-DD, local), each starting afresh. */
    z.object({
      kind: z.literal('prepaid30'),
      activated: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'The activation day is a date: YYYY-MM-DD.'),
    }),
  ]),
  pricePerGb: z.number().nonnegative(),
  overagePricePerGb: z.number().nonnegative(),
  atCap: z.enum(['stop', 'rate-limit', 'allow']),
  /** Used when atCap is 'rate-limit'. */
  rateLimitBps: z.number().positive().nullable(),
  currency: z.string().min(1).max(8),
  /** A fixed fee per cycle, paid whatever the use; cost = fee + the per-GB prices. */
  monthlyFee: z.number().nonnegative().optional(),
  /**
   * What the plan is for (see planIdentity.ts): `sim:<IMSI or ICCID>`, `ssid:<Wi-Fi name>` or
   * `mac:<address>`, and the adapter's address it was seen on. Plans from before have neither
   * and are found by their path's name until the app ties them to what that path is.
   */
  identity: z.string().min(1).max(200).optional(),
  mac: z.string().min(1).max(64).optional(),
});
export type Plan = z.infer<typeof PlanSchema>;

export const PathOverrideSchema = z.object({
  type: PathTypeSchema.optional(),
  metered: z.boolean().optional(),
});
export type PathOverride = z.infer<typeof PathOverrideSchema>;

/** A path from the root: `/…`, `C:\…`, `C:/…` or `\\server\share` (no node:path: the renderer shares this file). */
function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

export const SettingsSchema = z.object({
  preferences: z.record(name, PreferenceSchema),
  overrides: z.record(name, PathOverrideSchema),
  plans: z.record(name, PlanSchema),
  /** Alert thresholds as fractions of the cap, e.g. [0.75, 1]. */
  capThresholds: z.array(z.number().gt(0).max(2)).max(8),
  probeUrl: z
    .string()
    .max(2048)
    .refine(
      (u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol),
      'The probe URL must be http(s).',
    ),
  probeIntervalMs: z.number().int().min(1000).max(3_600_000),
  downloadDir: z
    .string()
    .min(1)
    .max(4096)
    .refine(
      isAbsolutePath,
      'The download folder must be an absolute path (such as /home/me/Downloads), not relative to wherever Pathwise was started.',
    ),
  notifications: z.boolean(),
  launchAtLogin: z.boolean(),
  /** Keep the machine from sleeping while a download runs (the desktop app); off unless allowed. */
  keepAwake: z.boolean().optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const SettingsPatchSchema = SettingsSchema.partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;
