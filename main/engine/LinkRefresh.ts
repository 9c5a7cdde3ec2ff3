import { PathwiseError } from '../../common/errors.ts';
import { pause, type ProbeRound } from './ProbeRound.ts';
import type { ProbeResult } from './RangeProbe.ts';
import type { ServedFile } from './ServedFile.ts';
import { HttpStatusError, isFatal, statusText } from './transferErrors.ts';
import type { TransferTuning } from './TransferOptions.ts';

/** What renewing a link needs of the scheduling it pauses. */
export interface RefreshTarget {
  /** Renewing the link: nothing is scheduled meanwhile. */
  refreshing: boolean;
  /** The download phase still waits on its fetches (it has not settled or been torn down). */
  waiting(): boolean;
  /** Ends the download phase with an error. */
  reject(error: unknown): void;
  /** The renewed link names another version of the file: start over (VersionRestart). */
  fileChanged(error: PathwiseError): void;
  /** Goes on over the renewed link: gives the paths work. */
  resume(): void;
}

/** What renewing needs of the run: the final file's name, and its abort signal. */
export interface RefreshHost {
  file(): string;
  signal(): AbortSignal;
}

/** Waits between renewals that brought nothing grow from backoffBaseMs up to this. */
const RENEW_BACKOFF_MAX_MS = 60_000;

type Renewal =
  | { kind: 'renewed' }
  | { kind: 'changed'; error: PathwiseError }
  | { kind: 'failed'; error: unknown }
  /** The run ended or started over meanwhile: nothing to do. */
  | { kind: 'gone' };

/**
 * Links that expire: the URL the user gave redirects to a signed link that stops working after a
 * while (403, 410, 404… to a range), often long before a large file is done. The link is renewed
 * from the user's URL (its redirects followed again), the new one checked to name the same file
 * (size, ranges, validator: another version is the "changed on the server" restart), and the
 * download goes on with the ranges it has, on every path. As often as it helps: only renewals in a
 * row that bring no byte over the new link are counted, waited between (1 s doubling) and bounded
 * (`maxLinkRefreshes`). Nothing of the signed link is kept for a later run: a resume always starts
 * from the user's URL.
 */
export class LinkRefresh {
  /** Links renewed in this run. */
  count = 0;
  /** Why the download waits while a link is renewed, in words; null otherwise. */
  reason: string | null = null;
  /** Renewals in a row not followed by a byte over the renewed link. */
  private useless = 0;
  private readonly served: ServedFile;
  private readonly round: ProbeRound;
  private readonly tuning: TransferTuning;
  private readonly target: RefreshTarget;
  private readonly host: RefreshHost;

  constructor(
    parts: { served: ServedFile; round: ProbeRound },
    tuning: TransferTuning,
    target: RefreshTarget,
    host: RefreshHost,
  ) {
    this.served = parts.served;
    this.round = parts.round;
    this.tuning = tuning;
    this.target = target;
    this.host = host;
  }

  /** A new run: no renewals spent. */
  reset(): void {
    this.count = 0;
    this.useless = 0;
    this.reason = null;
  }

  /** A fetch brought its first byte: if over the renewed link, renewals are helping. */
  progressed(asked: URL): void {
    if (this.useless > 0 && asked.href === this.served.pinnedUrl?.href) this.useless = 0;
  }

  /**
   * A range asked of link `asked` met `error` (a 403, 410… from a link a redirect led to): unless
   * that link was renewed since (or is being renewed), renews it now.
   */
  stopped(asked: URL, error: PathwiseError): void {
    if (this.target.refreshing || asked.href !== this.served.pinnedUrl?.href) return;
    void this.renew(error);
  }

  private async renew(error: PathwiseError): Promise<void> {
    if (!this.target.waiting()) return;
    this.target.refreshing = true;
    let renewal: Renewal;
    try {
      renewal = await this.renewal(error, this.served.generation);
    } catch (caught) {
      renewal = { kind: 'failed', error: caught };
    } finally {
      this.target.refreshing = false;
      this.reason = null;
    }
    if (renewal.kind === 'renewed') this.target.resume();
    else if (renewal.kind === 'changed') this.target.fileChanged(renewal.error);
    else if (renewal.kind === 'failed') this.target.reject(renewal.error);
  }

  /** Probes the user's URL until it leads to a link that works, or the renewals run out. */
  private async renewal(error: PathwiseError, generation: number): Promise<Renewal> {
    const dead = this.served.pinnedUrl?.host ?? '';
    let last = error;
    for (;;) {
      if (this.useless >= this.tuning.maxLinkRefreshes)
        return { kind: 'failed', error: this.keptFailing(last) };
      this.useless++;
      this.reason = `the link to ${dead} stopped working (${describe(last)}); asking ${this.served.url} for a fresh one`;
      if (this.useless > 1) {
        const wait = Math.min(RENEW_BACKOFF_MAX_MS, this.tuning.backoffBaseMs * 2 ** (this.useless - 2));
        await pause(wait, this.host.signal());
      }
      if (!this.target.waiting() || generation !== this.served.generation) return { kind: 'gone' };
      let probe: ProbeResult;
      try {
        probe = await this.round.probeAnyLane(false, this.host.file(), this.served.url);
      } catch (caught) {
        if (!this.target.waiting() || generation !== this.served.generation) return { kind: 'gone' };
        const coded = caught instanceof PathwiseError ? caught : null;
        // What the user's URL itself says (404, a broken answer) ends the download; a network
        // failure on every path is tried again.
        if (!coded || isFatal(coded)) return { kind: 'failed', error: caught };
        last = coded;
        continue;
      }
      if (!this.target.waiting() || generation !== this.served.generation) return { kind: 'gone' };
      if (!this.served.matches(probe)) return { kind: 'changed', error: this.served.changedTo(probe) };
      this.served.pinnedUrl = new URL(probe.url);
      this.count++;
      return { kind: 'renewed' };
    }
  }

  /** The download fails: renewed links kept failing before a byte arrived over any of them. */
  private keptFailing(last: PathwiseError): PathwiseError {
    const message = `The link ${this.served.url} leads to stopped working each time it was renewed (${describe(last)}, ${this.useless} times in a row, no byte arriving in between); Pathwise stopped. What arrived is kept: run the download again to resume.`;
    return last instanceof HttpStatusError
      ? new HttpStatusError(last.status, message, last.url, last.retryAfterMs)
      : new PathwiseError(last.code, message);
  }
}

/** An error in a few words: its status ("403 Forbidden"), else its code. */
function describe(error: PathwiseError): string {
  return error instanceof HttpStatusError ? statusText(error.status) : error.code;
}
