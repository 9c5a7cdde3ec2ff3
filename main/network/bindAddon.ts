/**
 * Finds and loads the `pathwise_bind` addon (native/), which pins sockets to a network device
 * with SO_BINDTODEVICE. It is a plain Node-API module, so the same file loads in Node and in
 * Electron. Tried in order: an explicit file (PATHWISE_BIND_ADDON, never in a packaged app: see
 * `envOverrideAllowed`), the prebuild shipped for this platform
 * (native/prebuilds/<platform>-<arch>/), then a local build (`npm run build:native`).
 * Where none loads, or PATHWISE_NO_BINDTODEVICE=1, callers fall back to binding by address.
 */
import { closeSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getSystemErrorName } from 'node:util';

export const ADDON_FILE = 'pathwise_bind.node';
export const DISABLE_ENV = 'PATHWISE_NO_BINDTODEVICE';
export const ADDON_PATH_ENV = 'PATHWISE_BIND_ADDON';

/** What the native module exports (see native/pathwise_bind.c). */
export interface BindAddon {
  /** A non-blocking TCP socket pinned to `device`, neither bound nor connected; the caller owns the fd. */
  openDeviceSocket(family: 4 | 6, device: string): number;
  /** The device a socket is pinned to, or null. */
  socketDevice(fd: number): string | null;
}

export type AddonSource = 'env' | 'prebuild' | 'build';

export type BindAddonStatus =
  | { available: true; addon: BindAddon; source: AddonSource; file: string; reason: null }
  | { available: false; addon: null; source: null; file: null; reason: string };

/** A system error as Node shapes them: `code`, negative `errno`, `syscall`. */
export interface SystemError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
}

let loaded: BindAddonStatus | undefined;

function unavailable(reason: string): BindAddonStatus {
  return { available: false, addon: null, source: null, file: null, reason };
}

/** The folder holding `native/`, found by walking up (sources, the electron-vite bundle, an asar). */
function nativeDirs(start: string): string[] {
  const dirs: string[] = [];
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'native');
    if (existsSync(candidate)) dirs.push(candidate);
    // Electron cannot dlopen from inside an asar archive; packagers unpack .node files beside it.
    if (candidate.includes('app.asar')) {
      const unpacked = candidate.replace('app.asar', 'app.asar.unpacked');
      if (existsSync(unpacked)) dirs.push(unpacked);
    }
    if (dirname(dir) === dir || dirs.length > 0) return dirs;
  }
}

/** What `envOverrideAllowed` reads of the process (tests pass their own). */
export type ProcessFacts = Pick<NodeJS.Process, 'execPath'> & {
  versions: { electron?: string | undefined };
  /** Set by Electron when it runs an app folder given on its command line (`electron .`): development. */
  defaultApp?: boolean | undefined;
};

/**
 * Whether PATHWISE_BIND_ADDON may name the addon's file: in plain Node (the CLI, `pathwise serve`,
 * tests), and in Electron only while developing — Electron's own binary running an app folder
 * (`process.defaultApp`, the `electron` executable: what `app.isPackaged` is derived from). A
 * packaged app never takes it: a variable naming any .node file to load would undo its fuses
 * (no RunAsNode, no NODE_OPTIONS), whose point is that the environment can't run code in it.
 *
 * Why the core decides this from the process rather than from a flag the shell passes down: the
 * addon loads lazily, from whichever layer first opens a bound socket, and a flag someone forgets
 * to pass would default to trusting the variable; the process can't forget. Both conditions must
 * say "development", so an app renamed from the `electron` binary or started without an app folder
 * is treated as packaged.
 */
export function envOverrideAllowed(proc: ProcessFacts = process): boolean {
  if (proc.versions.electron === undefined) return true;
  // Either separator: the rule reads the same whichever system the path came from.
  const binary = (proc.execPath.split(/[/\\]/).pop() ?? '').toLowerCase();
  return proc.defaultApp === true && (binary === 'electron' || binary === 'electron.exe');
}

export function addonCandidates(
  env: NodeJS.ProcessEnv = process.env,
  start = dirname(fileURLToPath(import.meta.url)),
  proc: ProcessFacts = process,
): Array<{ source: AddonSource; file: string }> {
  const candidates: Array<{ source: AddonSource; file: string }> = [];
  const explicit = env[ADDON_PATH_ENV];
  if (explicit && envOverrideAllowed(proc)) candidates.push({ source: 'env', file: explicit });
  for (const dir of nativeDirs(start)) {
    candidates.push({
      source: 'prebuild',
      file: join(dir, 'prebuilds', `${process.platform}-${process.arch}`, ADDON_FILE),
    });
    candidates.push({ source: 'build', file: join(dir, 'build', 'Release', ADDON_FILE) });
  }
  return candidates;
}

