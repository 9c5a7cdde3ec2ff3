/**
 * Changing and removing a sync job through the core's channels (`syncs.edit`, `syncs.remove`),
 * with the password the app is given kept by the shell's SecretBox (here an AES-GCM box standing
 * in for Electron's safeStorage), or, when the box says it cannot protect anything, in a 0600 file
 * that the job's view names — against a real `rclone serve webdav` on loopback.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SyncJobInfo } from '../../common/contract.ts';
import type { SecretBox } from '../../main/base/secretBox.ts';
import { createPathwise, type Pathwise } from '../../main/core/createPathwise.ts';
import { SyncJobs } from '../../main/sync/SyncJobs.ts';
import {
  makeJob,
  PASSWORD,
  rcloneNeeds,
  startDav,
  tempDir,
  treeHashes,
  write,
  type DavServer,
} from '../sync/davLab.ts';
import { describeNeeding } from '../support/rootOnly.ts';

/** A SecretBox that really encrypts (a key of this test's own), and can be told it has no keyring. */
function testBox(): SecretBox & { reason: string | null } {
  const key = randomBytes(32);
  return {
    reason: null,
    async unavailable() {
      return this.reason;
    },
    async encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    async decrypt(sealed) {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
      return { plain, reseal: false };
    },
  };
}

let dav: DavServer;
let app: Pathwise;
let dataDir: string;
const box = testBox();
const local = tempDir();

const invoke = async (channel: string, ...args: unknown[]) => app.service.invoke(channel, args);
const jobsFile = (): string => readFileSync(join(dataDir, 'syncs', 'jobs.json'), 'utf8');

/** Runs the job through the app and waits for the push that shows the run ended. */
async function runToEnd(): Promise<SyncJobInfo> {
  const [job] = (await invoke('syncs.list')) as SyncJobInfo[];
  const before = job?.lastRun?.finishedAt ?? 0;
  const ended = new Promise<SyncJobInfo>((resolve) => {
    const off = app.service.subscribe((channel, payload) => {
      const job = channel === 'syncs' ? (payload as SyncJobInfo[])[0] : undefined;
      if (job && job.state !== 'running' && (job.lastRun?.finishedAt ?? 0) > before) {
        off();
        resolve(job);
      }
    });
  });
  expect(await invoke('syncs.run', 'team', {})).toMatchObject({ state: 'running' });
  return ended;
}

async function editsTheJob(): Promise<void> {
  const edited = (await invoke('syncs.edit', 'team', {
    everyMinutes: 30,
    onPathChange: true,
    policy: { kind: 'cellular', meteredBytes: 50_000_000 },
    rateBps: 4_000_000,
    batteryMinPercent: 15,
  })) as SyncJobInfo;
  expect(edited).toMatchObject({
    everyMinutes: 30,
    onPathChange: true,
    policy: { kind: 'cellular', meteredBytes: 50_000_000 },
    rateBps: 4_000_000,
    batteryMinPercent: 15,
    paths: ['lo'],
    password: { from: 'none', note: null },
  });
  expect(JSON.parse(jobsFile()).jobs[0]).toMatchObject({ everyMinutes: 30, rateBps: 4_000_000 });
  await expect(invoke('syncs.edit', 'team', { everyMinutes: 0 })).rejects.toMatchObject({
    code: 'E_BAD_REQUEST',
  });
  await expect(invoke('syncs.edit', 'team', { local: '/no/such/dir' })).rejects.toMatchObject({
    code: 'E_DISK',
  });
  await expect(invoke('syncs.edit', 'nobody', { rateBps: null })).rejects.toMatchObject({
    code: 'E_NOT_FOUND',
  });
}

async function sealsThePassword(): Promise<void> {
  const edited = (await invoke('syncs.edit', 'team', { password: PASSWORD, rateBps: null })) as SyncJobInfo;
  expect(edited.password).toEqual({ from: 'keyring', note: null });
  expect(JSON.stringify(edited)).not.toContain(PASSWORD);
  expect(jobsFile()).not.toContain(PASSWORD);
  expect(JSON.parse(jobsFile()).jobs[0].password).toMatchObject({ sealed: expect.any(String) });
  // The run logs in with what the box opens.
  write(local, 'up.txt', 'from the app');
  expect(await runToEnd()).toMatchObject({ state: 'in-step', lastRun: { ok: true, uploaded: 1 } });
  expect(treeHashes(local)).toEqual(treeHashes(join(dav.root, 'data')));
}

