import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EventEmitter } from 'node:events';

interface LinkWatcherEvents {
  /** The kernel announced a link or address change; re-read now. */
  change: [];
  /** The watcher stopped working (no `ip`, or it died); the monitor should poll faster. */
  unavailable: [];
}

/** `ip` lives in sbin on Debian, and a desktop session's PATH often lacks sbin. */
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export function findExecutable(
  name: string,
  pathEnv: string | undefined = process.env['PATH'],
): string | null {
  const dirs = [...(pathEnv ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // keep looking
    }
  }
  return null;
}

/**
 * Wakes the monitor the moment the kernel changes a link or an address, through one long-lived
 * `ip -o monitor link address` child (rtnetlink multicast). While idle the child sleeps in a
 * read: no polling, no CPU. Linux only; elsewhere, or if `ip` is missing or keeps dying, it
 * reports `unavailable` and the monitor falls back to polling.
 */
export class LinkWatcher extends EventEmitter<LinkWatcherEvents> {
  private child: ChildProcess | undefined;
  private stopped = true;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly ipPath: string | null;

  constructor(options: { ipPath?: string | null } = {}) {
    super();
    this.ipPath =
      options.ipPath !== undefined
        ? options.ipPath
        : process.platform === 'linux'
          ? findExecutable('ip')
          : null;
  }

  /** True while a watcher child is running. */
  get active(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): boolean {
    this.stopped = false;
    if (!this.ipPath) return false;
    this.spawnChild(this.ipPath);
    return true;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }

  private spawnChild(ipPath: string): void {
    const child = spawn(ipPath, ['-o', 'monitor', 'link', 'address'], {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LC_ALL: 'C' },
    });
    this.child = child;
    child.unref();
    const stdout = child.stdout as (NodeJS.ReadableStream & { unref?: () => void }) | null;
    stdout?.unref?.();
    // Every line is a change; the monitor re-reads sysfs, so the line's content doesn't matter.
    stdout?.on('data', () => this.emit('change'));
    child.on('error', () => undefined);
    child.on('exit', () => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      this.emit('unavailable');
      // Retry with back-off; a child that keeps dying leaves the monitor on its polling fallback.
      if (this.restarts++ < 5) {
        this.restartTimer = setTimeout(
          () => {
            if (!this.stopped) {
              this.spawnChild(ipPath);
              this.emit('change');
            }
          },
          1000 * 2 ** this.restarts,
        );
        this.restartTimer.unref();
      }
    });
  }
}
