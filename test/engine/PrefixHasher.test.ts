import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { PartFile } from '../../main/engine/PartFile.ts';
import { PrefixHasher } from '../../main/engine/PrefixHasher.ts';
import { RangeSet } from '../../main/engine/RangeSet.ts';
import { tempDir } from '../support/engineLab.ts';
import { deterministicContent } from '../support/rangeServer.ts';

const SIZE = 3_000_000;
const content = deterministicContent(SIZE, 41);
const expected = createHash('sha256').update(content).digest('hex');

/** Writes `content` in the given order of [start, end) pieces, each as a few buffers. */
async function writeAll(
  part: PartFile,
  hasher: PrefixHasher,
  pieces: Array<[number, number]>,
): Promise<void> {
  for (const [start, end] of pieces) {
    const middle = start + Math.floor((end - start) / 3);
    await part.write([content.subarray(start, middle), content.subarray(middle, end)], start);
    hasher.advance(part.done.prefixEnd());
  }
}

describe('PrefixHasher', () => {
  it('hashes bytes written in order from memory, reading nothing back', async () => {
    const part = await PartFile.open(join(tempDir(), 'a.part'), SIZE);
    const hasher = new PrefixHasher(part);
    const read = vi.spyOn(part, 'read');
    const pieces: Array<[number, number]> = [];
    for (let at = 0; at < SIZE; at += 250_000) pieces.push([at, Math.min(SIZE, at + 250_000)]);
    await writeAll(part, hasher, pieces);
    expect(await hasher.finish(SIZE)).toBe(expected);
    expect(read).not.toHaveBeenCalled();
    await part.close();
  });

  it('reads back what arrived out of order and still hashes the file exactly', async () => {
    const part = await PartFile.open(join(tempDir(), 'b.part'), SIZE);
    const hasher = new PrefixHasher(part);
    const read = vi.spyOn(part, 'read');
    // Four connections' worth of interleaving: the tail first, then the front, then the middle.
    await writeAll(part, hasher, [
      [2_000_000, 3_000_000],
      [0, 700_000],
      [1_300_000, 2_000_000],
      [700_000, 1_000_000],
      [1_000_000, 1_300_000],
    ]);
    expect(await hasher.finish(SIZE)).toBe(expected);
    const readBack = read.mock.calls.reduce((n, call) => n + call[1], 0);
    // The front 1.3 MB streamed in order; the rest had to come back from the file.
    expect(readBack).toBeGreaterThanOrEqual(1_700_000);
    expect(readBack).toBeLessThanOrEqual(SIZE - 1_000_000);
    await part.close();
  });

  it('catches up on its own as soon as the file is contiguous past the hash, not at the next tick', async () => {
    // The engine advances the hasher on its 100 ms tick; a fast connection writes megabytes per
    // tick, so a hasher that only moved then would read back nearly everything.
    const part = await PartFile.open(join(tempDir(), 'd.part'), SIZE);
    const hasher = new PrefixHasher(part);
    await part.write([content.subarray(1_000_000, 2_000_000)], 1_000_000);
    await part.write([content.subarray(0, 1_000_000)], 0);
    expect(hasher.hashedBytes).toBeGreaterThanOrEqual(1_000_000);
    await vi.waitFor(() => expect(hasher.hashedBytes).toBe(2_000_000), { timeout: 2000 });
    // Caught up, it hashes in-order writes from memory again.
    const read = vi.spyOn(part, 'read');
    await part.write([content.subarray(2_000_000, SIZE)], 2_000_000);
    expect(await hasher.finish(SIZE)).toBe(expected);
    expect(read).not.toHaveBeenCalled();
    await part.close();
  });

  it('hashes a resumed file: what was on disk, then what this run writes', async () => {
    const file = join(tempDir(), 'c.part');
    const first = await PartFile.open(file, SIZE);
    await first.write([content.subarray(0, 1_000_000)], 0);
    await first.close();
    const part = await PartFile.open(file, SIZE, new RangeSet([[0, 1_000_000]]));
    const hasher = new PrefixHasher(part);
    hasher.advance(part.done.prefixEnd());
    await writeAll(part, hasher, [
      [1_000_000, 2_000_000],
      [2_000_000, 3_000_000],
    ]);
    expect(await hasher.finish(SIZE)).toBe(expected);
    await part.close();
  });
});
