import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Settings, TransferInfo } from '../../common/contract.ts';
import { defaultSettings } from '../../main/core/SettingsStore.ts';
import {
  appCommand,
  autostartEntry,
  autostartFile,
  createLaunchAtLogin,
} from '../../main/shell/autostart.ts';
import { createKeepAwake, progressKey, taskbarProgress } from '../../main/shell/desktop.ts';
import { startLogFile } from '../../main/shell/logFile.ts';

const settings = (patch: Partial<Settings> = {}): Settings => ({ ...defaultSettings({}), ...patch });

function transfer(state: TransferInfo['state'], received: number, size: number | null): TransferInfo {
  return {
    id: `t-${state}-${received}`,
    url: 'https://example.com/f',
    file: '/tmp/f',
    mode: 'aggregate',
    state,
    size,
    received,
    rate: 0,
    paths: {},
    allowedPaths: null,
    rangeSupport: true,
    sha256: null,
    error: null,
    createdAt: 0,
    finishedAt: null,
  };
}

describe('launch at login', () => {
  const loginItems = {
    calls: [] as unknown[],
    getLoginItemSettings: () => ({ openAtLogin: false }),
    setLoginItemSettings(value: unknown) {
      this.calls.push(value);
    },
  };

  it('writes an XDG autostart entry that starts hidden, and removes it, on Linux', () => {
    const config = mkdtempSync(join(tmpdir(), 'pw-autostart-'));
    const env = { XDG_CONFIG_HOME: config, HOME: '/nonexistent' };
    const sync = createLaunchAtLogin({
      platform: 'linux',
      env,
      loginItems,
      command: ['/opt/Pathwise/pathwise'],
    });
    const file = autostartFile(env);
    expect(file).toBe(join(config, 'autostart', 'pathwise.desktop'));
    expect(sync(settings({ launchAtLogin: false }))).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(sync(settings({ launchAtLogin: true }))).toBe(true);
    const entry = readFileSync(file, 'utf8');
    expect(entry).toMatch(/^\[Desktop Entry\]\nType=Application\nName=Pathwise\n/);
    expect(entry).toContain('\nExec=/opt/Pathwise/pathwise --hidden\n');
    // The same setting again changes nothing; off removes the entry.
    expect(sync(settings({ launchAtLogin: true }))).toBe(false);
    expect(sync(settings({ launchAtLogin: false }))).toBe(true);
    expect(existsSync(file)).toBe(false);
    expect(loginItems.calls).toEqual([]);
  });

  it('rewrites an entry that points elsewhere (a moved AppImage)', () => {
    const config = mkdtempSync(join(tmpdir(), 'pw-autostart-'));
    const env = { XDG_CONFIG_HOME: config };
    const file = autostartFile(env);
    createLaunchAtLogin({ platform: 'linux', env, loginItems, command: ['/old/Pathwise.AppImage'] })(
      settings({ launchAtLogin: true }),
    );
    const sync = createLaunchAtLogin({
      platform: 'linux',
      env,
      loginItems,
      command: ['/new/Pathwise.AppImage'],
    });
    expect(sync(settings({ launchAtLogin: true }))).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('Exec=/new/Pathwise.AppImage --hidden');
    writeFileSync(file, 'hand-edited');
    expect(sync(settings({ launchAtLogin: false }))).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('quotes an Exec path as the Desktop Entry specification says', () => {
    expect(autostartEntry(['/home/me/My Apps/Pathwise 100%.AppImage'])).toContain(
      'Exec="/home/me/My Apps/Pathwise 100%%.AppImage" --hidden',
    );
    expect(autostartEntry(['/opt/a"b$c'])).toContain('Exec="/opt/a\\\\"b\\\\$c" --hidden');
  });

  it('uses Electron’s login items on macOS and Windows, started hidden', () => {
    const port = { ...loginItems, calls: [] as unknown[] };
    const sync = createLaunchAtLogin({ platform: 'win32', loginItems: port, command: ['C:\\Pathwise.exe'] });
    expect(sync(settings({ launchAtLogin: true }))).toBe(true);
    expect(port.calls).toEqual([{ openAtLogin: true, openAsHidden: true, args: ['--hidden'] }]);
  });

  it('starts an AppImage by its own file, an app run from sources with its folder', () => {
    expect(appCommand('/tmp/.mount_x/pathwise', { APPIMAGE: '/home/me/Pathwise.AppImage' })).toEqual([
      '/home/me/Pathwise.AppImage',
    ]);
    expect(appCommand('/usr/lib/electron', {}, true, '/src/pathwise')).toEqual([
      '/usr/lib/electron',
      '/src/pathwise',
    ]);
    expect(appCommand('/opt/Pathwise/pathwise', {})).toEqual(['/opt/Pathwise/pathwise']);
  });
});

describe('keep awake and taskbar progress', () => {
  it('holds one blocker while a download runs, only if the user allows it', () => {
    const held = new Set<number>();
    let next = 1;
    const keepAwake = createKeepAwake({
      start: () => (held.add(next), next++),
      stop: (id) => held.delete(id),
    });
    const running = [transfer('running', 10, 100)];
    expect(keepAwake(running, settings())).toBe(false);
    expect(keepAwake(running, settings({ keepAwake: true }))).toBe(true);
    expect(keepAwake([...running, transfer('probing', 0, null)], settings({ keepAwake: true }))).toBe(true);
    expect(held.size).toBe(1);
    expect(keepAwake([transfer('done', 100, 100)], settings({ keepAwake: true }))).toBe(false);
    expect(held.size).toBe(0);
    expect(keepAwake(running, settings({ keepAwake: true }))).toBe(true);
    expect(keepAwake(running, settings({ keepAwake: false }))).toBe(false);
    expect(held.size).toBe(0);
  });

  it('shows the running downloads’ bytes as one bar', () => {
    expect(taskbarProgress(null)).toEqual({ progress: -1, mode: 'none' });
    expect(taskbarProgress([transfer('paused', 5, 10)])).toEqual({ progress: -1, mode: 'none' });
    expect(taskbarProgress([transfer('probing', 0, null)])).toEqual({ progress: 2, mode: 'indeterminate' });
    const bar = taskbarProgress([
      transfer('running', 25, 100),
      transfer('running', 75, 100),
      transfer('done', 1, 1),
    ]);
    expect(bar).toEqual({ progress: 0.5, mode: 'normal' });
    expect(progressKey(bar)).toBe(progressKey({ progress: 0.50001, mode: 'normal' }));
    expect(progressKey(bar)).not.toBe(progressKey({ progress: 0.51, mode: 'normal' }));
  });
});

describe('the log file', () => {
  it('is private, in the data home, and rotated past its size', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pw-log-'));
    const log = startLogFile(dataDir, { echo: false });
    expect(log.file).toBe(join(dataDir, 'logs', 'main.log'));
    log.warn('first line');
    const line = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 40; i++) log.warn(line);
    expect(statSync(log.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'logs', 'main.old.log'), 'utf8')).toContain('first line');
    expect(readFileSync(log.file, 'utf8').length).toBeLessThan(2 * 1024 * 1024);
  });
});
