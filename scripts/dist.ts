/**
 * `npm run dist`: installers with electron-builder (AppImage + deb on Linux, dmg on macOS, NSIS
 * on Windows — see electron-builder.yml). Needs the Electron binary, which comes from Electron's
 * GitHub releases; where it can't be downloaded this says so in one line and exits 1.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ELECTRON_DIR, electronBinary, electronVersion, ROOT } from './electron.ts';

function run(args: string[]): number {
  return spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' }).status ?? 1;
}

if (!electronBinary()) {
  const fetched = spawnSync(process.execPath, [join(ELECTRON_DIR, 'install.js')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (!electronBinary()) {
    const why = `${fetched.stderr ?? ''}${fetched.stdout ?? ''}`.trim().split('\n').pop() || 'no answer';
    console.error(
      `pathwise dist: the Electron ${electronVersion()} binary could not be downloaded (${why}); ` +
        'build installers on a machine that can reach github.com: npm ci && npm run dist (see README).',
    );
    process.exit(1);
  }
}

let status = run([join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build']);
if (status === 0) {
  // Package the Electron we already have instead of letting electron-builder fetch another copy.
  status = run([
    join(ROOT, 'node_modules/electron-builder/cli.js'),
    `-c.electronDist=${join(ELECTRON_DIR, 'dist')}`,
    `-c.electronVersion=${electronVersion()}`,
    ...process.argv.slice(2),
  ]);
}
process.exit(status);
