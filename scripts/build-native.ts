/**
 * Builds the pathwise_bind addon (native/) with node-gyp. It uses Node-API only, so one build
 * serves every Node and Electron that loads it; no rebuild per runtime.
 *
 *   npm run build:native                 native/build/Release/pathwise_bind.node (tried after the prebuild)
 *   npm run build:native -- --prebuild   also copies it to native/prebuilds/<platform>-<arch>/ (to commit)
 *   node scripts/build-native.ts --if-needed
 *                                        (postinstall) builds only on Linux where no prebuild loads,
 *                                        and never fails the install: without a compiler Pathwise
 *                                        binds paths by address and says so.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nativeDir = join(root, 'native');
const target = `${process.platform}-${process.arch}`;
const built = join(nativeDir, 'build', 'Release', 'pathwise_bind.node');
const prebuilt = join(nativeDir, 'prebuilds', target, 'pathwise_bind.node');
const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));

function loads(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const addon = require(file) as { openDeviceSocket?: unknown };
    return typeof addon.openDeviceSocket === 'function';
  } catch {
    return false;
  }
}

function build(): boolean {
  let gyp: string;
  try {
    gyp = require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    console.error('build:native: node-gyp is not installed (npm ci installs it as a devDependency)');
    return false;
  }
  const quiet = args.has('--if-needed') ? ['--loglevel', 'error'] : [];
  const result = spawnSync(process.execPath, [gyp, 'rebuild', '--directory', nativeDir, ...quiet], {
    stdio: args.has('--if-needed') ? ['ignore', 'ignore', 'inherit'] : 'inherit',
  });
  return result.status === 0 && loads(built);
}

if (args.has('--if-needed')) {
  // Only Linux needs the addon; a fitting prebuild (or an earlier build) makes compiling pointless.
  if (process.platform !== 'linux' || loads(prebuilt) || loads(built)) process.exit(0);
  if (!build()) {
    console.warn(
      `pathwise: could not build the device-binding addon for ${target}; paths will be bound by address only ` +
        '(install a C compiler, python3 and make, then run `npm run build:native`)',
    );
  }
  process.exit(0);
}

if (!build()) {
  console.error(`build:native: the build failed for ${target}`);
  process.exit(1);
}
if (args.has('--prebuild')) {
  mkdirSync(dirname(prebuilt), { recursive: true });
  copyFileSync(built, prebuilt);
  console.log(`build:native: ${prebuilt}`);
} else {
  console.log(`build:native: ${built}`);
}
