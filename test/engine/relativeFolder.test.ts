/**
 * The engine saves only to a folder named from the root (issue 22): a relative one would land
 * wherever the process happens to run. The settings refuse one (settingsContract); the engine
 * refuses it too, whatever handed it over, before anything is created on disk.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../main/core/SettingsStore.ts';
import { Transfer } from '../../main/engine/Transfer.ts';
import { TransferManager } from '../../main/engine/TransferManager.ts';
import { twoPaths } from '../support/engineLab.ts';

const url = 'http://127.0.0.1:9/file.bin';

describe('a relative output folder', () => {
  it('is refused by a transfer with E_DISK, naming it', () => {
    expect(() => new Transfer({ url, directory: 'downloads', paths: twoPaths() })).toThrow(
      expect.objectContaining({
        code: 'E_DISK',
        message: expect.stringContaining('The download folder "downloads" is a relative path'),
      }),
    );
    expect(() => new Transfer({ url, paths: twoPaths() })).toThrow(
      /The download folder "\." is a relative path/,
    );
    expect(() => new Transfer({ url, file: 'out/file.bin', paths: twoPaths() })).toThrow(
      /The download file "out\/file\.bin" is a relative path/,
    );
  });

  it('is refused by the app’s downloads (E_BAD_SETTINGS naming downloadDir), creating nothing', async () => {
    const relative = join('pw-relative-downloads', String(process.pid));
    const manager = new TransferManager({
      paths: { snapshot: () => [], on: () => null, off: () => null },
      settings: () => ({ ...defaultSettings({}), downloadDir: relative }),
    });
    try {
      await expect(manager.start({ url, mode: 'aggregate' })).rejects.toMatchObject({
        code: 'E_BAD_SETTINGS',
        message: expect.stringMatching(/^downloadDir "pw-relative-downloads\/\d+" is a relative path/),
      });
      expect(existsSync(relative)).toBe(false);
      expect(manager.list()).toEqual([]);
    } finally {
      await manager.stop();
    }
  });
});
