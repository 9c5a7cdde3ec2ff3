import { createHash } from 'node:crypto';
import type { PieceHashes } from './MirrorSource.ts';
import type { PartFile } from './PartFile.ts';

/** One piece of the file: its number and its bytes [start, end). */
export interface Piece {
  index: number;
  start: number;
  end: number;
}

const BLOCK = 1 << 20;

/** 0: not whole yet (or failed), 1: being checked, 2: matches its hash. */
const UNCHECKED = 0;
const CHECKING = 1;
const GOOD = 2;

/**
 * The Metalink's piece hashes laid over the part file: each piece is checked as soon as all its
 * bytes are on disk (read back, so whichever connections and servers wrote it), one at a time, and
 * `verdict` says whether it matched. A write into a piece being checked (an endgame twin writing
 * the same bytes again) makes its verdict void: the piece is checked again once it is whole.
 */
export class PieceCheck {
  private readonly hashes: PieceHashes;
  private readonly size: number;
  private readonly part: PartFile;
  private readonly verdict: (piece: Piece, good: boolean) => void;
  /** Called when the last queued piece has been judged (the download may be complete now). */
  private readonly idle: () => void;
  private readonly states: Uint8Array;
  /** Pieces written to while being checked: their verdict is void. */
  private readonly dirty = new Set<number>();
  private readonly queue: number[] = [];
  private running = false;
  private stopped = false;

  constructor(
    hashes: PieceHashes,
    size: number,
    part: PartFile,
    verdict: (piece: Piece, good: boolean) => void,
    idle: () => void,
  ) {
    this.hashes = hashes;
    this.size = size;
    this.part = part;
    this.verdict = verdict;
    this.idle = idle;
    this.states = new Uint8Array(hashes.sha256.length);
    // After the hasher (it hashes in-order bytes from memory as they land): this only reads back.
    const before = part.onWritten;
    part.onWritten = (buffers, position) => {
      before?.(buffers, position);
      let length = 0;
      for (const buffer of buffers) length += buffer.length;
      this.written(position, position + length);
    };
  }

  /** The hashes fit a file of this size (one per `length` bytes): else they can't be used. */
  static fits(hashes: PieceHashes, size: number): boolean {
    return hashes.length > 0 && hashes.sha256.length === Math.ceil(size / hashes.length);
  }

  /** Pieces queued or being read: the download is not complete until they are judged. */
  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  piece(index: number): Piece {
    const start = index * this.hashes.length;
    return { index, start, end: Math.min(this.size, start + this.hashes.length) };
  }

  pieceAt(offset: number): number {
    return Math.floor(offset / this.hashes.length);
  }

  /** Queues every piece already whole on disk (a resumed download's, written by an earlier run). */
  checkWhole(): void {
    for (let i = 0; i < this.states.length; i++) this.consider(i);
  }

  /** The run is over: nothing more is read from the part file (it is about to be closed). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  /** [start, end) was written: pieces it completes are queued; a piece it rewrites is checked again. */
  private written(start: number, end: number): void {
    if (this.stopped || end <= start) return;
    for (let i = this.pieceAt(start); i <= this.pieceAt(end - 1) && i < this.states.length; i++) {
      if (this.states[i] === CHECKING) this.dirty.add(i);
      else if (this.states[i] === GOOD) this.states[i] = UNCHECKED;
      this.consider(i);
    }
  }

  private consider(index: number): void {
    const { start, end } = this.piece(index);
    if (this.states[index] !== UNCHECKED || !this.part.done.covers(start, end)) return;
    this.states[index] = CHECKING;
    this.queue.push(index);
    if (!this.running) void this.work();
  }

  private async work(): Promise<void> {
    this.running = true;
    try {
      for (let index = this.queue.shift(); index !== undefined; index = this.queue.shift()) {
        if (this.stopped) return;
        const matches = await this.matches(this.piece(index)).catch(() => null);
        if (this.stopped) return;
        this.states[index] = UNCHECKED;
        if (this.dirty.delete(index) || matches === null) {
          // Written to meanwhile, or unreadable for now: judged again once whole.
          this.consider(index);
          continue;
        }
        if (matches) this.states[index] = GOOD;
        this.verdict(this.piece(index), matches);
      }
    } finally {
      this.running = false;
    }
    if (!this.stopped) this.idle();
  }

  private async matches({ index, start, end }: Piece): Promise<boolean> {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(BLOCK, end - start));
    for (let at = start; at < end;) {
      const { bytesRead } = await this.part.read(buffer, Math.min(buffer.length, end - at), at);
      if (bytesRead <= 0) throw new Error(`short read at ${at}`);
      hash.update(buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
    return hash.digest('hex') === this.hashes.sha256[index];
  }

  /** The piece's bytes as they are on disk now. */
  async read({ start, end }: Piece): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(end - start);
    for (let at = 0; at < buffer.length;) {
      const { bytesRead } = await this.part.read(buffer.subarray(at), buffer.length - at, start + at);
      if (bytesRead <= 0) throw new Error(`short read at ${start + at}`);
      at += bytesRead;
    }
    return buffer;
  }
}
