import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { safeStorageBox } from '../../main/shell/safeStorageBox.ts';
import { keyringProblem, readSecret, secretState } from '../../main/sync/jobSecrets.ts';
import { SyncJobs, type SyncJob } from '../../main/sync/SyncJobs.ts';
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

/** The job's view of its password, as the app lists it. */
const stateOf = async (jobs: SyncJobs, job: SyncJob) => secretState(job, await keyringProblem(jobs.secrets));

afterEach(() => {
  electron.safeStorage.available = true;
  electron.safeStorage.backend = 'gnome_libsecret';
  // Electron 45 deprecates the synchronous calls: the app makes none of them.
  expect([...electron.safeStorage.calls.keys()]).toEqual([]);
  electron.safeStorage.calls.clear();
});

describe("sync passwords in the desktop app: Electron's safeStorage", () => {
  it('seals a password the app is given; the jobs file never holds it, and a run opens it', async () => {
    const { jobs, file } = await store();
    const job = await jobs.setPassword('docs', PASSWORD);
    expect(job.password).toEqual({ sealed: expect.any(String) });
    expect(file()).not.toContain(PASSWORD);
    expect(file()).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(await jobs.openPassword(jobs.get('docs'), {})).toBe(PASSWORD);
    expect(await stateOf(jobs, job)).toEqual({ from: 'keyring', note: null });
  });

  it('says why, and keeps the password in a 0600 file, when safeStorage is not available', async () => {
    electron.safeStorage.available = false;
    const { data, jobs } = await store('darwin');
    const job = await jobs.setPassword('docs', PASSWORD);
    const path = join(data, 'syncs', 'docs.password');
    expect(job.password).toMatchObject({ file: path });
    expect(readFileSync(path, 'utf8')).toBe(PASSWORD);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await stateOf(jobs, job)).note).toBe(
      'The password is kept unencrypted in a file only you can read (0600): the macOS Keychain is not available to Pathwise.',
    );
    expect(await jobs.openPassword(job, {})).toBe(PASSWORD);
    expect(readSecret(job, {})).toBe(PASSWORD);
  });

  it("does not count Linux's basic_text backend as a keyring", async () => {
    electron.safeStorage.backend = 'basic_text';
    const { jobs } = await store('linux');
    const job = await jobs.setPassword('docs', PASSWORD);
    expect(job.password).toMatchObject({ file: expect.stringMatching(/docs\.password$/) });
    expect((await stateOf(jobs, job)).note).toMatch(
      /no keyring \(GNOME Keyring or KWallet\) was found for this desktop, and Electron's fallback \(basic_text\) only obscures/,
    );
    // Elsewhere the backend is no question.
    expect(await safeStorageBox(undefined, 'win32').unavailable()).toBeNull();
  });

  it('names the cause when a sealed password cannot be opened any more, and never shows it', async () => {
    const { jobs } = await store();
    const job = await jobs.setPassword('docs', PASSWORD);
    electron.safeStorage.available = false;
    expect((await stateOf(jobs, job)).note).toBe(
      'The password is sealed by the system keyring, which cannot open it now: a keyring (GNOME Keyring or KWallet) is not available to Pathwise.',
    );
    await expect(jobs.openPassword(job, {})).rejects.toThrow(
      expect.objectContaining({
        code: 'E_AUTH',
        message: expect.stringMatching(/Set it again in the Syncs view/),
      }),
    );
    // The command line has no keyring: it says to run the job from the app.
    expect(() => readSecret(job, {})).toThrow(/only the app can open: run the job from the app/);
  });

  it('opens a password sealed by the deprecated encryptString, and seals it again when the key rotated', async () => {
    const { jobs, file } = await store();
    // What an app before Electron 45 kept: sealed by the synchronous call.
    const old = electron.safeStorage.encryptString(PASSWORD).toString('base64');
    electron.safeStorage.calls.clear();
    await jobs.update('docs', { password: { sealed: old } });
    expect(await jobs.openPassword(jobs.get('docs'), {})).toBe(PASSWORD);
    expect(JSON.parse(file()).jobs[0].password).toEqual({ sealed: old });

    // The keyring's key rotated: the old seal opens once more, and the job keeps a new one.
    electron.safeStorage.rotate();
    expect(await jobs.openPassword(jobs.get('docs'), {})).toBe(PASSWORD);
    const renewed = JSON.parse(file()).jobs[0].password as { sealed: string };
    expect(renewed.sealed).not.toBe(old);
    expect(file()).not.toContain(PASSWORD);
    expect(await electron.safeStorage.decryptStringAsync(Buffer.from(renewed.sealed, 'base64'))).toEqual({
      result: PASSWORD,
      shouldReEncrypt: false,
    });
    expect(await jobs.openPassword(jobs.get('docs'), {})).toBe(PASSWORD);
  });
});
