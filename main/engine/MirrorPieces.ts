import { PathwiseError } from '../../common/errors.ts';
import type { DownloadFiles } from './DownloadFiles.ts';
import type { PieceHashes } from './MirrorSource.ts';
import type { MirrorSource } from './MirrorSource.ts';
import { PieceCheck, type Piece } from './PieceCheck.ts';
import type { RangeFetch } from './RangeFetch.ts';
import { RangeSet } from './RangeSet.ts';
import { TransferErrorCodes } from './transferErrors.ts';

/** Pieces only one source wrote that failed their hash, when no other source could take over. */
const MAX_BAD_PIECES = 3;
/** Bad pieces kept in memory to find, once a piece is right, which of its writers sent bad bytes. */
const MAX_KEPT_BYTES = 64 << 20;

interface Suspect {
  bad: Buffer;
  writers: Map<MirrorSource, RangeSet>;
}

/** What blaming a bad piece needs of the sources (Mirrors). */
export interface PieceSources {
  readonly sources: readonly MirrorSource[];
  /** The fetches running now, and the source each asks. */
  running(): Iterable<[RangeFetch, MirrorSource]>;
  drop(source: MirrorSource, why: string, error?: PathwiseError): void;
  /** [start, end) must be fetched again, before anything else. */
  refetch(start: number, end: number): void;
  /** Every queued piece has been judged: the download may be complete. */
  idle(): void;
}

/**
 * The Metalink's piece hashes at work over a download's sources: each piece checked once whole
 * (PieceCheck), and a bad one taken off the part file (the running whole-file hash starting over),
 * fetched again from one source only, and blamed. The source that alone wrote it is dropped when
 * another can take over; with several writers, its bad bytes are kept until the piece is right,
 * and a writer whose own bytes differ from the right ones is dropped.
 */
export class MirrorPieces {
  private readonly check: PieceCheck;
  private readonly files: DownloadFiles;
  private readonly owner: PieceSources;
  /** Pieces that failed with several writers: their bad bytes, and who wrote which. */
  private readonly suspects = new Map<number, Suspect>();
  /** Bad pieces being read before they are fetched again. */
  private reading = 0;
  /** Pieces to be fetched again from one source only. */
  private readonly pins = new Map<number, MirrorSource>();

  constructor(hashes: PieceHashes, size: number, files: DownloadFiles, owner: PieceSources) {
    this.files = files;
    this.owner = owner;
    this.check = new PieceCheck(
      hashes,
      size,
      files.part as NonNullable<DownloadFiles['part']>,
      (piece, good) => this.judged(piece, good),
      () => owner.idle(),
    );
  }

  /** The hashes can be laid over the part file of a download of `size` bytes. */
  static usable(
    hashes: PieceHashes | undefined,
    files: DownloadFiles,
    size: number | null,
  ): hashes is PieceHashes {
    return hashes !== undefined && files.part !== null && size !== null && PieceCheck.fits(hashes, size);
  }

  /** Pieces being checked, or a bad one being read (its bytes are not yet planned again). */
  get busy(): boolean {
    return this.check.busy || this.reading > 0;
  }

  /** Bytes an earlier run left are checked like new ones (a crash may have kept a bad piece). */
  checkWhole(): void {
    this.check.checkWhole();
  }

  stop(): void {
    this.check.stop();
  }

  /** The source a range from `start` must be asked of (its piece failed before), if any. */
  pinnedAt(start: number): MirrorSource | undefined {
    return this.pins.size > 0 ? this.pins.get(this.check.pieceAt(start)) : undefined;
  }

  /** `source` is gone: the pieces pinned to it go to whichever source is chosen. */
  forget(source: MirrorSource): void {
    for (const [piece, owner] of this.pins) if (owner === source) this.pins.delete(piece);
  }

