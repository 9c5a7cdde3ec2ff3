import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Settings } from '../../common/contract.ts';
import { createLoginItemSync, type LoginItemPort } from './loginItem.ts';

/** The file GNOME, KDE, Xfce and the rest read at login (the XDG Autostart specification). */
export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  const config = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(config, 'autostart', 'pathwise.desktop');
}

/** An Exec= argument, quoted as the Desktop Entry specification says when it must be. */
function execArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (!/[\s"'\\$`<>~|&;*?#()]/.test(escaped)) return escaped;
  // Quoted, `"`, `\``, `$` and `\` take a backslash; then every backslash is doubled, as the
  // key file's own string escaping comes first.
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`.replace(/\\/g, '\\\\');
}

/** The autostart entry: the app, started hidden in the tray. */
export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Pathwise',
    'Comment=Keeps transfers alive across your network paths and tracks what each costs',
    `Exec=${[...command, '--hidden'].map(execArg).join(' ')}`,
    'Icon=pathwise',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export interface AutostartOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Electron's login items (macOS, Windows). */
  loginItems: LoginItemPort;
  /** How to start this app: its executable (an AppImage's own file), and any arguments. */
  command: readonly string[];
}

/**
 * Launch at login that follows settings.launchAtLogin on every OS, always started hidden (in the
 * tray): an XDG autostart entry on Linux, where Electron's login-item API does nothing, and that
 * API elsewhere. Applied at start and when the setting changes; on Linux the entry is written
 * only when it differs (a moved AppImage is followed) and removed when the setting is off.
 */
export function createLaunchAtLogin(options: AutostartOptions): (settings: Settings) => boolean {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return createLoginItemSync(options.loginItems);
  const file = autostartFile(options.env);
  const entry = autostartEntry(options.command);
  let last: boolean | undefined;
  return (settings) => {
    const wanted = settings.launchAtLogin;
    if (wanted === last) return false;
    last = wanted;
    const current = readOrNull(file);
    if (!wanted) {
      if (current === null) return false;
      rmSync(file, { force: true });
      return true;
    }
    if (current === entry) return false;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, entry, { mode: 0o644 });
    return true;
  };
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** This app's command line: the AppImage it runs from (its mount moves every launch), else its executable. */
export function appCommand(
  execPath: string = process.execPath,
  env: NodeJS.ProcessEnv = process.env,
  defaultApp = false,
  appPath = '',
): string[] {
  if (env['APPIMAGE']) return [env['APPIMAGE']];
  // Run from the sources (`electron .`): the electron binary needs the app's folder too.
  return defaultApp ? [execPath, appPath] : [execPath];
}
