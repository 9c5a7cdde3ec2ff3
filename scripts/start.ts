/**
 * `npm start`: the Electron app where it can run; otherwise one line saying why, then the
 * headless dashboard (`pathwise serve`) so the same UI is still reachable from a browser.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { electronBinary, ROOT } from './electron.ts';

const root = ROOT;
const build = spawnSync(
  process.execPath,
  [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
if (build.status !== 0) {
  console.error('pathwise: the build failed; see the errors above.');
  process.exit(build.status ?? 1);
}

const binary = electronBinary();
const hasDisplay =
  process.platform !== 'linux' || Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']);
let reason: string | undefined;
if (!binary)
  reason = 'the Electron binary is not installed (it downloads from GitHub releases, unreachable here)';
else if (!hasDisplay) reason = 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)';

if (!reason && binary) {
  const child = spawn(binary, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Pathwise: can't start the desktop app: ${reason}. Starting the headless dashboard instead.`);
  const args = [
    '--disable-warning=ExperimentalWarning',
    join(root, 'main/cli/main.ts'),
    'serve',
    ...process.argv.slice(2),
  ];
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 0));
}
