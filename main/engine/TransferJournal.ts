import { rename, unlink } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../base/atomicWrite.ts';
import { readPlainFile } from './localFiles.ts';

const JournalSchema = z.object({
  version: z.literal(1),
  /** The URL the user asked for; a resume must ask for the same one. */
  url: z.string(),
  /** Where the redirects led, pinned. */
  finalUrl: z.string(),
  size: z.number().int().nonnegative().nullable(),
  etag: z.string().nullable(),
  lastModified: z.string().nullable(),
  encoding: z.string().nullable(),
  rangeSupport: z.boolean(),
  /** Byte ranges [start, end) that were on disk (fdatasync'ed) when this was written. */
  done: z.array(z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])),
  /** Set once every byte is on disk and hashed, just before the part file gets its final name. */
  sha256: z.string().nullable(),
  /**
   * A download from several sources (Mirrors.ts): each source's URL as given and the validator
   * it was pinned with, so a resume pinned from another source than the last run compares it
   * with that source's. Absent for a download of one URL (and in journals from before mirrors).
   */
  sources: z
    .array(z.object({ url: z.string(), etag: z.string().nullable(), lastModified: z.string().nullable() }))
    .max(256)
    .optional(),
  updatedAt: z.number(),
});
export type JournalState = z.infer<typeof JournalSchema>;

/**
 * What a download has made durable, in `<file>.part.json` next to the part file. It is replaced
 * atomically (temp file, fsync, rename) and only after the data it describes was synced, so after
 * any crash it claims no byte that is not on disk.
 */
export class TransferJournal {
  readonly file: string;

  /** Where the journal of `partFile` lives. */
  static fileFor(partFile: string): string {
    return `${partFile}.json`;
  }

  constructor(partFile: string) {
    this.file = TransferJournal.fileFor(partFile);
  }

  /**
   * The saved state; null when there is none. A journal that can't be read is moved aside; one
   * that is a symbolic link (or not a plain file) is refused (E_OUTSIDE_DOWNLOADS), never read.
   */
  async load(): Promise<JournalState | null> {
    let text: string;
    try {
      text = await readPlainFile(this.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      return JournalSchema.parse(JSON.parse(text));
    } catch {
      await rename(this.file, `${this.file}.corrupt-${Date.now()}`).catch(() => undefined);
      return null;
    }
  }

  /**
   * Saves and removals run one after another, in the order they were asked for: a checkpoint
   * still being written when the download finishes can't land after the final save, or bring the
   * journal back after its removal.
   */
  private queue: Promise<unknown> = Promise.resolve();

  private inTurn(step: () => Promise<void>): Promise<void> {
    const run = this.queue.then(step, step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  save(state: JournalState): Promise<void> {
    const text = JSON.stringify(state);
    return this.inTurn(() => writeFileAtomic(this.file, text));
  }

  remove(): Promise<void> {
    return this.inTurn(() =>
      unlink(this.file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      }),
    );
  }
}
