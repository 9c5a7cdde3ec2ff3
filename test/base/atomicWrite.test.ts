import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
