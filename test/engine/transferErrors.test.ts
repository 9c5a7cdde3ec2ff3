import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diskError } from '../../main/engine/transferErrors.ts';

let dir: string | null = null;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const enoent = (): NodeJS.ErrnoException =>
  Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });

describe('diskError', () => {
  it('calls a folder missing only when it is', () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-disk-'));
    const gone = join(dir, 'gone', 'f.bin.part');
    expect(diskError(enoent(), gone)).toMatchObject({
      code: 'E_DISK',
      message: `The folder ${join(dir, 'gone')} does not exist. Create it, or choose another place to save.`,
    });
    // The folder is there, the file went (a part file deleted by hand): said as it is.
    const here = join(dir, 'f.bin.part');
    expect(diskError(enoent(), here)).toMatchObject({
      code: 'E_DISK',
      message: `Could not write ${here}: ENOENT: no such file.`,
    });
  });
});
