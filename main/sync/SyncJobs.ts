import { mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { PathwiseError } from '../../common/errors.ts';
import { writeFileAtomic } from '../base/atomicWrite.ts';
import type { SecretBox } from '../base/secretBox.ts';
import { openSecret, passwordFile, SecretSchema, storePassword } from './jobSecrets.ts';

export const SYNC_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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
  /** The shell's encryption for passwords the app is given (the desktop app's safeStorage). */
  readonly secrets: SecretBox | undefined;

  constructor(dataDir: string, options: { secrets?: SecretBox } = {}) {
    this.dataDir = dataDir;
    this.dir = join(dataDir, SYNCS_DIR);
    this.file = join(this.dir, 'jobs.json');
    this.secrets = options.secrets;
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

  /**
   * Gives the job a password (the app's: sealed by `secrets`, else in a 0600 file that says why;
   * see jobSecrets.ts), or none (null).
   */
  async setPassword(name: string, plain: string | null): Promise<SyncJob> {
    this.get(name);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    return this.update(name, { password: await storePassword(this.dir, name, plain, this.secrets) });
  }

  /**
   * The job's password for a run (jobSecrets.ts): from its file or variable, or opened by
   * `secrets`. A seal the keyring asks to renew (its key rotated) is sealed again and kept.
   */
  async openPassword(job: SyncJob, env: NodeJS.ProcessEnv): Promise<string | null> {
    const { plain, reseal } = await openSecret(job, env, this.secrets);
    if (reseal && plain !== null) {
      // The old seal still opens; a failure to keep the new one is tried again at the next run.
      await this.setPassword(job.name, plain).catch(() => undefined);
    }
    return plain;
  }

  /** Removes the job, its journal and a password the app kept for it; the synced folders are not touched. */
  async remove(name: string): Promise<SyncJob> {
    const job = this.get(name);
    await this.save(this.list().filter((j) => j.name !== name));
    await rm(this.journalDir(name), { recursive: true, force: true });
    await rm(passwordFile(this.dir, name), { force: true });
    return job;
  }

  private async save(jobs: SyncJob[]): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file, `${JSON.stringify({ version: 1, jobs }, null, 2)}\n`);
  }
}