async function fallsBackToAFile(): Promise<void> {
  box.reason = 'no keyring (GNOME Keyring or KWallet) is running';
  const edited = (await invoke('syncs.edit', 'team', { password: PASSWORD })) as SyncJobInfo;
  expect(edited.password.from).toBe('file');
  expect(edited.password.note).toBe(
    'The password is kept unencrypted in a file only you can read (0600): no keyring (GNOME Keyring or KWallet) is running.',
  );
  const file = join(dataDir, 'syncs', 'team.password');
  expect(readFileSync(file, 'utf8')).toBe(PASSWORD);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  write(local, 'again.txt', 'still logs in');
  expect(await runToEnd()).toMatchObject({ lastRun: { ok: true, uploaded: 1 } });
  // A keyring back: the next password given is sealed, and the file goes.
  box.reason = null;
  expect(((await invoke('syncs.edit', 'team', { password: PASSWORD })) as SyncJobInfo).password.from).toBe(
    'keyring',
  );
  expect(existsSync(file)).toBe(false);
}

async function refusesFoldersWhileRunning(): Promise<void> {
  write(join(dav.root, 'data'), 'slow.bin', Buffer.alloc(3_000_000, 5));
  await invoke('syncs.edit', 'team', { rateBps: 200_000 });
  expect(await invoke('syncs.run', 'team', {})).toMatchObject({ state: 'running' });
  const elsewhere = tempDir();
  await expect(invoke('syncs.edit', 'team', { local: elsewhere })).rejects.toMatchObject({
    code: 'E_BUSY',
    message: expect.stringMatching(/running: pause it, or let the run end, before changing its folders/),
  });
  await invoke('syncs.pause', 'team');
  const moved = (await invoke('syncs.edit', 'team', { local: elsewhere, rateBps: null })) as SyncJobInfo;
  expect(moved).toMatchObject({ local: elsewhere, state: 'paused', lastRun: null });
}

async function removesTheJob(): Promise<void> {
  box.reason = 'no keyring';
  await invoke('syncs.edit', 'team', { password: PASSWORD });
  const before = treeHashes(local);
  const server = treeHashes(join(dav.root, 'data'));
  expect(await invoke('syncs.remove', 'team')).toEqual([]);
  expect(new SyncJobs(dataDir).list()).toEqual([]);
  expect(existsSync(join(dataDir, 'syncs', 'team'))).toBe(false);
  expect(existsSync(join(dataDir, 'syncs', 'team.password'))).toBe(false);
  expect(treeHashes(local)).toEqual(before);
  expect(treeHashes(join(dav.root, 'data'))).toEqual(server);
}

describeNeeding(rcloneNeeds())('changing and removing a sync job in the app', () => {
  beforeAll(async () => {
    dav = await startDav();
    dataDir = mkdtempSync(join(tmpdir(), 'pw-core-sync-edit-'));
    await new SyncJobs(dataDir).add(makeJob(local, dav.url, { name: 'team', paths: ['lo'] }));
    const env = { PATHWISE_PROBE_URL: process.env['PATHWISE_PROBE_URL'] };
    app = await createPathwise({
      ...{ shell: 'headless', dataDir, env, secrets: box },
      monitor: { pollIntervalMs: 60_000 },
    });
    await app.service.start();
  });
  afterAll(async () => {
    await app?.service.stop();
    await dav?.close();
  });
  it('changes the schedule, policy and rate limit through syncs.edit, refusing what is wrong', editsTheJob);
  it('keeps a password given to the app sealed by the shell, and logs in with it', sealsThePassword);
  it('says so, and keeps it in a 0600 file, when the shell cannot seal it', fallsBackToAFile);
  it('changes the folders only while the job is not running, starting afresh', refusesFoldersWhileRunning);
  it('removes the job, its journal and its password file; both folders stay', removesTheJob);
});
