/**
 * The download lock's rules, one by one (issue 26): `<file>.part.lock` holds the owner's pid; a
 * second download of the file is refused with E_BUSY while that process lives; a lock whose owner
 * is gone, or that names no process at all, is taken over so a re-run resumes; a lock the process
 * can't remove ends in E_BUSY rather than a loop. (downloadLock.test.ts runs whole downloads.)
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  linkSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lockDownload } from '../../main/engine/downloadLock.ts';

/** Whether unlink refuses to remove a lock (a stale lock another user owns, in a sticky folder). */
const unlinkRule = vi.hoisted(() => ({ refuseLocks: false, lockUnlinks: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const unlink: typeof real.unlink = async (path) => {
    if (String(path).endsWith('.lock')) {
      unlinkRule.lockUnlinks++;
      if (unlinkRule.refuseLocks) {
        throw Object.assign(new Error(`EPERM: operation not permitted, unlink '${String(path)}'`), {
          code: 'EPERM',
        });
      }
    }
    return real.unlink(path);
  };
  return { ...real, default: { ...real, unlink }, unlink };
});

const releases: Array<() => Promise<void>> = [];

afterEach(async () => {
  unlinkRule.refuseLocks = false;
  unlinkRule.lockUnlinks = 0;
  vi.restoreAllMocks();
  for (const release of releases.splice(0)) await release();
});

/** A fresh download's part and final names, in a folder of their own. */
function names(): { part: string; lock: string; final: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pw-lock-'));
  const final = join(dir, 'file.bin');
  return { part: `${final}.part`, lock: `${final}.part.lock`, final };
}

async function lock(part: string, final: string): Promise<() => Promise<void>> {
  const release = await lockDownload(part, final);
  releases.push(release);
  return release;
}

const busyMessage = (final: string, pid: number | string): string =>
  `${final} is already being downloaded (process ${pid}). Wait for it, or stop it first.`;

/** The pid of a process that has exited (and been reaped): nothing answers to it now. */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  if (pid === undefined) throw new Error('no child process');
  return pid;
}

describe('the download lock: taking it and giving it back', () => {
  it('writes this process’s pid into <part>.lock, and removes the file on release', async () => {
    const { part, lock: lockFile, final } = names();
    const release = await lock(part, final);
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
    await release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a second lock of the same file in this process with E_BUSY, and leaves the first alone', async () => {
    const { part, lock: lockFile, final } = names();
    await lock(part, final);
    await expect(lockDownload(part, final)).rejects.toMatchObject({
      code: 'E_BUSY',
      message: busyMessage(final, process.pid),
    });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });

  it('lets the file be locked again once released, and other files meanwhile', async () => {
    const first = names();
    const other = names();
    const release = await lock(first.part, first.final);
    await lock(other.part, other.final);
    await release();
    await lock(first.part, first.final);
    expect(readFileSync(first.lock, 'utf8')).toBe(String(process.pid));
  });

  it('releases quietly when the lock file was already removed', async () => {
    const { part, lock: lockFile, final } = names();
    const release = await lock(part, final);
    await release();
    await expect(release()).resolves.toBeUndefined();
    expect(existsSync(lockFile)).toBe(false);
  });
});

describe('the download lock: a lock another process holds', () => {
  it('refuses the download while the process named in the lock lives, naming it', async () => {
    const { part, lock: lockFile, final } = names();
    // The parent of this test worker: alive for as long as the test runs, and not this process.
    writeFileSync(lockFile, `${process.ppid}\n`);
    await expect(lockDownload(part, final)).rejects.toMatchObject({
      code: 'E_BUSY',
      message: busyMessage(final, process.ppid),
    });
    expect(readFileSync(lockFile, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('counts a process it may not signal (another user’s: EPERM) as alive', async () => {
    const { part, lock: lockFile, final } = names();
    const owner = deadPid();
    const kill = process.kill.bind(process);
    vi.spyOn(process, 'kill').mockImplementation((pid, signal) => {
      if (pid === owner) throw Object.assign(new Error('kill EPERM'), { code: 'EPERM', syscall: 'kill' });
      return kill(pid, signal);
    });
    writeFileSync(lockFile, String(owner));
    await expect(lockDownload(part, final)).rejects.toMatchObject({
      code: 'E_BUSY',
      message: busyMessage(final, owner),
    });
    expect(readFileSync(lockFile, 'utf8')).toBe(String(owner));
  });
});

describe('the download lock: a stale lock is taken over', () => {
  it('takes over the lock of a process that is gone (kill -9)', async () => {
    const { part, lock: lockFile, final } = names();
    writeFileSync(lockFile, String(deadPid()));
    await lock(part, final);
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });

  it('takes over a lock naming this very process that it does not hold (a pid reused after a reboot)', async () => {
    const { part, lock: lockFile, final } = names();
    writeFileSync(lockFile, String(process.pid));
    await lock(part, final);
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });

  // 0 and negative numbers are not one process: kill(0) and kill(-1) would ask about a whole group
  // or every process, which is always "alive"; such a lock is garbage and is taken over.
  it.each(['', 'garbage', '0', '-1', '12.5', 'NaN'])('takes over a lock that holds %j', async (text) => {
    const { part, lock: lockFile, final } = names();
    writeFileSync(lockFile, text);
    await lock(part, final);
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });

  it('replaces a lock with a second name without reading it, and leaves the other name alone', async () => {
    const { part, lock: lockFile, final } = names();
    // The other name holds a live pid: were it read through the link, the download would be refused.
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'pw-lock-elsewhere-')), 'notes.txt');
    writeFileSync(elsewhere, String(process.ppid));
    linkSync(elsewhere, lockFile);
    await lock(part, final);
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
    expect(statSync(lockFile).nlink).toBe(1);
    expect(readFileSync(elsewhere, 'utf8')).toBe(String(process.ppid));
  });
});

describe('the download lock: what it refuses outright', () => {
  it('refuses a lock that is a symbolic link, and leaves it and its target alone', async () => {
    const { part, lock: lockFile, final } = names();
    const target = join(mkdtempSync(join(tmpdir(), 'pw-lock-target-')), 'target');
    writeFileSync(target, String(deadPid()));
    symlinkSync(target, lockFile);
    await expect(lockDownload(part, final)).rejects.toMatchObject({ code: 'E_OUTSIDE_DOWNLOADS' });
    expect(readFileSync(target, 'utf8')).not.toBe(String(process.pid));
    expect(existsSync(lockFile)).toBe(true);
  });

  it('passes on an error other than "exists" (a folder that is gone)', async () => {
    const { final } = names();
    const part = join(final, 'missing-folder', 'file.bin.part');
    await expect(lockDownload(part, final)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives up with E_BUSY when a stale lock can’t be removed, after trying again once', async () => {
    const { part, lock: lockFile, final } = names();
    writeFileSync(lockFile, String(deadPid()));
    unlinkRule.refuseLocks = true;
    await expect(lockDownload(part, final)).rejects.toMatchObject({
      code: 'E_BUSY',
      message: busyMessage(final, 'unknown'),
    });
    expect(unlinkRule.lockUnlinks).toBe(2);
    unlinkRule.refuseLocks = false;
    await lock(part, final);
    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });
});