/** Turns the addon's `{ errno, syscall }` errors into Node-style errors with a `code`. */
export function toSystemError(error: unknown, detail?: string): SystemError {
  const e = error as { errno?: unknown; syscall?: unknown; message?: unknown; code?: unknown };
  if (typeof e?.errno !== 'number') {
    const plain = error instanceof Error ? error : new Error(String(error));
    return Object.assign(plain, { code: typeof e?.code === 'string' ? e.code : 'E_PATHWISE_BIND_ADDON' });
  }
  const code = getSystemErrorName(e.errno);
  const syscall = typeof e.syscall === 'string' ? e.syscall : 'socket';
  const what = detail ? ` ${detail}` : '';
  return Object.assign(new Error(`${syscall} ${code}${what}`, { cause: error }), {
    code,
    errno: e.errno,
    syscall,
  });
}

function tryLoad(): BindAddonStatus {
  if (process.platform !== 'linux') {
    return unavailable(
      `SO_BINDTODEVICE exists only on Linux; on ${process.platform} the OS picks the interface from the bound address`,
    );
  }
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const { source, file } of addonCandidates()) {
    if (!existsSync(file)) continue;
    let addon: BindAddon;
    try {
      addon = require(file) as BindAddon;
    } catch (error) {
      failures.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    // Linux before 5.7 lets only CAP_NET_RAW set SO_BINDTODEVICE: find out now, not per socket.
    try {
      closeSync(addon.openDeviceSocket(4, 'lo'));
    } catch (error) {
      const e = toSystemError(error);
      if (e.code === 'EPERM' || e.code === 'EACCES') {
        return unavailable(
          `the kernel refused SO_BINDTODEVICE (${e.code}): Linux before 5.7 allows it only with CAP_NET_RAW`,
        );
      }
      // Anything else (no loopback device in a bare namespace) says nothing about permission.
    }
    return { available: true, addon, source, file, reason: null };
  }
  if (failures.length > 0) return unavailable(`the addon did not load (${failures.join('; ')})`);
  return unavailable(
    `no ${ADDON_FILE} for linux-${process.arch}: run \`npm run build:native\` (needs a C compiler)`,
  );
}

/**
 * The addon and where it came from, or why there is none. The file is loaded once per process;
 * the PATHWISE_NO_BINDTODEVICE switch is read on every call so tests and users can flip it.
 */
export function loadBindAddon(env: NodeJS.ProcessEnv = process.env): BindAddonStatus {
  if (env[DISABLE_ENV] === '1' || env[DISABLE_ENV] === 'true') {
    return unavailable(`device binding is turned off (${DISABLE_ENV}=${env[DISABLE_ENV]})`);
  }
  loaded ??= tryLoad();
  return loaded;
}

/**
 * Opens a socket pinned to `device`, with errors a caller can act on: ENODEV when the interface
 * is gone, EPERM on kernels that do not allow it unprivileged.
 */
export function openDeviceSocket(addon: BindAddon, family: 4 | 6, device: string): number {
  try {
    return addon.openDeviceSocket(family, device);
  } catch (error) {
    const e = toSystemError(error, `SO_BINDTODEVICE ${device}`);
    if (e.code === 'ENODEV') e.message = `no network interface named ${device} (ENODEV): the path is gone`;
    throw e;
  }
}

let warnedAddressBinding = false;

/**
 * Says once per process that paths are bound by address only, and why — on Linux, where that
 * may not hold. Returns whether it said so now.
 */
export function warnAddressBindingOnce(
  status: BindAddonStatus,
  warn: (message: string) => void = (message) =>
    process.emitWarning(message, { code: 'PATHWISE_ADDRESS_BINDING' }),
): boolean {
  if (status.available || process.platform !== 'linux' || warnedAddressBinding) return false;
  warnedAddressBinding = true;
  warn(
    `Pathwise binds each path by its address only: ${status.reason}. ` +
      'Without policy routing Linux may send a path’s traffic out through the default interface; ' +
      'such paths are checked against the interface counters and marked unverified.',
  );
  return true;
}
