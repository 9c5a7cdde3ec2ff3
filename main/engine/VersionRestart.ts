import type { PathwiseError } from '../../common/errors.ts';
import type { ContinuityTracker } from './ContinuityTracker.ts';
import { checkFreeSpace, type DownloadFiles } from './DownloadFiles.ts';
import type { PartFile } from './PartFile.ts';
import type { ProbeRound } from './ProbeRound.ts';
import type { RangeSet } from './RangeSet.ts';
import type { ServedFile } from './ServedFile.ts';

/** What a restart needs of the scheduling it starts over. */
export interface RestartTarget {
  /** Starting over: nothing is scheduled meanwhile. */
  restarting: boolean;
  /** The download phase still waits on its fetches (it has not settled or been torn down). */
  waiting(): boolean;
  /** Ends the download phase with an error. */
  reject(error: unknown): void;
  /** Stops every fetch; resolves when their writes are done. */
  stopFetches(): Promise<unknown>;
  /** Plans the new version from the part file's `done` (empty again). */
  replan(done: RangeSet): void;
  /** Goes on: gives the paths work, and settles if the new version is already whole. */
  resume(): void;
}

/**
 * A file that changed on the server mid-download (a 412, a 200 to a range, another length or
 * validator: ARCHITECTURE "One download"): versions are never mixed, so everything received is
 * dropped, the file is probed again and the download starts over with the new version, at most
 * `maxRestarts` times before it fails.
 */
export class VersionRestart {
  private restarts = 0;
  private readonly served: ServedFile;
  private readonly files: DownloadFiles;
  private readonly round: ProbeRound;
  private readonly continuity: ContinuityTracker;
  private readonly maxRestarts: number;
  private readonly target: RestartTarget;
  private readonly file: () => string;

  constructor(
    parts: { served: ServedFile; files: DownloadFiles; round: ProbeRound; continuity: ContinuityTracker },
    maxRestarts: number,
    target: RestartTarget,
    file: () => string,
  ) {
    this.served = parts.served;
    this.files = parts.files;
    this.round = parts.round;
    this.continuity = parts.continuity;
    this.maxRestarts = maxRestarts;
    this.target = target;
    this.file = file;
  }

  /** A new run may start over as often again. */
  reset(): void {
    this.restarts = 0;
  }

  async startOver(error: PathwiseError): Promise<void> {
    if (this.target.restarting || !this.target.waiting()) return;
    if (this.restarts >= this.maxRestarts) {
      this.target.reject(error);
      return;
    }
    this.restarts++;
    this.target.restarting = true;
    this.served.generation++;
    try {
      await this.target.stopFetches();
      const part = this.files.part as PartFile;
      const lost = part.done.size;
      this.served.pinnedUrl = null;
      const probe = await this.round.probeAnyLane(false, this.file());
      this.served.pin(probe);
      await part.reset(this.served.size);
      await this.files.hasher?.reset();
      if (this.served.size !== null) await checkFreeSpace(this.file(), this.served.size);
      this.target.replan(part.done);
      this.continuity.clear();
      await this.files.saveJournal(null);
      this.continuity.report({
        kind: 'restart',
        from: null,
        to: null,
        bytesLost: lost,
        stallMs: 0,
        detail: `${error.message.replace(/ Pathwise never mixes.*$/, '')} Started over with the new version.`,
      });
      this.target.restarting = false;
      this.target.resume();
    } catch (caught) {
      this.target.restarting = false;
      this.target.reject(caught);
    }
  }
}
