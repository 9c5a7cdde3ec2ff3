import { mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { PathwiseError } from '../../common/errors.ts';
import { writeFileAtomic } from '../base/atomicWrite.ts';

export const SYNC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Where the job's password comes from: a file or an environment variable, read when a run starts.
 * The password itself is never stored by the job, shown, logged or put in --json. (In the desktop
 * app Electron's safeStorage is the place for it; that is not wired yet.)
 */
const SecretSchema = z.union([
  z.object({ file: z.string().refine(isAbsolute, 'a password file named from the root') }),
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }),
]);

export const SyncPolicySchema = z.object({
  /** unmetered: never a metered path; cellular: metered paths too, up to `meteredBytes` a billing cycle. */
  kind: z.enum(['unmetered', 'cellular', 'any']),
  meteredBytes: z.number().int().nonnegative().nullable(),
});
export type SyncPolicy = z.infer<typeof SyncPolicySchema>;

export const SyncJobSchema = z.object({
  name: z.string().regex(SYNC_NAME),
  local: z.string().refine(isAbsolute, 'a local folder named from the root'),
  remote: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'an http or https URL')
    .refine(
      (u) => !URL.canParse(u) || (new URL(u).username === '' && new URL(u).password === ''),
      'a URL without a user or password in it (they go in --user and a password file)',
    ),
  user: z.string().nullable(),
  password: SecretSchema.nullable(),
  /** Run every this many minutes in the app; null: by hand only. */
  everyMinutes: z.number().int().positive().nullable(),
  /** Also run in the app when the paths it may use change (one comes up, or goes). */
  onPathChange: z.boolean().default(false),
  /**
   * On battery (not charging) below this percentage the app does not start the job on its
   * schedule; null: any charge. A run asked for by hand goes ahead.
   */
  batteryMinPercent: z.number().int().min(1).max(100).nullable().default(null),
  policy: SyncPolicySchema,
  /** Only these interfaces (in order), like `get --paths`; null: the policy's paths. */
  paths: z.array(z.string()).nullable(),
  /** The job's rate limit, bytes per second (uploads: the total; downloads: shared over its paths). */
  rateBps: z.number().positive().nullable(),
  maxDeleteShare: z.number().min(0).max(1),
  keepDays: z.number().int().nonnegative(),
  paused: z.boolean(),
  createdAt: z.number(),
});
export type SyncJob = z.infer<typeof SyncJobSchema>;

const FileSchema = z.object({ version: z.literal(1), jobs: z.array(SyncJobSchema) });

export const SYNCS_DIR = 'syncs';

/**
 * The sync jobs, `<data dir>/syncs/jobs.json` (replaced atomically), each job's journal beside it
 * in `syncs/<name>/`. Read afresh on every call: the CLI and the app may both change it.
 */
export class SyncJobs {
  readonly dataDir: string;
  readonly dir: string;
  readonly file: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.dir = join(dataDir, SYNCS_DIR);
    this.file = join(this.dir, 'jobs.json');
  }

  list(): SyncJob[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
    const parsed = FileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new PathwiseError(
        'E_BAD_SETTINGS',
        `${this.file} is not a valid list of sync jobs: ${parsed.error.issues[0]?.message}.`,
      );
    }
    return parsed.data.jobs;
  }

  get(name: string): SyncJob {
    const job = this.list().find((j) => j.name === name);
    if (!job)
      throw new PathwiseError(
        'E_NOT_FOUND',
        `There is no sync job "${name}". "pathwise sync list" shows the jobs.`,
      );
    return job;
  }

  journalDir(name: string): string {
    return join(this.dir, name);
  }

  async add(job: SyncJob): Promise<SyncJob> {
    const checked = SyncJobSchema.parse(job);
    const jobs = this.list();
    if (jobs.some((j) => j.name === job.name)) {
      throw new PathwiseError(
        'E_EXISTS',
        `A sync job "${job.name}" exists already; remove it first or choose another name.`,
      );
    }
    await this.save([...jobs, checked]);
    return checked;
  }

  async update(name: string, change: Partial<SyncJob>): Promise<SyncJob> {
    const jobs = this.list();
    const index = jobs.findIndex((j) => j.name === name);
    if (index < 0) this.get(name);
    const next = SyncJobSchema.parse({ ...jobs[index], ...change, name });
    jobs[index] = next;
    await this.save(jobs);
    return next;
  }

  /** Removes the job and its journal; the folders it synced are not touched. */
  async remove(name: string): Promise<SyncJob> {
    const job = this.get(name);
    await this.save(this.list().filter((j) => j.name !== name));
    await rm(this.journalDir(name), { recursive: true, force: true });
    return job;
  }

  private async save(jobs: SyncJob[]): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, jobs }, null, 2)}\n`);
  }
}

/** Reads the job's password from where the job says, never from the job itself. */
export function readSecret(job: SyncJob, env: NodeJS.ProcessEnv): string | null {
  const from = job.password;
  if (!from) return null;
  if ('env' in from) {
    const value = env[from.env];
    if (value === undefined) {
      throw new PathwiseError(
        'E_AUTH',
        `The sync job "${job.name}" takes its password from $${from.env}, which is not set.`,
      );
    }
    return value;
  }
  try {
    return readFileSync(from.file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new PathwiseError(
      'E_AUTH',
      `The password file of the sync job "${job.name}" (${from.file}) cannot be read: ${(error as Error).message}.`,
    );
  }
}
