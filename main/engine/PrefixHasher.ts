import { createHash, type Hash } from 'node:crypto';
import { PathwiseError } from '../../common/errors.ts';
import type { PartFile } from './PartFile.ts';

const BLOCK = 1 << 20;

/**
 * SHA-256 of the file as it will be saved, computed while the download runs. A write that lands
 * exactly where the hash has got to is hashed from memory as it is written (the connection at the
 * front of the file streams in order); whatever arrived out of order is read back from the part
 * file once the contiguous prefix reaches it. At the end only the last stretch is left, so the
 * final hash costs no extra wait, and in-order bytes are never read twice.
 */
export class PrefixHasher {
  private readonly part: PartFile;
  private hash: Hash = createHash('sha256');
  private hashed = 0;
  private target = 0;
  private running: Promise<void> | null = null;
  private generation = 0;
  private failure: unknown = null;
  private readonly buffer = Buffer.allocUnsafe(BLOCK);

  constructor(part: PartFile) {
    this.part = part;
    part.onWritten = (buffers, position) => this.written(buffers, position);
  }

  /**
   * A write is on disk: hash it from memory when it continues the hash exactly. When it is ahead
   * but the file is now contiguous past the hash (a range behind it completed), read back at once
   * rather than at the engine's next tick: a fast connection writes megabytes per tick, and if
   * the hash only catches up tick by tick it never gets back to hashing from memory.
   */
  private written(buffers: readonly Buffer[], position: number): void {
    if (this.running || this.failure) return;
    if (position === this.hashed) {
      for (const buffer of buffers) {
        this.hash.update(buffer);
        this.hashed += buffer.length;
      }
      if (this.target < this.hashed) this.target = this.hashed;
    }
    this.advance(this.part.done.prefixEnd());
  }

  get hashedBytes(): number {
    return this.hashed;
  }

  /** Hash up to `end` in the background (bytes below it must be on disk). */
  advance(end: number): void {
    if (end <= this.target) return;
    this.target = end;
    this.kick();
  }

  private kick(): void {
    if (this.running || this.failure) return;
    const generation = this.generation;
    this.running = this.pump()
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.running = null;
        // (reset() starts over: it waits for this and sets its own target.)
        if (generation !== this.generation) return;
        // Writes that completed meanwhile may have extended the contiguous prefix, and advance()
        // may have raised the target after the loop's last check.
        if (!this.failure) this.target = Math.max(this.target, this.part.done.prefixEnd());
        if (this.hashed < this.target) this.kick();
      });
  }

  private async pump(): Promise<void> {
    const generation = this.generation;
    while (this.hashed < this.target && generation === this.generation) {
      const length = Math.min(BLOCK, this.target - this.hashed);
      const { bytesRead } = await this.part.read(this.buffer, length, this.hashed);
      if (generation !== this.generation) return;
      if (bytesRead <= 0) {
        throw new PathwiseError('E_DISK', `Could not read back ${this.part.path} to check it.`);
      }
      this.hash.update(this.buffer.subarray(0, bytesRead));
      this.hashed += bytesRead;
    }
  }

  /** Hashes whatever is left up to `size` and returns the hex digest. */
  async finish(size: number): Promise<string> {
    this.advance(size);
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
    if (this.hashed !== size) throw new PathwiseError('E_DISK', `Could not read back ${this.part.path}.`);
    return this.hash.digest('hex');
  }

  /** Start over (the file changed on the server). */
  async reset(): Promise<void> {
    this.generation++;
    await this.running?.catch(() => undefined);
    this.hash = createHash('sha256');
    this.hashed = 0;
    this.target = 0;
    this.failure = null;
  }
}
