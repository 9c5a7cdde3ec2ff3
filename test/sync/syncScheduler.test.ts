/**
 * The app's scheduler of sync jobs against rclone serve webdav on loopback: its schedule (every N
 * minutes, on a path change), never two runs of a job at once, the battery floor, waiting for a
 * path, and a pause that stops a running run. Time is the scheduler's injected clock; runs are
 * awaited through what the scheduler reports, never by sleeping.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Battery, PathInfo, SyncJobInfo, SyncRunInfo } from '../../common/contract.ts';
import { SyncJobs, type SyncJob } from '../../main/sync/SyncJobs.ts';
import { SyncJournal } from '../../main/sync/SyncJournal.ts';
import { SyncScheduler } from '../../main/sync/SyncScheduler.ts';
import { describeNeeding } from '../support/rootOnly.ts';
import {
  makeJob,
  pathInfo,
  rcloneNeeds,
  session,
  tempDir,
  treeHashes,
  useDavFixture,
  write,
  type DavFixture,
} from './davLab.ts';

const MIN = 60_000;

interface Lab {
  jobs: SyncJobs;
  scheduler: SyncScheduler;
  ended: SyncRunInfo[];
  paths: { list: PathInfo[] };
  battery: { value: Battery | null };
  clock: { now: number };
  /** Resolves once `test` holds for the scheduler. */
  until: (test: () => boolean | Promise<boolean>) => Promise<void>;
}

async function lab(fx: DavFixture, job: Partial<SyncJob>): Promise<Lab> {
  const jobs = new SyncJobs(tempDir('pw-sync-data-'));
  await jobs.add(makeJob(fx.local, fx.dav.url, { name: 'docs', ...job }));
  const waiters = new Set<() => void>();
  const state: Omit<Lab, 'scheduler' | 'until'> = {
    jobs,
    ended: [],
    paths: { list: [pathInfo('a', '127.0.0.2')] },
    battery: { value: null },
    clock: { now: Date.now() },
  };
  const scheduler = new SyncScheduler({
    jobs,
    open: (j, { force }) =>
      session(j, jobs.journalDir(j.name), {
        paths: () => state.paths.list,
        settings: { quietMs: 200, force },
      }),
    battery: () => state.battery.value,
    paths: () => state.paths.list,
    plans: () => ({}),
    now: () => state.clock.now,
    changed: () => {
      for (const wake of waiters) wake();
    },
    ended: (_job, run) => state.ended.push(run),
  });
  scheduler.reload();
  // Woken by the scheduler's reports, and now and then for what it does not report (progress).
  const until = async (test: () => boolean | Promise<boolean>): Promise<void> => {
    while (!(await test())) {
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 20);
        waiters.add(wake);
      });
    }
  };
  return { ...state, scheduler, until };
}

const info = (l: Lab): Promise<SyncJobInfo> => l.scheduler.info('docs');
const idle = (l: Lab) => async () => (await info(l)).state !== 'running';

