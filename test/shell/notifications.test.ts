import { describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../common/contract.ts';
import { defaultSettings } from '../../main/core/SettingsStore.ts';
import { createLoginItemSync } from '../../main/shell/loginItem.ts';
import { createAlertNotifier, type NotificationPort } from '../../main/shell/notifications.ts';

const alert = (overrides: Partial<Alert> = {}): Alert => ({
  id: 'a1',
  kind: 'cap-threshold',
  severity: 'warning',
  path: 'wwan0',
  transferId: null,
  title: 'wwan0 has used 75% of its plan',
  message: '7.5 GB of 10 GB used.',
  at: 1,
  read: false,
  ...overrides,
});

function port(
  supported = true,
): NotificationPort & { shown: Array<{ title: string; body: string; urgency: string; click: () => void }> } {
  const shown: Array<{ title: string; body: string; urgency: string; click: () => void }> = [];
  return {
    shown,
    isSupported: () => supported,
    show: (options, click) => void shown.push({ ...options, click }),
  };
}

describe('alert notifications', () => {
  it('shows an alert once, with its urgency, and opens the dashboard on click', () => {
    const p = port();
    const onClick = vi.fn();
    const notify = createAlertNotifier({ port: p, settings: () => defaultSettings({}), onClick });
    expect(notify(alert())).toBe(true);
    expect(notify(alert())).toBe(false);
    expect(p.shown).toEqual([
      expect.objectContaining({ title: 'wwan0 has used 75% of its plan', urgency: 'normal' }),
    ]);
    p.shown[0]?.click();
    expect(onClick).toHaveBeenCalledWith(expect.objectContaining({ id: 'a1' }));
    notify(alert({ id: 'a2', severity: 'critical' }));
    expect(p.shown[1]?.urgency).toBe('critical');
  });

  it('stays quiet when the user turned notifications off, for read alerts, or where the OS has none', () => {
    const off = port();
    const settings = { ...defaultSettings({}), notifications: false };
    expect(createAlertNotifier({ port: off, settings: () => settings, onClick: vi.fn() })(alert())).toBe(
      false,
    );
    const read = port();
    expect(
      createAlertNotifier({ port: read, settings: () => defaultSettings({}), onClick: vi.fn() })(
        alert({ read: true }),
      ),
    ).toBe(false);
    const none = port(false);
    expect(
      createAlertNotifier({ port: none, settings: () => defaultSettings({}), onClick: vi.fn() })(alert()),
    ).toBe(false);
    expect([...off.shown, ...read.shown, ...none.shown]).toEqual([]);
  });
});

describe('launch at login', () => {
  it('sets the OS login item when the setting changes, and only then', () => {
    let os = { openAtLogin: false };
    const calls: unknown[] = [];
    const sync = createLoginItemSync({
      getLoginItemSettings: () => os,
      setLoginItemSettings: (s) => {
        calls.push(s);
        os = { openAtLogin: s.openAtLogin };
      },
    });
    const settings = defaultSettings({});
    expect(sync(settings)).toBe(false); // off and already off
    expect(sync({ ...settings, launchAtLogin: true })).toBe(true);
    expect(calls).toEqual([{ openAtLogin: true, openAsHidden: true, args: ['--hidden'] }]);
    expect(sync({ ...settings, launchAtLogin: true, notifications: false })).toBe(false);
    expect(sync({ ...settings, launchAtLogin: false })).toBe(true);
    expect(os.openAtLogin).toBe(false);
  });
});