  private judged(piece: Piece, good: boolean): void {
    const suspect = this.suspects.get(piece.index);
    this.suspects.delete(piece.index);
    if (good) {
      this.pins.delete(piece.index);
      if (suspect) void this.blame(piece, suspect);
      return;
    }
    const { writers, unknown } = this.writersOf(piece);
    this.files.part?.done.remove(piece.start, piece.end);
    for (const source of this.owner.sources) source.wrote.remove(piece.start, piece.end);
    // The running whole-file hash may have taken in those bytes, or be reading them now: it starts
    // over (it reads back what is on disk, the bad piece no longer claimed; a rare cost).
    void this.files.hasher?.reset();
    const why = `bytes ${piece.start}-${piece.end - 1} (piece ${piece.index}) failed the Metalink's SHA-256`;
    const only = writers.size === 1 && !unknown ? [...writers.keys()][0] : undefined;
    if (only) {
      only.badPieces++;
      const others = this.owner.sources.some((s) => s !== only && s.state === 'ready');
      if (others || only.badPieces >= MAX_BAD_PIECES) {
        this.owner.drop(
          only,
          `${why}; only it had sent them`,
          new PathwiseError(TransferErrorCodes.sha256, why),
        );
      }
    }
    const next = this.owner.sources
      .filter((s) => s.state === 'ready')
      .sort((a, b) => a.badPieces - b.badPieces || (b.connectionRate ?? 0) - (a.connectionRate ?? 0))[0];
    if (next) this.pins.set(piece.index, next);
    if (writers.size < 2 || !this.roomFor(piece)) {
      this.owner.refetch(piece.start, piece.end);
      return;
    }
    // Several servers wrote it: its bad bytes are kept (read before anything is written over
    // them) to be compared with the right ones once a single source has sent those.
    this.reading++;
    void this.check
      .read(piece)
      .then((bad) => this.suspects.set(piece.index, { bad, writers }))
      .catch(() => undefined)
      .finally(() => {
        this.reading--;
        this.owner.refetch(piece.start, piece.end);
      });
  }

  /** Keeping one more bad piece stays within MAX_KEPT_BYTES. */
  private roomFor(piece: Piece): boolean {
    let kept = piece.end - piece.start;
    for (const { bad } of this.suspects.values()) kept += bad.length;
    return kept <= MAX_KEPT_BYTES;
  }

  /**
   * A piece several servers wrote failed, and is right now: each writer's bytes that no other
   * writer also wrote are compared with the right ones, and a writer whose bytes differ is dropped.
   * (Bytes two writers both wrote, an endgame race, blame neither.)
   */
  private async blame(piece: Piece, { bad, writers }: Suspect): Promise<void> {
    const right = await this.check.read(piece).catch(() => null);
    if (!right) return;
    for (const [source, ranges] of writers) {
      const own = ranges.clone();
      for (const [other, theirs] of writers) if (other !== source) own.removeSet(theirs);
      const wrong = own
        .toArray()
        .some(
          ([s, e]) =>
            !bad
              .subarray(s - piece.start, e - piece.start)
              .equals(right.subarray(s - piece.start, e - piece.start)),
        );
      if (wrong) {
        this.owner.drop(
          source,
          `its bytes of piece ${piece.index} were not the file's (the Metalink's SHA-256 told)`,
        );
      }
    }
  }

  /** Who wrote which bytes of `piece` in this run (ended and running fetches); `unknown` when an earlier run wrote some. */
  private writersOf(piece: Piece): { writers: Map<MirrorSource, RangeSet>; unknown: boolean } {
    const writers = new Map<MirrorSource, RangeSet>();
    const add = (source: MirrorSource, start: number, end: number): void => {
      const s = Math.max(start, piece.start);
      const e = Math.min(end, piece.end);
      if (e <= s) return;
      const ranges = writers.get(source) ?? new RangeSet();
      ranges.add(s, e);
      writers.set(source, ranges);
    };
    for (const source of this.owner.sources) {
      for (const [start, end] of source.wrote.intersect(RangeSet.of(piece.start, piece.end)).toArray()) {
        add(source, start, end);
      }
    }
    for (const [fetch, source] of this.owner.running()) add(source, fetch.start, fetch.pos);
    const covered = new RangeSet();
    for (const ranges of writers.values()) covered.addSet(ranges);
    return { writers, unknown: covered.size < piece.end - piece.start };
  }
}
