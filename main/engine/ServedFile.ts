import { PathwiseError } from '../../common/errors.ts';
import { describeValidator, sameValidator, type Validator } from './httpHeaders.ts';
import type { ProbeResult } from './RangeProbe.ts';
import { RedirectGuard, type AddressRules } from './RedirectGuard.ts';
import { TransferErrorCodes } from './transferErrors.ts';

/**
 * What the server said about the file, pinned at the probe: where its redirects led, its size,
 * whether it serves byte ranges, and the validator and encoding every later answer must match
 * (versions are never mixed). One record that the parts of a transfer share, so none of them
 * keeps a copy that a restart for a new version would leave stale.
 */
export class ServedFile {
  /** The URL the user asked for. */
  readonly url: string;
  /** Where its redirects may lead: a public link never into a private network (every probe asks it). */
  readonly redirects: RedirectGuard;
  /** Where the redirects led; null until the probe answered (and while probing again). */
  pinnedUrl: URL | null = null;
  size: number | null = null;
  rangeSupport: boolean | null = null;
  validator: Validator = { etag: null, lastModified: null };
  encoding: string | null = null;
  /**
   * Bumped when the file changed on the server and the download starts over: a fetch, recovery
   * probe or checkpoint begun for an older version finds another number and leaves things alone.
   */
  generation = 0;
  /**
   * The most bytes the server has answered a range with when asked for more (a server that caps
   * range sizes, as many CDNs do); null until one did. Chunks are planned no larger.
   */
  rangeCap: number | null = null;

  constructor(url: string, addressRules?: AddressRules) {
    this.url = url;
    this.redirects = new RedirectGuard(url, addressRules);
  }

  /** Where requests go: the pinned URL once there is one, else the URL as given. */
  get href(): string {
    return this.pinnedUrl?.href ?? this.url;
  }

  /**
   * The pinned URL is not the one the user gave: a redirect led there (often a signed link that
   * stops working after a while, and is renewed from the user's URL: LinkRefresh).
   */
  get redirected(): boolean {
    if (!this.pinnedUrl || !URL.canParse(this.url)) return false;
    const given = new URL(this.url);
    given.hash = '';
    return given.href !== this.pinnedUrl.href;
  }

  /** The server answered a range of `length` bytes when asked for more: no chunk is planned larger. */
  noteRangeCap(length: number): void {
    if (length > 0) this.rangeCap = Math.min(this.rangeCap ?? Number.POSITIVE_INFINITY, length);
  }

  pin(probe: ProbeResult): void {
    this.size = probe.size;
    this.rangeSupport = probe.rangeSupport;
    this.validator = probe.validator;
    this.encoding = probe.encoding;
    this.pinnedUrl = new URL(probe.url);
  }

  /** A later probe describes the pinned version (same size, ranges and validator). */
  matches(probe: ProbeResult): boolean {
    return (
      probe.size === this.size &&
      probe.rangeSupport === this.rangeSupport &&
      sameValidator(probe.validator, this.validator)
    );
  }

  /** The error that starts the download over when a later probe found another version. */
  changedTo(probe: ProbeResult): PathwiseError {
    return new PathwiseError(
      TransferErrorCodes.changed,
      `The file changed on the server (${describeValidator(this.validator)} → ${describeValidator(probe.validator)}).`,
    );
  }
}
