import type { Settings } from '../../common/contract.ts';

export interface LoginItemPort {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
}

/**
 * Keeps the OS login item in step with settings.launchAtLogin: applied at start and whenever
 * the setting changes, and only when the OS disagrees (so a user's own change in the OS isn't
 * fought on every unrelated settings write).
 */
export function createLoginItemSync(port: LoginItemPort): (settings: Settings) => boolean {
  let last: boolean | undefined;
  return (settings) => {
    const wanted = settings.launchAtLogin;
    if (wanted === last) return false;
    last = wanted;
    if (port.getLoginItemSettings().openAtLogin === wanted) return false;
    // Started at login, the app goes straight to the tray (see main/index.ts: --hidden).
    port.setLoginItemSettings({ openAtLogin: wanted, openAsHidden: true, args: wanted ? ['--hidden'] : [] });
    return true;
  };
}
