/** Sync jobs for the Syncs view's tests, and an api whose channels change them as the core would. */
import type { SyncJobInfo } from '../../common/contract.ts';
import { coded, FakeApi } from './fakeApi.ts';

export const NOW = Date.now();

export function job(change: Partial<SyncJobInfo> = {}): SyncJobInfo {
  return {
    name: 'docs',
    local: '/home/me/Docs',
    remote: 'https://cloud.example/remote.php/dav/files/me/Docs/',
    user: 'me',
    everyMinutes: 15,
    onPathChange: true,
    policy: { kind: 'cellular', meteredBytes: 100_000_000 },
    paths: null,
    rateBps: null,
    batteryMinPercent: 20,
    paused: false,
    state: 'in-step',
    waitingFor: null,
    lastRun: {
      startedAt: NOW - 120_000,
      finishedAt: NOW - 60_000,
      ok: true,
      uploaded: 3,
      downloaded: 2,
      deleted: 1,
      conflicts: [],
      error: null,
    },
    nextRunAt: NOW + 14 * 60_000,
    progress: null,
    cycleBytes: { wlan0: { rx: 52_000_000, tx: 1_000_000 }, wwan0: { rx: 3_000_000, tx: 0 } },
    password: { from: 'keyring', note: null },
    ...change,
  };
}

/** The scenario's api with sync jobs that the channels change as the core would. */
export function withSyncs(jobs: SyncJobInfo[]): FakeApi & { jobs: SyncJobInfo[] } {
  const api = Object.assign(FakeApi.withScenario(NOW), { jobs });
  const find = (name: string): SyncJobInfo => {
    const found = api.jobs.find((j) => j.name === name);
    if (!found) throw coded('E_NOT_FOUND', `There is no sync job "${name}".`);
    return found;
  };
  api.handlers['syncs.list'] = () => api.jobs;
  api.handlers['syncs.run'] = (name) => Object.assign(find(name), { state: 'running' as const });
  api.handlers['syncs.pause'] = (name) =>
    Object.assign(find(name), { state: 'paused' as const, paused: true });
  api.handlers['syncs.resume'] = (name) =>
    Object.assign(find(name), { state: 'in-step' as const, paused: false });
  api.handlers['syncs.edit'] = (name, { password, ...change }) =>
    Object.assign(find(name), change, password ? { password: { from: 'keyring' as const, note: null } } : {});
  api.handlers['syncs.remove'] = (name) => {
    find(name);
    api.jobs = api.jobs.filter((j) => j.name !== name);
    return api.jobs;
  };
  return api;
}
