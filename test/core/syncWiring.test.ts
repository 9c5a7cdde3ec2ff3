/**
 * Folder syncs in the app's core (main/core/syncWiring.ts): the `syncs.*` channels and the `syncs`
 * push over a real `rclone serve webdav` on loopback, the job running over the `lo` path as a
 * bound path, conflicts and failures raised as alerts (what the desktop shell notifies), and a
 * `pathwise sync pause` from a terminal followed through the jobs file.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Alert, EventChannel, SyncJobInfo } from '../../common/contract.ts';
import { createPathwise, type Pathwise } from '../../main/core/createPathwise.ts';
import { buildTrayMenu } from '../../main/shell/trayMenu.ts';
import { SyncJobs } from '../../main/sync/SyncJobs.ts';
import { cli } from '../cli/inProcess.ts';
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

let dav: DavServer;
let app: Pathwise;
let dataDir: string;
const local = tempDir();

/** Resolves with the first push (from now on) on `channel` that `test` accepts. */
function pushed<T>(channel: EventChannel, test: (payload: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const off = app.service.subscribe((c, payload) => {
      if (c === channel && test(payload as T)) {
        off();
        resolve(payload as T);
      }
    });
  });
}

const team = (list: SyncJobInfo[]): SyncJobInfo | undefined => list.find((j) => j.name === 'team');

/** Starts a run through the contract and waits for the push that shows it ended. */
async function runThroughApp(): Promise<{ started: SyncJobInfo; ended: SyncJobInfo }> {
  const before =
    team((await app.service.invoke('syncs.list', [])) as SyncJobInfo[])?.lastRun?.finishedAt ?? 0;
  const ended = pushed<SyncJobInfo[]>('syncs', (list) => {
    const job = team(list);
    return job !== undefined && job.state !== 'running' && (job.lastRun?.finishedAt ?? 0) > before;
  });
  const started = (await app.service.invoke('syncs.run', ['team', {}])) as SyncJobInfo;
  expect(started.state).toBe('running');
  return { started, ended: team(await ended) as SyncJobInfo };
}

async function listsJobs(): Promise<void> {
  const list = (await app.service.invoke('syncs.list', [])) as SyncJobInfo[];
  expect(list).toMatchObject([
    { name: 'team', state: 'never-run', paths: ['lo'], lastRun: null, nextRunAt: null },
  ]);
  expect(JSON.stringify(list)).not.toContain(PASSWORD);
}

async function runsJob(): Promise<void> {
  write(local, 'notes.txt', 'from here');
  write(join(dav.root, 'data'), 'photo.bin', Buffer.alloc(1_500_000, 3));
  const { started, ended: job } = await runThroughApp();
  expect(job).toMatchObject({ state: 'in-step', lastRun: { ok: true, uploaded: 1, downloaded: 1 } });
  expect(job.cycleBytes['lo']?.rx).toBeGreaterThanOrEqual(1_500_000);
  expect(treeHashes(local)).toEqual(treeHashes(join(dav.root, 'data')));
  // The tray shows a running sync (its menu, from the list the `syncs` push carries).
  const menu = buildTrayMenu(
    { paths: [], transfers: [], usage: null, capThresholds: [], syncs: [started] },
    {
      setPreference: () => {},
      setOverride: () => {},
      pauseAll: () => {},
      resumeAll: () => {},
      openDashboard: () => {},
      quit: () => {},
    },
  );
  expect(menu.find((item) => item.id === 'syncs')?.label).toMatch(/^Syncing team/);
  const after = buildTrayMenu(
    { paths: [], transfers: [], usage: null, capThresholds: [], syncs: [job] },
    {
      setPreference: () => {},
      setOverride: () => {},
      pauseAll: () => {},
      resumeAll: () => {},
      openDashboard: () => {},
      quit: () => {},
    },
  );
  expect(after.find((item) => item.id === 'syncs')).toBeUndefined();
}

async function raisesAlerts(): Promise<void> {
  write(local, 'notes.txt', 'mine', new Date(Date.now() - 20_000));
  write(join(dav.root, 'data'), 'notes.txt', 'theirs', new Date(Date.now() - 20_000));
  const conflict = pushed<Alert>('alert', (a) => a.kind === 'sync-conflict');
  const { ended: job } = await runThroughApp();
  expect(job.lastRun?.conflicts).toHaveLength(1);
  expect(await conflict).toMatchObject({ title: 'Sync team: a conflict', severity: 'warning' });

  write(local, 'more.txt', 'more');
  dav.rules.push({ method: 'PUT', path: '.*', status: 507 });
  const failed = pushed<Alert>('alert', (a) => a.kind === 'sync-failed');
  const { ended: broken } = await runThroughApp();
  dav.rules.length = 0;
  expect(broken).toMatchObject({ state: 'failed', lastRun: { ok: false, error: { cause: 'quota' } } });
  expect(await failed).toMatchObject({ title: 'Sync team is not in step' });
  expect((await failed).message).toMatch(/507/);
}

async function followsPause(): Promise<void> {
  const paused = pushed<SyncJobInfo[]>('syncs', (list) => team(list)?.paused === true);
  const out = await cli(['sync', 'pause', 'team', '--data-dir', dataDir]);
  expect(out.code, out.stderr).toBe(0);
  expect(team(await paused)).toMatchObject({ state: 'paused', nextRunAt: null });
  await expect(app.service.invoke('syncs.run', ['team', {}])).rejects.toMatchObject({ code: 'E_BUSY' });
  const resumed = (await app.service.invoke('syncs.resume', ['team'])) as SyncJobInfo;
  expect(resumed.paused).toBe(false);
  expect(JSON.parse(readFileSync(join(dataDir, 'syncs', 'jobs.json'), 'utf8'))).toMatchObject({
    jobs: [{ name: 'team', paused: false }],
  });
  expect((await runThroughApp()).ended.state).toBe('in-step');
}

describeNeeding(rcloneNeeds())('folder syncs in the app', () => {
  beforeAll(async () => {
    dav = await startDav();
    dataDir = mkdtempSync(join(tmpdir(), 'pw-core-sync-'));
    await new SyncJobs(dataDir).add(
      makeJob(local, dav.url, { name: 'team', paths: ['lo'], password: { env: 'PW_CORE_SYNC' } }),
    );
    const env = { PW_CORE_SYNC: PASSWORD, PATHWISE_PROBE_URL: process.env['PATHWISE_PROBE_URL'] };
    app = await createPathwise({ shell: 'headless', dataDir, env, monitor: { pollIntervalMs: 60_000 } });
    await app.service.start();
  });
  afterAll(async () => {
    await app?.service.stop();
    await dav?.close();
  });
  it('lists the jobs the command line added, without any password', listsJobs);
  it('runs a job through syncs.run over a bound path, and pushes its state to the end', runsJob);
  it('raises an alert for a conflict and for a failure, naming the cause', raisesAlerts);
  it('sees a pause made from a terminal, and resumes through syncs.resume', followsPause);
});
