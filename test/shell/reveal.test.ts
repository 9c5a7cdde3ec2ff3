import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TransferInfo } from '../../common/contract.ts';
import { defaultSettings } from '../../main/core/SettingsStore.ts';
import { createRevealHandler, isInside } from '../../main/shell/reveal.ts';
import { scenario } from '../renderer/scenario.ts';

describe('transfers.reveal in the shell', () => {
  let downloads: string;
  let outside: string;
  const shown: string[] = [];
  let transfers: TransferInfo[];

  beforeAll(async () => {
    const root = await mkdtemp(join(tmpdir(), 'pw-reveal-'));
    downloads = join(root, 'Downloads');
    outside = join(root, 'elsewhere');
    await mkdir(downloads);
    await mkdir(outside);
    await writeFile(join(downloads, 'done.iso'), 'x');
    await writeFile(join(downloads, 'half.iso.part'), 'x');
    await writeFile(join(outside, 'secret.txt'), 'x');
    await symlink(join(outside, 'secret.txt'), join(downloads, 'link.txt'));
    const base = scenario(0).transfers[0] as TransferInfo;
    transfers = [
      { ...base, id: 'done', file: join(downloads, 'done.iso') },
      { ...base, id: 'half', file: join(downloads, 'half.iso') },
      { ...base, id: 'gone', file: join(downloads, 'sub', 'gone.iso') },
      { ...base, id: 'escape', file: join(downloads, '..', 'elsewhere', 'secret.txt') },
      { ...base, id: 'link', file: join(downloads, 'link.txt') },
    ];
  });

  const handler = () =>
    createRevealHandler({
      transfers: async () => transfers,
      settings: () => ({ ...defaultSettings({}), downloadDir: downloads }),
      showItemInFolder: (p) => void shown.push(p),
    });

  it('shows a finished file, or the partial file of one still downloading', async () => {
    await handler()('done');
    await handler()('half');
    expect(shown).toEqual([join(downloads, 'done.iso'), join(downloads, 'half.iso.part')]);
  });

  it('refuses a file outside the download folder, including through .. or a symlink', async () => {
    await expect(handler()('escape')).rejects.toMatchObject({ code: 'E_OUTSIDE_DOWNLOADS' });
    await expect(handler()('link')).rejects.toMatchObject({ code: 'E_OUTSIDE_DOWNLOADS' });
    expect(isInside(downloads, join(downloads, 'a', 'b'))).toBe(true);
    expect(isInside(downloads, `${downloads}-evil/x`)).toBe(false);
  });

  it('says so when the transfer or its file is gone', async () => {
    await expect(handler()('nope')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
    await expect(handler()('gone')).rejects.toMatchObject({ code: 'E_NOT_FOUND' });
  });
});
