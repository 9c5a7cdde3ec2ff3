/**
 * Folder syncs as the contract shows them (`syncs.*` channels and the `syncs` push): a job, its
 * state, its last run and the run in progress. Re-exported by `contract.ts`; kept apart so the
 * contract file stays readable. The password is never part of any of it.
 */
import { z } from 'zod';

const bytes = z.number().nonnegative();
const jobName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);

/** What a failed run was about, for the words and the icon beside it. */
export const SyncErrorCauseSchema = z.enum([
  'auth',
  'quota',
  'server',
  'locked',
  'missing',
  'path',
  'allowance',
  'disk',
  'deletes',
  'other',
]);
export type SyncErrorCause = z.infer<typeof SyncErrorCauseSchema>;

const NETWORK =
  /^E_(DNS|REFUSED|UNREACHABLE|CONNECTION_LOST|TIMEOUT|STALLED|NETWORK|TLS|NO_PATH|PATHWISE_BIND_ADDON)$/;

/** The cause an error code names (`pathwise sync status` and the dashboard say the same). */
export function syncErrorCause(code: string): SyncErrorCause {
  if (code === 'E_AUTH') return 'auth';
  if (code === 'E_QUOTA') return 'quota';
  if (code === 'E_LOCKED') return 'locked';
  if (code === 'E_NOT_FOUND') return 'missing';
  if (code === 'E_SERVER' || code === 'E_HTTP_STATUS' || code === 'E_BAD_RESPONSE') return 'server';
  if (code === 'E_CAP_REACHED') return 'allowance';
  if (NETWORK.test(code)) return 'path';
  if (code === 'E_DISK' || code === 'E_DISK_FULL') return 'disk';
  if (code === 'E_SYNC_DELETES') return 'deletes';
  return 'other';
}

export const SYNC_CAUSE_TEXT: Record<SyncErrorCause, string> = {
  auth: 'the server refused the login or the access',
  quota: 'the server is full',
  server: 'the server failed',
  locked: 'a file is locked on the server',
  missing: 'a folder is missing on the server',
  path: 'the network path failed',
  allowance: 'a data allowance or cap is spent',
  disk: 'the local disk',
  deletes: 'it would delete too much and waits to be confirmed',
  other: 'another error',
};

export const SyncPolicyInfoSchema = z.object({
  kind: z.enum(['unmetered', 'cellular', 'any']),
  /** cellular: the job's allowance on metered paths per billing cycle; null: no allowance. */
  meteredBytes: z.number().nonnegative().nullable(),
});

export const SyncRunInfoSchema = z.object({
  startedAt: z.number(),
  finishedAt: z.number(),
  /** Both sides agreed at its end. */
  ok: z.boolean(),
  uploaded: z.number().int().nonnegative(),
  downloaded: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  /** Conflict copies the run made (paths relative to the folder). */
  conflicts: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string(), cause: SyncErrorCauseSchema }).nullable(),
});
export type SyncRunInfo = z.infer<typeof SyncRunInfoSchema>;

export const SyncProgressSchema = z.object({
  startedAt: z.number(),
  phase: z.enum(['listing', 'moving']),
  filesTotal: z.number().int().nonnegative(),
  filesDone: z.number().int().nonnegative(),
  /** This run's bytes per path so far. */
  bytes: z.record(z.string(), z.object({ up: bytes, down: bytes })),
});
export type SyncProgress = z.infer<typeof SyncProgressSchema>;

export const SyncStateSchema = z.enum(['never-run', 'in-step', 'failed', 'running', 'waiting', 'paused']);
export type SyncState = z.infer<typeof SyncStateSchema>;

export const SyncJobInfoSchema = z.object({
  name: jobName,
  local: z.string(),
  /** The server folder's URL, without any user or password it may have been written with. */
  remote: z.string(),
  user: z.string().nullable(),
  everyMinutes: z.number().nullable(),
  onPathChange: z.boolean(),
  policy: SyncPolicyInfoSchema,
  paths: z.array(z.string()).nullable(),
  rateBps: z.number().nullable(),
  batteryMinPercent: z.number().nullable(),
  paused: z.boolean(),
  state: SyncStateSchema,
  /** waiting: why it does not start now (battery, no path, another process runs it). */
  waitingFor: z.string().nullable(),
  lastRun: SyncRunInfoSchema.nullable(),
  /** When the schedule starts it next; null: by hand only, or paused. */
  nextRunAt: z.number().nullable(),
  progress: SyncProgressSchema.nullable(),
  /** The job's own bytes per path this billing cycle (each path's plan's cycle, else the month). */
  cycleBytes: z.record(z.string(), z.object({ rx: bytes, tx: bytes })),
  /**
   * Where the password is kept (never the password): sealed by the system keyring (the desktop
   * app's safeStorage), a file, an environment variable, or none; `note` says what the user
   * should know (a password kept unencrypted because there is no keyring, a keyring gone).
   */
  password: z.object({
    from: z.enum(['none', 'file', 'env', 'keyring']),
    note: z.string().nullable(),
  }),
});
export type SyncJobInfo = z.infer<typeof SyncJobInfoSchema>;

/**
 * A change to a job (`syncs.edit`): only the fields given change. Another local folder or server
 * URL is refused while the job runs, and starts a fresh journal (the next run compares both
 * folders afresh and deletes nothing).
 */
export const SyncJobEditSchema = z
  .object({
    local: z.string().min(1).optional(),
    remote: z.string().url().optional(),
    user: z.string().min(1).nullable().optional(),
    /** A new password or app token, kept sealed by the system keyring where there is one; null: none. Never sent back. */
    password: z.string().min(1).max(4096).nullable().optional(),
    everyMinutes: z.number().int().positive().nullable().optional(),
    onPathChange: z.boolean().optional(),
    batteryMinPercent: z.number().int().min(1).max(100).nullable().optional(),
    policy: z
      .object({
        kind: z.enum(['unmetered', 'cellular', 'any']),
        meteredBytes: z.number().int().nonnegative().nullable(),
      })
      .optional(),
    /** Only these interfaces, in order; null: those the policy allows. */
    paths: z.array(z.string().min(1)).min(1).nullable().optional(),
    rateBps: z.number().positive().nullable().optional(),
  })
  .strict();
export type SyncJobEdit = z.infer<typeof SyncJobEditSchema>;

export const SyncRunRequestSchema = z.object({
  /** Delete past the job's share this once (the run stopped and asked). */
  force: z.boolean().optional(),
});

const job = z.tuple([jobName]);

/** The `syncs.*` channels, merged into `invokeContract`. */
export const syncInvokeContract = {
  'syncs.list': { args: z.tuple([]), result: z.array(SyncJobInfoSchema) },
  /** Starts a run now (it goes on in the background; the `syncs` push follows it). */
  'syncs.run': { args: z.tuple([jobName, SyncRunRequestSchema]), result: SyncJobInfoSchema },
  /** Stops a running run (downloads keep what they have) and keeps the job from starting. */
  'syncs.pause': { args: job, result: SyncJobInfoSchema },
  'syncs.resume': { args: job, result: SyncJobInfoSchema },
  /** Changes a job (see SyncJobEditSchema). */
  'syncs.edit': { args: z.tuple([jobName, SyncJobEditSchema]), result: SyncJobInfoSchema },
  /** Removes the job and its journal; both folders are left as they are. */
  'syncs.remove': { args: job, result: z.array(SyncJobInfoSchema) },
} as const;
