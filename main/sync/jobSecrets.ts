import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { PathwiseError } from '../../common/errors.ts';
import { writeFileAtomic } from '../base/atomicWrite.ts';
import type { SecretBox } from '../base/secretBox.ts';

/**
 * Where a job's password comes from, read when a run starts; the password itself is never shown,
 * logged or put in --json:
 * - `file` / `env`: the command line's (`--password-file`, `--password-env`); a file the app
 *   wrote itself, because it had no keyring to seal it with, says why in `because`;
 * - `sealed`: the desktop app's, encrypted by the shell's SecretBox (Electron's safeStorage),
 *   base64 — only the app can open it.
 */
export const SecretSchema = z.union([
  z.object({
    file: z.string().refine(isAbsolute, 'a password file named from the root'),
    because: z.string().optional(),
  }),
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }),
  z.object({ sealed: z.string().min(1) }),
]);
export type SecretSource = z.infer<typeof SecretSchema>;

/** How a job's password is kept, for the job's view (SyncJobInfo.password). */
export interface SecretState {
  from: 'none' | 'file' | 'env' | 'keyring';
  /** What the user should know: a password kept unencrypted, or a keyring gone. */
  note: string | null;
}

interface Named {
  name: string;
  password: SecretSource | null;
}

/** The file the app keeps a job's password in when it cannot seal it (0600, in the data home). */
export function passwordFile(syncsDir: string, name: string): string {
  return join(syncsDir, `${name}.password`);
}

/**
 * Keeps a password the app was given: sealed by the SecretBox when it protects anything here,
 * else in a file only this user can read (0600) with the reason — never silently (`because` is
 * shown in the job's view). null: the job has no password any more.
 */
export async function storePassword(
  syncsDir: string,
  name: string,
  plain: string | null,
  secrets: SecretBox | undefined,
): Promise<SecretSource | null> {
  const file = passwordFile(syncsDir, name);
  if (plain === null) {
    await rm(file, { force: true });
    return null;
  }
  const because = secrets
    ? await secrets.unavailable()
    : 'this Pathwise has no system keyring to seal it with (only the desktop app has one)';
  if (secrets && because === null) {
    const sealed = (await secrets.encrypt(plain)).toString('base64');
    await rm(file, { force: true });
    return { sealed };
  }
  await writeFileAtomic(file, plain);
  return { file, because: because ?? 'the keyring is not available' };
}

/**
 * Why sealed passwords cannot be opened here now (the SecretBox's reason, or that only the app
 * can); null: they can. Asked once for a list of jobs (`secretState`).
 */
export async function keyringProblem(secrets: SecretBox | undefined): Promise<string | null> {
  return secrets ? secrets.unavailable() : 'only the desktop app can open it';
}

/** `keyring`: what `keyringProblem` said. */
export function secretState(job: Named, keyring: string | null): SecretState {
  const from = job.password;
  if (!from) return { from: 'none', note: null };
  if ('env' in from) return { from: 'env', note: null };
  if ('file' in from) {
    const note = from.because
      ? `The password is kept unencrypted in a file only you can read (0600): ${from.because.replace(/\.$/, '')}.`
      : null;
    return { from: 'file', note };
  }
  return {
    from: 'keyring',
    note:
      keyring === null
        ? null
        : `The password is sealed by the system keyring, which cannot open it now: ${keyring}.`,
  };
}

/**
 * Reads the job's password from where the job says (never from the job itself): a file or a
 * variable. The command line's: a password the app sealed is refused with what to do.
 */
export function readSecret(job: Named, env: NodeJS.ProcessEnv): string | null {
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
  if ('sealed' in from) {
    throw new PathwiseError(
      'E_AUTH',
      `The password of the sync job "${job.name}" is sealed by the desktop app's keyring, which only the app can open: run the job from the app. ${setAgain(job.name)}`,
    );
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

/**
 * The app's: as `readSecret`, and a sealed password opened by the SecretBox. `reseal`: the box
 * asks for the password to be sealed again (SyncJobs.openPassword keeps the new seal).
 */
export async function openSecret(
  job: Named,
  env: NodeJS.ProcessEnv,
  secrets: SecretBox | undefined,
): Promise<{ plain: string | null; reseal: boolean }> {
  const from = job.password;
  if (!from || !('sealed' in from) || !secrets) return { plain: readSecret(job, env), reseal: false };
  const why = await secrets.unavailable();
  if (why !== null)
    throw new PathwiseError(
      'E_AUTH',
      `The keyring cannot open the password of "${job.name}": ${why}. ${setAgain(job.name)}`,
    );
  try {
    return await secrets.decrypt(Buffer.from(from.sealed, 'base64'));
  } catch {
    throw new PathwiseError(
      'E_AUTH',
      `The keyring could not open the password of "${job.name}" (sealed by another user or machine?). ${setAgain(job.name)}`,
    );
  }
}

function setAgain(name: string): string {
  return `Set it again in the Syncs view, or give the job a password file: pathwise sync edit ${name} --password-file FILE.`;
}
