/**
 * A download's own files — `<file>.part`, its journal, its lock — are never followed through a
 * link (issue 22): a symbolic link planted under one of those names would otherwise send the
 * download's bytes (or a truncate) to a file outside the download folder. Each such name is
 * refused with E_OUTSIDE_DOWNLOADS, the link and its target left as they were; a fresh part file
 * is a new file (O_EXCL), so a hard link under its name is replaced, not written through.
 */
import { existsSync, linkSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransferOutcome } from '../../main/engine/Transfer.ts';
import { TransferJournal } from '../../main/engine/TransferJournal.ts';
import { failureOf, fileEquals, makeTransfer, tempDir, twoPaths } from '../support/engineLab.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 600_000;
const content = deterministicContent(SIZE, 47);
/** What a file outside the download folder holds; it must hold it still after each test. */
const precious = Buffer.from('the user’s own file, not a download\n'.repeat(20_000));
let server: RangeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A download folder and, elsewhere, a file a link could point at. */
async function setUp(): Promise<{ file: string; victim: string; url: string }> {
  server = await startRangeServer(content);
  const victim = join(tempDir(), 'precious.txt');
  writeFileSync(victim, precious);
  return { file: join(tempDir(), 'out.bin'), victim, url: server.url };
}

/** A journal an earlier run could have left: half the file on disk, the server's version. */
async function journalFor(file: string, url: string): Promise<void> {
  await new TransferJournal(`${file}.part`).save({
    version: 1,
    url,
    finalUrl: url,
    size: SIZE,
    etag: server?.behaviour.etag ?? null,
    lastModified: null,
    encoding: null,
    rangeSupport: true,
    done: [[0, SIZE / 2]],
    sha256: null,
    updatedAt: Date.now(),
  });
}

function expectRefusedLink(outcome: TransferOutcome, name: string, victim: string, file: string): void {
  const error = failureOf(outcome);
  expect(error.code).toBe('E_OUTSIDE_DOWNLOADS');
  expect(error.message).toContain(`${name} is a symbolic link`);
  expect(error.message).toContain('never follows it');
  expect(readFileSync(victim).equals(precious)).toBe(true);
  expect(lstatSync(name).isSymbolicLink()).toBe(true);
  expect(existsSync(file)).toBe(false);
}

describe('a symbolic link under the name of a download’s own file is refused, never followed', () => {
  it('a new download’s .part', async () => {
    const { file, victim, url } = await setUp();
    symlinkSync(victim, `${file}.part`);
    const { transfer } = makeTransfer({ url, file, paths: twoPaths() });
    expectRefusedLink(await transfer.run(), `${file}.part`, victim, file);
  });

  it('a new download’s .part pointing at a file that does not exist yet', async () => {
    const { file, url } = await setUp();
    const target = join(tempDir(), 'created-through-the-link.bin');
    symlinkSync(target, `${file}.part`);
    const { transfer } = makeTransfer({ url, file, paths: twoPaths() });
    expect(failureOf(await transfer.run()).code).toBe('E_OUTSIDE_DOWNLOADS');
    expect(existsSync(target)).toBe(false);
  });

  it('a resumed download’s .part (its journal says half the file is there)', async () => {
    const { file, victim, url } = await setUp();
    await journalFor(file, url);
    symlinkSync(victim, `${file}.part`);
    const { transfer } = makeTransfer({ url, file, paths: twoPaths() });
    expectRefusedLink(await transfer.run(), `${file}.part`, victim, file);
  });

  it('the journal (.part.json)', async () => {
    const { file, victim, url } = await setUp();
    symlinkSync(victim, `${file}.part.json`);
    const { transfer } = makeTransfer({ url, file, paths: twoPaths() });
    expectRefusedLink(await transfer.run(), `${file}.part.json`, victim, file);
  });

  it('the lock (.part.lock), which is neither read nor taken over', async () => {
    const { file, victim, url } = await setUp();
    symlinkSync(victim, `${file}.part.lock`);
    const { transfer } = makeTransfer({ url, file, paths: twoPaths() });
    expectRefusedLink(await transfer.run(), `${file}.part.lock`, victim, file);
  });
});

describe('hard links under the part file’s name', () => {
  it('a fresh download creates its .part anew (O_EXCL) instead of writing through a hard link', async () => {
    const { file, url } = await setUp();
    // A hard link must stay on one file system: the "outside" file sits next to the download.
    const victim = join(tempDir(), 'precious.txt');
    writeFileSync(victim, precious);
    try {
      linkSync(victim, `${file}.part`);
    } catch {
      return; // the temp folders are on two file systems here: nothing to test
    }
    const { transfer } = makeTransfer({ url, file, paths: twoPaths() });
    expect(await transfer.run()).toMatchObject({ status: 'done', sha256: sha256(content) });
    expect(await fileEquals(file, content)).toBe(true);
    expect(readFileSync(victim).equals(precious)).toBe(true);
  });

  it('a resume refuses a .part that has another name', async () => {
    const { file, url } = await setUp();
    const victim = join(tempDir(), 'precious.txt');
    writeFileSync(victim, precious);
    try {
      linkSync(victim, `${file}.part`);
    } catch {
      return;
    }
    await journalFor(file, url);
    const { transfer } = makeTransfer({ url, file, paths: twoPaths() });
    const error = failureOf(await transfer.run());
    expect(error.code).toBe('E_OUTSIDE_DOWNLOADS');
    expect(error.message).toContain(`${file}.part is a hard link (the file has 2 names)`);
    expect(readFileSync(victim).equals(precious)).toBe(true);
  });
});
