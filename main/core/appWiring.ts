import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { About } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import { APP_VERSION } from '../base/version.ts';
import type { PathwiseService, ShellKind } from './PathwiseService.ts';
import type { SettingsStore } from './SettingsStore.ts';

/**
 * The app's root (package.json and node_modules): two folders up from the sources (main/core/)
 * and from the bundles (out/main/, out/cli/, also inside the packaged app's asar).
 */
const APP_ROOT = fileURLToPath(new URL('../../', import.meta.url));

type Licence = About['licences'][number];

function readPackage(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** A package.json's licence as SPDX: `license`, or the old `licenses` array, else UNKNOWN. */
function licenceOf(pkg: Record<string, unknown>): string {
  if (typeof pkg['license'] === 'string') return pkg['license'];
  const old = pkg['licenses'];
  if (Array.isArray(old)) {
    const types = old.map((l) => (l && typeof l === 'object' ? (l as { type?: unknown }).type : l));
    if (types.every((t) => typeof t === 'string')) return types.join(' OR ');
  }
  return 'UNKNOWN';
}

/**
 * The dependencies the app ships (package.json's `dependencies`, as installed beside it), each
 * with its version and licence; the dashboard adds what its own bundle holds (AboutPanel.tsx).
 */
export function bundledLicences(root: string = APP_ROOT): Licence[] {
  const app = readPackage(join(root, 'package.json'));
  const names = Object.keys((app?.['dependencies'] as Record<string, string> | undefined) ?? {});
  return names.sort().map((name) => {
    const pkg = readPackage(join(root, 'node_modules', name, 'package.json'));
    return {
      name,
      version: typeof pkg?.['version'] === 'string' ? pkg['version'] : 'unknown',
      license: pkg ? licenceOf(pkg) : 'UNKNOWN',
    };
  });
}

export interface AppParts {
  service: PathwiseService;
  shell: ShellKind;
  dataDir: string;
  settings: SettingsStore;
  /** Problems found while starting, for the UI to show (createPathwise's warnings; read when asked). */
  warnings: string[];
  /** Where the shell logs to (Electron's rotated log in the data home); null when it doesn't. */
  logFile?: string | null;
  /** The desktop app's auto-update status line (main/shell/autoUpdate.ts); none headless. */
  updates?: (() => string) | undefined;
}

/**
 * The app's own channels: `app.info`, the About panel's `app.about` (with every warning since the
 * start, so the UI can show them, not only the console), and the folder dialog, which only the
 * desktop shell can answer (it overrides the handler).
 */
export function serveApp({
  service,
  shell,
  dataDir,
  settings,
  warnings,
  logFile = null,
  updates,
}: AppParts): void {
  const startedAt = Date.now();
  // Those of the start (the shells may add theirs to the same list), then those since.
  const later: About['warnings'] = [];
  // A hand-edited settings.json refused, a folder that can't be watched: kept for the UI too.
  settings.on('warning', (message) => {
    later.push({ message, at: Date.now() });
    if (later.length > 50) later.shift();
  });
  const runtime: Record<string, string> = { node: process.versions.node };
  for (const name of ['electron', 'chrome'] as const) {
    const version = process.versions[name];
    if (version) runtime[name] = version;
  }
  service.register({
    'app.info': async () => ({ version: APP_VERSION, shell, dataDir }),
    'app.about': async () => ({
      version: APP_VERSION,
      shell,
      dataDir,
      logFile,
      runtime,
      licences: bundledLicences(),
      warnings: [...warnings.map((message) => ({ message, at: startedAt })), ...later],
      ...(updates ? { updates: updates() } : {}),
    }),
    'dialog.chooseFolder': async () => {
      throw new PathwiseError(
        'E_UNSUPPORTED',
        'A folder dialog needs the desktop app; type the folder’s full path instead.',
      );
    },
  });
}