describeNeeding(rcloneNeeds())('the sync scheduler: by hand, on its schedule, on a path change', () => {
  const fx = useDavFixture();

  it('runs a job by hand once at a time, and waits while another process runs it', async () => {
    write(fx.local, 'a.txt', 'a');
    write(fx.remote, 'b.bin', Buffer.alloc(2_000_000, 1));
    const l = await lab(fx, {});
    expect((await l.scheduler.runNow('docs')).state).toBe('running');
    // Asked again while it runs: the same run, not a second one.
    expect((await l.scheduler.runNow('docs')).state).toBe('running');
    await l.until(idle(l));
    expect(l.ended).toHaveLength(1);
    expect(await info(l)).toMatchObject({
      state: 'in-step',
      lastRun: { ok: true, uploaded: 1, downloaded: 1 },
    });
    expect((await info(l)).cycleBytes['a']?.rx).toBeGreaterThanOrEqual(2_000_000);
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));

    // `pathwise sync run docs` in another process holds the job's lock (its pid is alive).
    writeFileSync(join(l.jobs.journalDir('docs'), 'run.lock'), String(process.ppid));
    await l.scheduler.runNow('docs');
    await l.until(async () => (await info(l)).state === 'waiting');
    expect((await info(l)).waitingFor).toMatch(/another Pathwise process/);
    expect(l.ended).toHaveLength(1);
    const journal = new SyncJournal(l.jobs.journalDir('docs'));
    expect(journal.lastRuns(10)).toHaveLength(1);
    journal.close();
  });

  it('starts a job every N minutes after its last run', async () => {
    write(fx.local, 'a.txt', 'a');
    const l = await lab(fx, { everyMinutes: 15 });
    // Never run: due at once.
    expect((await info(l)).nextRunAt).toBeLessThanOrEqual(l.clock.now);
    l.scheduler.tick();
    expect((await info(l)).state).toBe('running');
    await l.until(idle(l));
    const last = (await info(l)).lastRun?.finishedAt as number;
    expect((await info(l)).nextRunAt).toBe(last + 15 * MIN);
    l.clock.now = last + 14 * MIN;
    l.scheduler.tick();
    expect((await info(l)).state).toBe('in-step');
    write(fx.remote, 'later.txt', 'later');
    l.clock.now = last + 16 * MIN;
    l.scheduler.tick();
    expect((await info(l)).state).toBe('running');
    await l.until(idle(l));
    expect(l.ended.map((r) => r.downloaded)).toEqual([0, 1]);
  });

  it('starts a job that asks for it when its paths change, and waits while none is usable', async () => {
    write(fx.local, 'a.txt', 'a');
    const l = await lab(fx, { onPathChange: true });
    l.scheduler.pathsChanged();
    expect((await info(l)).state).toBe('never-run');
    l.paths.list = [];
    l.scheduler.pathsChanged();
    expect((await info(l)).state).toBe('never-run');
    l.paths.list = [pathInfo('b', '127.0.0.4')];
    l.scheduler.pathsChanged();
    expect((await info(l)).state).toBe('running');
    await l.until(idle(l));
    expect((await info(l)).lastRun?.ok).toBe(true);

    // A scheduled run with no usable path waits (and says why) instead of failing.
    const every = await lab(fx, { everyMinutes: 5, name: 'docs' });
    every.paths.list = [{ ...pathInfo('b', '127.0.0.4'), up: false }];
    every.scheduler.tick();
    await every.until(async () => (await info(every)).state !== 'running');
    expect(await info(every)).toMatchObject({
      state: 'waiting',
      waitingFor: expect.stringMatching(/no path/),
    });
    expect(every.ended).toHaveLength(0);
  });
});

describeNeeding(rcloneNeeds())('the sync scheduler: the battery floor and a pause', () => {
  const fx = useDavFixture();

  it('holds a scheduled run while on battery below the floor, but not one asked for by hand', async () => {
    write(fx.local, 'a.txt', 'a');
    const l = await lab(fx, { everyMinutes: 15, batteryMinPercent: 30 });
    const battery: Battery = {
      present: true,
      percent: 20,
      charging: false,
      acConnected: false,
      capacityWh: 50,
      dischargeW: 8,
    };
    l.battery.value = battery;
    l.scheduler.tick();
    expect(await info(l)).toMatchObject({
      state: 'waiting',
      waitingFor: 'on battery at 20 %, below the 30 % the job asks for',
    });
    await l.scheduler.runNow('docs');
    await l.until(idle(l));
    expect(l.ended).toHaveLength(1);

    l.clock.now += 16 * MIN;
    l.scheduler.tick();
    expect((await info(l)).state).toBe('waiting');
    l.battery.value = { ...battery, charging: true, acConnected: true };
    l.clock.now += 2 * MIN;
    l.scheduler.tick();
    expect((await info(l)).state).toBe('running');
    await l.until(idle(l));
    expect(l.ended).toHaveLength(2);
  });

  it('stops a running run on pause, keeps it from starting, and finishes it after resume', async () => {
    write(fx.remote, 'slow.bin', Buffer.alloc(3_000_000, 5));
    // 1 MB/s: the run lasts about three seconds, long enough to be paused in the middle.
    const l = await lab(fx, { everyMinutes: 1, rateBps: 1_000_000 });
    l.scheduler.tick();
    await l.until(async () => ((await info(l)).progress?.bytes['a']?.down ?? 0) > 200_000);
    const paused = await l.scheduler.pause('docs');
    expect(paused).toMatchObject({ state: 'paused', paused: true, nextRunAt: null });
    expect(l.ended).toHaveLength(0);
    expect(l.jobs.get('docs').paused).toBe(true);
    l.clock.now += 5 * MIN;
    l.scheduler.tick();
    expect((await info(l)).state).toBe('paused');
    await l.scheduler.resume('docs');
    expect((await info(l)).state).toBe('running');
    await l.until(idle(l));
    expect(await info(l)).toMatchObject({ state: 'in-step', lastRun: { ok: true, downloaded: 1 } });
    expect(treeHashes(fx.local)).toEqual(treeHashes(fx.remote));
  });
});
