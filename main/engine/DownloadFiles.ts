import { lstat, statfs, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PathwiseError } from '../../common/errors.ts';
import { lockDownload } from './downloadLock.ts';
import { describeValidator, sameValidator, type Validator } from './httpHeaders.ts';
import { PartFile } from './PartFile.ts';
import { PrefixHasher } from './PrefixHasher.ts';
import { exists, publish } from './publishFile.ts';
import type { ProbeResult } from './RangeProbe.ts';
import { RangeSet } from './RangeSet.ts';
import type { ServedFile } from './ServedFile.ts';
import { TransferJournal, type JournalState } from './TransferJournal.ts';
import { diskError, TransferErrorCodes } from './transferErrors.ts';

/** What an earlier run left on disk, judged against the version the probe found now. */
export interface Resumption {
  /** The byte ranges to keep; absent, the download starts fresh. */
  done?: RangeSet;
  /** Bytes an earlier run had that this one can't use, and why (said as a `restart` event). */
  lost?: { bytes: number; why: string };
}

/** What a journal keeps of a download's several sources, and reads back on a resume (Mirrors.ts). */
export interface JournalSources {
  /** Each source's validator, for the journal; undefined for a download of one URL. */
  saved(): JournalState['sources'];
  /** The validator `saved` kept for the source this run was pinned from; null when it has none. */
  validatorFor(saved: JournalState): Validator | null;
}

/**
 * The download on disk (ARCHITECTURE "Crash safety"): `<file>.part` written positionally, its
 * journal, the lock that keeps a second process off them, the SHA-256 computed as the file grows,
 * and the final name, given only once the file is whole and its hash known. Kept in one place so
 * the promise a crash relies on can be read in one place: the journal never claims a byte that
 * was not synced, and the final name never replaces a file.
 */
export class DownloadFiles {
  part: PartFile | null = null;
  hasher: PrefixHasher | null = null;
  /** Bytes already on disk from an earlier run. */
  resumedBytes = 0;
  /** Bytes on disk when the part file was last closed (shown while paused or failed). */
  keptBytes = 0;
  /** The finished file's SHA-256, once known. */
  sha256: string | null = null;
  /** An earlier run published the file but was killed before cleaning up. */
  published = false;
  /** A download from mirrors: their validators go in the journal too. */
  sources: JournalSources | null = null;
  private readonly served: ServedFile;
  private journal: TransferJournal | null = null;
  private unlock: (() => Promise<void>) | null = null;
  private checkpointed = -1;
  private checkpointing: Promise<void> | null = null;

  constructor(served: ServedFile) {
    this.served = served;
  }

  /** Takes the download's lock and reads the journal an earlier run left (null when there is none). */
  async lock(file: string): Promise<JournalState | null> {
    const partPath = `${file}.part`;
    this.unlock = await lockDownload(partPath, file).catch((error: unknown) => {
      throw diskError(error, partPath);
    });
    this.journal = new TransferJournal(partPath);
    return this.journal.load();
  }

  /** Lets go of the lock at the end of a run. */
  async release(): Promise<void> {
    await this.unlock?.();
    this.unlock = null;
  }

  /** A previous run finished but was killed between naming the file and cleaning up. */
  async alreadyPublished(saved: JournalState | null, file: string): Promise<boolean> {
    if (!saved?.sha256 || saved.url !== this.served.url || !(await exists(file))) return false;
    const info = await lstat(file);
    if (!info.isFile() || (saved.size !== null && info.size !== saved.size)) return false;
    this.served.size = info.size;
    this.sha256 = saved.sha256;
    this.resumedBytes = info.size;
    await unlink(`${file}.part`).catch(() => undefined);
    await this.journal?.remove();
    this.published = true;
    return true;
  }

  /**
   * Takes up the bytes an earlier run left when its journal names the version the probe found and
   * the part file is still there; otherwise says how many bytes are lost and why.
   */
  async resumable(saved: JournalState | null, probe: ProbeResult, file: string): Promise<Resumption> {
    if (!saved) return {};
    const savedValidator = this.sources?.validatorFor(saved) ?? {
      etag: saved.etag,
      lastModified: saved.lastModified,
    };
    const same =
      saved.rangeSupport &&
      probe.rangeSupport &&
      saved.size === probe.size &&
      saved.encoding === probe.encoding &&
      sameValidator(savedValidator, probe.validator) &&
      (savedValidator.etag !== null || savedValidator.lastModified !== null);
    if (same && (await exists(`${file}.part`))) {
      const done = new RangeSet(saved.done);
      this.resumedBytes = done.size;
      return { done };
    }
    if (saved.done.length === 0) return {};
    const why = !probe.rangeSupport
      ? 'the server does not serve byte ranges, so a download cannot be resumed'
      : !same
        ? `the file changed on the server (${describeValidator(savedValidator)} → ${describeValidator(probe.validator)})`
        : 'the part file is missing';
    return { lost: { bytes: new RangeSet(saved.done).size, why } };
  }

