import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../../main/base/atomicWrite.ts';

let dir: string | null = null;

afterEach(() => {
  vi.restoreAllMocks();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('writeFileAtomic', () => {
  it('takes two writes of one file in the same millisecond, each through its own temp file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-atomic-'));
    const file = join(dir, 'state.json');
    // One clock reading for both: temp names made from the time alone would collide, and the
    // second rename would find its temp file already moved (ENOENT).
    vi.spyOn(Date, 'now').mockReturnValue(1_795_830_784_410);
    await Promise.all([writeFileAtomic(file, 'first'), writeFileAtomic(file, 'second')]);
    expect(['first', 'second']).toContain(readFileSync(file, 'utf8'));
    expect(readdirSync(dir)).toEqual(['state.json']);
  });
});

describe('writeFileAtomic: its temp file is always a new file', () => {
  it('never writes through a link planted under a temp name: it takes the next name', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-atomic-'));
    const file = join(dir, 'state.json');
    const victim = join(dir, 'elsewhere.txt');
    writeFileSync(victim, 'keep me');
    // A fresh copy of the module numbers its temp files from 1: links wait under the first two.
    vi.resetModules();
    const fresh = await import('../../main/base/atomicWrite.ts');
    const planted = [1, 2].map((n) => `${file}.${process.pid}.${n}.tmp`);
    for (const name of planted) symlinkSync(victim, name);
    await fresh.writeFileAtomic(file, 'new state');
    expect(readFileSync(file, 'utf8')).toBe('new state');
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('keep me');
    for (const name of planted) expect(lstatSync(name).isSymbolicLink()).toBe(true);
  });
});
