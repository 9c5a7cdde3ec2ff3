/**
 * Writes the icons electron-builder packs (build/icon.png, 512 px) and the tray icons for every
 * state at 16/32 px (and macOS template variants) into build/tray/ for review. The app draws
 * the same tray icons at run time from main/shell/icons.ts; test/shell/icons.test.ts checks
 * that these files match the code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appIconPng, TRAY_STATUSES, trayIconPng } from '../main/shell/icons.ts';

const build = join(import.meta.dirname, '..', 'build');
mkdirSync(join(build, 'tray'), { recursive: true });
writeFileSync(join(build, 'icon.png'), appIconPng(512));
for (const status of TRAY_STATUSES) {
  for (const template of [false, true]) {
    const name = `tray-${status}${template ? 'Template' : ''}`;
    writeFileSync(join(build, 'tray', `${name}.png`), trayIconPng(status, 16, template));
    writeFileSync(join(build, 'tray', `${name}@2x.png`), trayIconPng(status, 32, template));
  }
}
console.log(`Icons written to ${build}`);
