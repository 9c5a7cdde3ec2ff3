import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PathInfo, Settings } from '../../common/contract.ts';
import { createPathwise } from '../../main/core/createPathwise.ts';
import type { PathwiseService } from '../../main/core/PathwiseService.ts';
import { SettingsStore } from '../../main/core/SettingsStore.ts';
import { runPathwise } from '../support/cli.ts';

const env = { XDG_DOWNLOAD_DIR: '/home/me/Downloads' };

/** The next value `emitter` emits on `event` that `test` accepts. */
function next<T>(store: SettingsStore, event: 'change' | 'warning', test: (value: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const listener = (value: T): void => {
      if (!test(value)) return;
      store.off(event, listener as never);
      resolve(value);
    };
    store.on(event, listener as never);
  });
}

/** The next `settings` push of a running core that `test` accepts. */
function pushed(service: PathwiseService, test: (settings: Settings) => boolean): Promise<Settings> {
  return new Promise((resolve) => {
    const off = service.subscribe((channel, payload) => {
      if (channel !== 'settings' || !test(payload as Settings)) return;
      off();
      resolve(payload as Settings);
    });
  });
}

describe('SettingsStore follows settings.json as other processes write it (issue 22)', () => {
  it('takes a valid change another process writes and emits it like its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-follow-'));
    const { store } = await SettingsStore.open(dir, env);
    store.watch();
    try {
      const { store: other } = await SettingsStore.open(dir, env);
      const changed = next<Settings>(store, 'change', (s) => s.preferences['wwan0'] === 'backup');
      await other.update({ preferences: { wwan0: 'backup' } });
      expect((await changed).preferences).toEqual({ wwan0: 'backup' });
      expect(store.get().preferences).toEqual({ wwan0: 'backup' });
    } finally {
      store.unwatch();
    }
  });

  it('refuses a hand-edited file that is not valid, with a warning, and keeps its settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-follow-'));
    const { store } = await SettingsStore.open(dir, env);
    await store.update({ capThresholds: [0.5, 1] });
    store.watch();
    try {
      const warned = next<string>(store, 'warning', () => true);
      await writeFile(join(dir, 'settings.json'), '{"capThresholds": [5], "probeUrl": "file:///etc/passwd"}');
      expect(await warned).toMatch(/changed outside Pathwise but does not hold valid settings .*probeUrl/);
      expect(store.get().capThresholds).toEqual([0.5, 1]);
      // A valid edit after it is taken again.
      const changed = next<Settings>(store, 'change', () => true);
      await writeFile(join(dir, 'settings.json'), '{"capThresholds": [0.9]}');
      expect((await changed).capThresholds).toEqual([0.9]);
    } finally {
      store.unwatch();
    }
  });

  it('emits its own change once, not again when the watch sees its write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-follow-'));
    const { store } = await SettingsStore.open(dir, env);
    const seen: boolean[] = [];
    store.on('change', (s) => seen.push(s.launchAtLogin));
    store.watch();
    try {
      await store.update({ launchAtLogin: true });
      // A later change from outside: had the watch re-emitted the store's own write, it would come between.
      const outside = next<Settings>(store, 'change', (s) => !s.launchAtLogin);
      const { store: other } = await SettingsStore.open(dir, env);
      await other.update({ launchAtLogin: false });
      await outside;
      expect(seen).toEqual([true, false]);
    } finally {
      store.unwatch();
    }
  });

  it('applies an update on top of what another process wrote since, not over it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-follow-'));
    const { store } = await SettingsStore.open(dir, env);
    const { store: other } = await SettingsStore.open(dir, env);
    await other.update({ preferences: { eth0: 'never' } });
    await store.update({ notifications: false });
    const saved = JSON.parse(await readFile(join(dir, 'settings.json'), 'utf8')) as Settings;
    expect(saved).toMatchObject({ preferences: { eth0: 'never' }, notifications: false });
  });
});

describe('a running core sees what the command line sets (issue 22)', () => {
  it('applies `pathwise prefer` and `pathwise plan` run in another process, and pushes them', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pw-core-cli-'));
    const app = await createPathwise({
      shell: 'headless',
      dataDir,
      env: {},
      monitor: { pollIntervalMs: 60_000 },
    });
    await app.service.start();
    try {
      const preferred = pushed(app.service, (s) => s.preferences['lo'] === 'never');
      const run = await runPathwise(['prefer', 'lo', 'never', '--data-dir', dataDir]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      await preferred;
      const paths = (await app.service.invoke('paths.list', [])) as PathInfo[];
      expect(paths.find((p) => p.name === 'lo')?.preference).toBe('never');

      const planned = pushed(app.service, (s) => s.plans['lo']?.capBytes === 10e9);
      const plan = await runPathwise(['plan', 'lo', '--cap', '10GB', '--price', '2', '--data-dir', dataDir]);
      expect(plan.code).toBe(0);
      expect((await planned).plans['lo']).toMatchObject({
        pricePerGb: 2,
        cycle: { kind: 'monthly', startDay: 1 },
      });
      expect(app.settings.get().plans['lo']?.capBytes).toBe(10e9);
    } finally {
      await app.service.stop();
    }
  });
});
