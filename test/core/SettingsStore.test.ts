import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsPatchSchema } from '../../common/settingsContract.ts';
import { SettingsStore } from '../../main/core/SettingsStore.ts';

const env = { XDG_DOWNLOAD_DIR: '/home/me/Downloads' };

describe('SettingsStore', () => {
  it('starts from defaults and persists updates across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-settings-'));
    const { store } = await SettingsStore.open(dir, env);
    expect(store.get()).toMatchObject({
      capThresholds: [0.75, 1],
      downloadDir: '/home/me/Downloads',
      notifications: true,
    });
    await store.update({ capThresholds: [0.5, 0.9, 1], launchAtLogin: true });
    const { store: again } = await SettingsStore.open(dir, env);
    expect(again.get()).toMatchObject({ capThresholds: [0.5, 0.9, 1], launchAtLogin: true });
  });

  it('refuses invalid settings with a message naming the field, and keeps the old ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-settings-'));
    const { store } = await SettingsStore.open(dir, env);
    await expect(store.update({ probeUrl: 'file:///etc/passwd' })).rejects.toThrow(/probeUrl/);
    await expect(
      store.update({
        plans: {
          wwan0: {
            capBytes: 1e9,
            cycle: { kind: 'monthly', startDay: 32 },
            pricePerGb: 10,
            overagePricePerGb: 15,
            atCap: 'stop',
            rateLimitBps: null,
            currency: 'USD',
          },
        },
      }),
    ).rejects.toMatchObject({ code: 'E_BAD_SETTINGS' });
    expect(store.get().plans).toEqual({});
  });

  it('refuses a relative download folder, naming the field, and keeps the old one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-settings-'));
    const { store } = await SettingsStore.open(dir, env);
    for (const relative of ['Downloads', './Downloads', '../elsewhere', '~/Downloads']) {
      const refused = store.update({ downloadDir: relative });
      await expect(refused).rejects.toMatchObject({ code: 'E_BAD_SETTINGS' });
      await expect(refused).rejects.toThrow(/downloadDir: The download folder must be an absolute path/);
    }
    expect(store.get().downloadDir).toBe('/home/me/Downloads');
    await store.update({ downloadDir: '/srv/downloads' });
    expect(store.get().downloadDir).toBe('/srv/downloads');
    expect(SettingsPatchSchema.safeParse({ downloadDir: 'D:\\Downloads' }).success).toBe(true);
    expect(SettingsPatchSchema.safeParse({ downloadDir: 'D:Downloads' }).success).toBe(false);
  });

  it('moves a corrupt file aside with a clear message instead of dropping it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pw-settings-'));
    await writeFile(join(dir, 'settings.json'), '{"capThresholds": [0.75, 1], "probeUrl": ');
    const { store, warning } = await SettingsStore.open(dir, env);
    expect(warning).toMatch(/could not be read and was moved to .*settings\.json\.corrupt-/);
    expect(store.get().capThresholds).toEqual([0.75, 1]);
    const aside = (await readdir(dir)).find((f) => f.startsWith('settings.json.corrupt-'));
    expect(await readFile(join(dir, aside ?? ''), 'utf8')).toContain('"probeUrl": ');
  });
});
