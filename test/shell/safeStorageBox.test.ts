import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { safeStorageBox } from '../../main/shell/safeStorageBox.ts';
import { readSecret, secretState } from '../../main/sync/jobSecrets.ts';
import { SyncJobs } from '../../main/sync/SyncJobs.ts';
import * as electron from '../mocks/electron.ts';
import { makeJob, tempDir } from '../sync/davLab.ts';

vi.mock('electron', () => import('../mocks/electron.ts'));

const PASSWORD = 'correct horse battery staple';

/** A job store on a fresh data home whose passwords the shell's box keeps. */
async function store(platform: NodeJS.Platform = 'linux') {
  const data = tempDir('pw-secrets-');
  const jobs = new SyncJobs(data, { secrets: safeStorageBox(undefined, platform) });
  await jobs.add(makeJob(tempDir(), 'https://cloud.example/dav/', { name: 'docs', password: null }));
  return { data, jobs, file: () => readFileSync(join(data, 'syncs', 'jobs.json'), 'utf8') };
}

afterEach(() => {
  electron.safeStorage.available = true;
  electron.safeStorage.backend = 'gnome_libsecret';
});

describe("sync passwords in the desktop app: Electron's safeStorage", () => {
  it('seals a password the app is given; the jobs file never holds it, and a run opens it', async () => {
    const { jobs, file } = await store();
    const job = await jobs.setPassword('docs', PASSWORD);
    expect(job.password).toEqual({ sealed: expect.any(String) });
    expect(file()).not.toContain(PASSWORD);
    expect(file()).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(readSecret(jobs.get('docs'), {}, jobs.secrets)).toBe(PASSWORD);
    expect(secretState(job, jobs.secrets)).toEqual({ from: 'keyring', note: null });
  });

  it('says why, and keeps the password in a 0600 file, when safeStorage is not available', async () => {
    electron.safeStorage.available = false;
    const { data, jobs } = await store('darwin');
    const job = await jobs.setPassword('docs', PASSWORD);
    const path = join(data, 'syncs', 'docs.password');
    expect(job.password).toMatchObject({ file: path });
    expect(readFileSync(path, 'utf8')).toBe(PASSWORD);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(secretState(job, jobs.secrets).note).toBe(
      'The password is kept unencrypted in a file only you can read (0600): the macOS Keychain is not available to Pathwise.',
    );
    expect(readSecret(job, {}, jobs.secrets)).toBe(PASSWORD);
  });

  it("does not count Linux's basic_text backend as a keyring", async () => {
    electron.safeStorage.backend = 'basic_text';
    const { jobs } = await store('linux');
    const job = await jobs.setPassword('docs', PASSWORD);
    expect(job.password).toMatchObject({ file: expect.stringMatching(/docs\.password$/) });
    expect(secretState(job, jobs.secrets).note).toMatch(
      /no keyring \(GNOME Keyring or KWallet\) was found for this desktop, and Electron's fallback \(basic_text\) only obscures/,
    );
    // Elsewhere the backend is no question.
    expect(safeStorageBox(undefined, 'win32').unavailable()).toBeNull();
  });

  it('names the cause when a sealed password cannot be opened any more, and never shows it', async () => {
    const { jobs } = await store();
    const job = await jobs.setPassword('docs', PASSWORD);
    electron.safeStorage.available = false;
    expect(secretState(job, jobs.secrets).note).toBe(
      'The password is sealed by the system keyring, which cannot open it now: a keyring (GNOME Keyring or KWallet) is not available to Pathwise.',
    );
    expect(() => readSecret(job, {}, jobs.secrets)).toThrow(
      expect.objectContaining({
        code: 'E_AUTH',
        message: expect.stringMatching(/Set it again in the Syncs view/),
      }),
    );
    // The command line has no keyring: it says to run the job from the app.
    expect(() => readSecret(job, {})).toThrow(/only the app can open: run the job from the app/);
  });
});