  /** Opens the part file keeping `done` (after making sure the rest fits) and journals the pinned version. */
  async open(file: string, done: RangeSet | undefined): Promise<void> {
    if (this.served.size !== null) await checkFreeSpace(file, this.served.size - (done?.size ?? 0));
    this.part = await PartFile.open(`${file}.part`, this.served.size, done);
    this.hasher = new PrefixHasher(this.part);
    if (!done) await this.journal?.remove();
    await this.saveJournal(null);
    this.checkpointed = this.part.done.size;
  }

  /** Syncs the data, then records what was on disk before the sync: the journal never runs ahead. */
  async checkpoint(force: boolean): Promise<void> {
    if (this.checkpointing) {
      await this.checkpointing;
      if (!force) return;
    }
    const part = this.part;
    if (!part || !this.served.rangeSupport) return;
    if (!force && part.done.size === this.checkpointed) return;
    const snapshot = part.done.clone();
    const generation = this.served.generation;
    this.checkpointing = (async () => {
      await part.sync();
      if (generation !== this.served.generation) return;
      await this.saveJournal(null, snapshot);
      this.checkpointed = snapshot.size;
    })().finally(() => {
      this.checkpointing = null;
    });
    await this.checkpointing;
  }

  async saveJournal(sha256: string | null, done?: RangeSet): Promise<void> {
    if (!this.journal || !this.served.pinnedUrl) return;
    const journal = this.journal;
    await journal
      .save({
        version: 1,
        url: this.served.url,
        finalUrl: this.served.pinnedUrl.href,
        size: this.served.size,
        etag: this.served.validator.etag,
        lastModified: this.served.validator.lastModified,
        encoding: this.served.encoding,
        rangeSupport: this.served.rangeSupport ?? false,
        done: (done ?? this.part?.done ?? new RangeSet()).toArray().map(([s, e]) => [s, e]),
        sha256,
        updatedAt: Date.now(),
        ...(this.sources?.saved() ? { sources: this.sources.saved() } : {}),
      })
      .catch((error: unknown) => {
        throw diskError(error, journal.file);
      });
  }

  /**
   * The last steps, in the order crash safety needs: every byte on disk and synced, the hash known
   * (and matching `expected`, else nothing is kept), the journal saying so, then the final name.
   * Resolves with the file's SHA-256.
   */
  async finish(file: string, expected: string | undefined): Promise<string> {
    const part = this.part as PartFile;
    await part.drain();
    if (this.served.size === null) {
      this.served.size = part.done.size;
      await part.truncate(this.served.size);
    }
    if (!part.done.covers(0, this.served.size)) {
      throw new PathwiseError('E_INTERNAL', `The download ended with bytes missing from ${part.path}.`);
    }
    await part.sync();
    const sha256 = await (this.hasher as PrefixHasher).finish(this.served.size);
    const wanted = expected?.toLowerCase();
    if (wanted && sha256 !== wanted) {
      await part.close();
      this.part = null;
      await this.discard(file);
      throw new PathwiseError(
        TransferErrorCodes.sha256,
        `The downloaded file's SHA-256 is ${sha256}, not the expected ${wanted}; it was not saved. Check the link and the expected hash.`,
      );
    }
    this.sha256 = sha256;
    // A periodic checkpoint may still be on its way: the final save goes after it.
    await this.checkpointing?.catch(() => undefined);
    await this.saveJournal(sha256);
    await part.close();
    this.part = null;
    await publish(part.path, file);
    await this.journal?.remove();
    return sha256;
  }

  /** Closes the part file once its writers stopped; with `keep`, syncs what arrived into the journal first. */
  async close(keep: boolean): Promise<void> {
    const part = this.part;
    if (!part) return;
    if (keep && this.served.rangeSupport) await this.checkpoint(true).catch(() => undefined);
    this.keptBytes = keep && this.served.rangeSupport ? part.done.size : 0;
    await part.close();
    this.part = null;
  }

  /** Deletes the part file and its journal (a cancel, or a file whose hash was wrong). */
  async discard(file: string): Promise<void> {
    this.keptBytes = 0;
    const partPath = `${file}.part`;
    await unlink(partPath).catch(() => undefined);
    await new TransferJournal(partPath).remove().catch(() => undefined);
  }
}

/** Fails early, naming the numbers, when the file can't fit next to `file`. */
export async function checkFreeSpace(file: string, needed: number): Promise<void> {
  try {
    const fs = await statfs(dirname(file));
    const free = fs.bavail * fs.bsize;
    if (free < needed) {
      throw new PathwiseError(
        TransferErrorCodes.diskFull,
        `Not enough disk space for ${file}: ${needed} bytes are needed and ${free} are free. Free some space and run the download again.`,
      );
    }
  } catch (error) {
    if (error instanceof PathwiseError) throw error;
    // statfs is not available everywhere; writes still report a full disk.
  }
}
