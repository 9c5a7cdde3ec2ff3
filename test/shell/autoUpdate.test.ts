import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { PathInfo } from '../../common/contract.ts';
import { meteredUp, startAutoUpdate, updateFeed, type Updater } from '../../main/shell/autoUpdate.ts';

/*
 * Auto-update (issue 22): off unless electron-builder wrote a feed into the app, and an update
 * never downloads while a metered path is up (its requests take the OS's default route).
 */
class FakeUpdater extends EventEmitter implements Updater {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  checks = 0;
  downloads = 0;
  installs = 0;
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    return null;
  }
  async downloadUpdate(): Promise<unknown> {
    this.downloads++;
    return [];
  }
  quitAndInstall(): void {
    this.installs++;
  }
}

const path = (name: string, metered: boolean, up = true): PathInfo =>
  ({ name, type: metered ? 'cellular' : 'wifi', up, metered, addresses: [] }) as unknown as PathInfo;

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function started(paths: { now: PathInfo[] }): {
  updater: FakeUpdater;
  update: ReturnType<typeof startAutoUpdate>;
  notified: Array<{ version: string; installNow: () => void }>;
  logged: string[];
} {
  const updater = new FakeUpdater();
  const notified: Array<{ version: string; installNow: () => void }> = [];
  const logged: string[] = [];
  const update = startAutoUpdate({
    isPackaged: true,
    resourcesPath: '/opt/Pathwise/resources',
    exists: (file) => file === '/opt/Pathwise/resources/app-update.yml',
    load: async () => updater,
    paths: () => paths.now,
    notify: (version, installNow) => notified.push({ version, installNow }),
    log: (what) => logged.push(what),
  });
  return { updater, update, notified, logged };
}

describe('whether the app updates itself', () => {
  it('is off in development and without a feed, and says why; the updater is never loaded', async () => {
    let loads = 0;
    const load = async (): Promise<Updater> => {
      loads++;
      return new FakeUpdater();
    };
    const base = {
      resourcesPath: '/r',
      load,
      paths: () => [],
      notify: () => undefined,
      log: () => undefined,
    };
    const dev = startAutoUpdate({ ...base, isPackaged: false, exists: () => true });
    expect(dev.status()).toBe('Updates: off in a development build.');
    const noFeed = startAutoUpdate({ ...base, isPackaged: true, exists: () => false });
    expect(noFeed.status()).toMatch(/^Updates: off\. No update feed is configured/);
    await flush();
    expect(loads).toBe(0);
    expect(updateFeed(true, undefined, () => true)).toMatchObject({ on: false });
    expect(updateFeed(true, '/r', (f) => f === '/r/app-update.yml')).toEqual({
      on: true,
      file: '/r/app-update.yml',
    });
  });
});

describe('an update with a feed configured', () => {
  it('is looked for at start, downloaded only once no metered path is up, and installs from its notification', async () => {
    const paths = { now: [path('wlan0', false), path('wwan0', true)] };
    const { updater, update, notified } = started(paths);
    await flush();
    expect(updater.checks).toBe(1);
    // The shell decides when to download (never electron-updater on its own), and installs at quit.
    expect(updater.autoDownload).toBe(false);
    expect(updater.autoInstallOnAppQuit).toBe(true);
    updater.emit('update-available', { version: '0.2.0' });
    expect(updater.downloads).toBe(0);
    expect(update.status()).toMatch(/0\.2\.0 is available; it downloads once no metered network is in use/);
    // The cellular modem went down: now it downloads.
    paths.now = [path('wlan0', false), path('wwan0', true, false)];
    update.pathsChanged();
    expect(updater.downloads).toBe(1);
    expect(update.status()).toBe('Updates: downloading Pathwise 0.2.0…');
    updater.emit('update-downloaded', { version: '0.2.0' });
    expect(update.status()).toBe('Updates: Pathwise 0.2.0 is ready; it installs when you quit.');
    expect(notified.map((n) => n.version)).toEqual(['0.2.0']);
    notified[0]?.installNow();
    expect(updater.installs).toBe(1);
    update.stop();
  });

  it('downloads at once on an unmetered network, and says when it is up to date or failed', async () => {
    const { updater, update, logged } = started({ now: [path('eth0', false)] });
    await flush();
    updater.emit('update-not-available', {});
    expect(update.status()).toMatch(/^Updates: up to date/);
    updater.emit('update-available', { version: '0.3.0' });
    expect(updater.downloads).toBe(1);
    updater.emit('error', new Error('feed answered 404'));
    expect(update.status()).toBe('Updates: could not look for updates (feed answered 404).');
    expect(logged).toContain('updater');
    update.stop();
  });

  it('says so when the updater cannot be loaded', async () => {
    const logged: string[] = [];
    const update = startAutoUpdate({
      isPackaged: true,
      resourcesPath: '/r',
      exists: () => true,
      load: () => Promise.reject(new Error('missing module')),
      paths: () => [],
      notify: () => undefined,
      log: (what) => logged.push(what),
    });
    await flush();
    expect(update.status()).toBe('Updates: off. The updater could not be loaded.');
    expect(logged).toEqual(['updater']);
    update.stop();
  });
});

describe('meteredUp', () => {
  it('is true only for a metered path that is up', () => {
    expect(meteredUp([path('wlan0', false)])).toBe(false);
    expect(meteredUp([path('wwan0', true, false)])).toBe(false);
    expect(meteredUp([path('wlan0', false), path('wwan0', true)])).toBe(true);
  });
});
