/**
 * The file every scenario downloads: pseudo-random (so no transport compresses it) yet the same
 * bytes on every run, and its SHA-256 to check each tool's copy against.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { MiB } from '../measure.ts';

/** Writes `size` deterministic pseudo-random bytes and returns their SHA-256. */
export async function makeFile(path: string, size: number): Promise<string> {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16));
  const hash = createHash('sha256');
  const handle = await open(path, 'w', 0o644);
  const zero = Buffer.alloc(16 * MiB);
  for (let written = 0; written < size;) {
    const n = Math.min(zero.length, size - written);
    const block = cipher.update(zero.subarray(0, n));
    hash.update(block);
    await handle.write(block, 0, block.length, written);
    written += n;
  }
  await handle.close();
  return hash.digest('hex');
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(16 * MiB);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
  }
  await handle.close();
  return hash.digest('hex');
}

/** Whether a tool's copy at `path` holds the right bytes; a missing copy holds none. */
export async function holdsFile(path: string, sha: string): Promise<boolean> {
  return (await sha256Of(path).catch(() => '')) === sha;
}
