import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { PathwiseError } from '../../common/errors.ts';
import { createFresh, openExisting } from './localFiles.ts';
import { RangeSet } from './RangeSet.ts';
import { diskError } from './transferErrors.ts';

/**
 * The `<file>.part` being filled: bytes land at their own offset (positional writes, so memory
 * stays flat however big the file), and `done` records what has actually been written — never
 * what has only been received.
 */
export class PartFile {
  readonly path: string;
  readonly done: RangeSet;
  private readonly handle: FileHandle;
  private pending = 0;
  /** Writes go one at a time: concurrent writers to one file only fight over its inode lock. */
  private tail: Promise<void> = Promise.resolve();
  private waiters: Array<() => void> = [];
  /** Told of every write once it is on disk, in the order writes complete (the hasher listens). */
  onWritten: ((buffers: readonly Buffer[], position: number) => void) | null = null;

  private constructor(path: string, handle: FileHandle, done: RangeSet) {
    this.path = path;
    this.handle = handle;
    this.done = done;
  }

  /**
   * Opens the part file. With `done` (a resume) the file is kept as it is, and must be a plain
   * file with no other name, opened without following a link; otherwise it is created anew with
   * O_EXCL. A link under its name is refused, never followed (see localFiles.ts). A known size is
   * set up front (sparse) so writes never extend the file piecemeal.
   */
  static async open(path: string, size: number | null, done?: RangeSet): Promise<PartFile> {
    let handle: FileHandle;
    try {
      handle = done ? await openExisting(path, constants.O_RDWR) : await createFresh(path);
      if (size !== null) {
        const stat = await handle.stat();
        if (!done || stat.size !== size) await handle.truncate(size);
      }
    } catch (error) {
      if (done && (error as NodeJS.ErrnoException).code === 'ENOENT') return PartFile.open(path, size);
      throw diskError(error, path);
    }
    return new PartFile(path, handle, done ?? new RangeSet());
  }

  /** Writes buffers that belong one after another from `position`; marks them done once written. */
  async write(buffers: Buffer[], position: number): Promise<void> {
    let length = 0;
    for (const b of buffers) length += b.length;
    this.pending++;
    const previous = this.tail;
    let release = (): void => undefined;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      const { bytesWritten } = await this.handle.writev(buffers, position);
      if (bytesWritten !== length) {
        // writev may write less on some filesystems: finish the rest piece by piece.
        let offset = bytesWritten;
        const all = Buffer.concat(buffers, length);
        while (offset < length) {
          const { bytesWritten: n } = await this.handle.write(
            all,
            offset,
            length - offset,
            position + offset,
          );
          if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
          offset += n;
        }
      }
      this.done.add(position, position + length);
      this.onWritten?.(buffers, position);
    } catch (error) {
      throw diskError(error, this.path) as PathwiseError;
    } finally {
      release();
      this.pending--;
      if (this.pending === 0) {
        const waiters = this.waiters;
        this.waiters = [];
        for (const w of waiters) w();
      }
    }
  }

  /** Resolves when no write is in flight. */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Flushes written data to the disk (fdatasync): the journal may only claim what this made durable. */
  async sync(): Promise<void> {
    try {
      await this.handle.datasync();
    } catch (error) {
      throw diskError(error, this.path);
    }
  }

  /** Throws everything away (the file changed on the server, or a stream must restart). */
  async reset(size: number | null): Promise<void> {
    await this.drain();
    this.done.remove(0, Number.MAX_SAFE_INTEGER);
    try {
      await this.handle.truncate(0);
      if (size !== null) await this.handle.truncate(size);
    } catch (error) {
      throw diskError(error, this.path);
    }
  }

  async truncate(size: number): Promise<void> {
    try {
      await this.handle.truncate(size);
    } catch (error) {
      throw diskError(error, this.path);
    }
  }

  read(buffer: Buffer, length: number, position: number): Promise<{ bytesRead: number }> {
    return this.handle.read(buffer, 0, length, position);
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle.close().catch(() => undefined);
  }
}
