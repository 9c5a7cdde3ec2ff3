import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransferInfo } from '../../common/contract.ts';
import { PathwiseError } from '../../common/errors.ts';
import { describedFile, type DescribedFile } from './metalink.ts';
import type { MirrorSpec } from './MirrorSource.ts';
import { RedirectGuard } from './RedirectGuard.ts';
import type { TransferOptions, TransferOutcome } from './TransferOptions.ts';

/**
 * A Metalink on a server (`pathwise get https://…/file.meta4`, or a URL whose server answers with
 * Metalink 4's Content-Type, as aria2's --follow-metalink follows it): the download fetches the
 * document first, as any download (its paths, its login, the ledger counting its bytes), then the
 * file it describes, as a Metalink on this machine is downloaded. The document is small or refused
 * (a megabyte holds the piece hashes of a file of tens of GiB), and the URLs it lists pass the
 * redirect guard exactly as a redirect from the document's URL would: a document on the internet
 * may not send the download into this machine or its network (a document on a private address
 * may name mirrors there). A URL the guard refuses is left out; when it leaves none, the download
 * fails with the guard's E_REDIRECT.
 */

/** The most a Metalink document fetched from a server may weigh. */
export const MAX_REMOTE_METALINK_BYTES = 1 << 20;

/** The download's URL is a Metalink document (MirrorOptions.document), not the file. */
export function isMetalinkDocument(options: TransferOptions): boolean {
  return options.mirrors?.document === 'metalink';
}

/**
 * Metalink 4's media type, as RFC 5854 registers it. Metalink 3's `application/metalink+xml` is
 * not followed: Pathwise reads Metalink 4 only, so such an answer is downloaded as the file it is.
 */
const METALINK4_TYPE = 'application/metalink4+xml';

/**
 * Thrown by a download whose URL may be a Metalink (TransferOptions.followMetalink) when its
 * probe's answer is one, before anything of the file is written: the transfer then runs as the
 * document's download (Transfer.viaDocument), which fetches it again (it is small).
 */
export class MetalinkServed extends Error {}

/**
 * Whether the probe's answer to a download that may be a Metalink says it is one: its
 * Content-Type is Metalink 4's (any parameters, any case), as aria2's --follow-metalink judges. A
 * download given mirrors is a file and never asks. Throws E_METALINK when --select-file chose a
 * file of it and it is not one: downloading it whole would not be what was asked.
 */
export function servedAsMetalink(
  options: TransferOptions,
  probe: { mediaType?: string | null | undefined },
): boolean {
  const { followMetalink, mirrors } = options;
  if (!followMetalink || mirrors?.document !== undefined || (mirrors?.urls.length ?? 0) > 0) return false;
  if (probe.mediaType === METALINK4_TYPE) return true;
  if (mirrors?.select === undefined) return false;
  const said = probe.mediaType ? `Content-Type ${probe.mediaType}` : 'no Content-Type';
  const v3 =
    probe.mediaType === 'application/metalink+xml' ? ' (Metalink 3, which Pathwise does not read)' : '';
  throw new PathwiseError(
    'E_METALINK',
    `--select-file chooses a file of a Metalink, but ${options.url} is not one: its server answers with ${said}${v3}, not ${METALINK4_TYPE}. Nothing was downloaded; leave out --select-file to download it as it is.`,
  );
}

/** What fetching the document needs of the download (a Transfer) that does it. */
export interface DocumentDownload {
  run(): Promise<TransferOutcome>;
  cancel(): Promise<void>;
  info(): TransferInfo;
  on(event: 'change' | 'bytes', listener: () => void): unknown;
}

/** The document fetched and read: the file's download; or how its fetch ended (paused, cancelled, failed). */
export type DocumentResult =
  | { status: 'read'; options: TransferOptions }
  | { status: 'ended'; outcome: Exclude<TransferOutcome, { status: 'done' }> };

function tooBig(url: string, bytes: number): PathwiseError {
  return new PathwiseError(
    'E_METALINK',
    `The Metalink at ${url} is larger than 1 MiB (at least ${bytes} bytes), the most a Metalink fetched from a server may be, so it is not read. If you trust it, download it (pathwise get -o FILE URL) and give that file instead.`,
  );
}

/**
 * Fetches the document `options.url` names through `start` (a download of it into a folder of
 * its own, removed after), and reads it: the options of the download of the file it describes.
 * Throws E_METALINK for a document too large or not a Metalink 4 of one file, E_REDIRECT when the
 * guard refuses every URL it lists.
 */
export async function fetchDocument(
  options: TransferOptions,
  start: (document: TransferOptions) => DocumentDownload,
): Promise<DocumentResult> {
  const folder = await mkdtemp(join(tmpdir(), 'pathwise-meta4-'));
  try {
    const document = start(documentOptions(options, join(folder, 'document.meta4')));
    let over: number | null = null;
    const watch = (): void => {
      const info = document.info();
      const bytes = Math.max(info.size ?? 0, info.received);
      if (over === null && bytes > MAX_REMOTE_METALINK_BYTES) {
        over = bytes;
        void document.cancel();
      }
    };
    document.on('change', watch);
    document.on('bytes', watch);
    const outcome = await document.run();
    if (over !== null) throw tooBig(options.url, over);
    if (outcome.status !== 'done') return { status: 'ended', outcome };
    const size = (await stat(outcome.file)).size;
    if (size > MAX_REMOTE_METALINK_BYTES) throw tooBig(options.url, size);
    const described = describedFile(
      await readFile(outcome.file, 'utf8'),
      options.url,
      options.mirrors?.select,
    );
    return { status: 'read', options: await fileOptions(options, described) };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The document's own download: the user's URL, paths, login and limits; no mirrors, hash or name,
 * and no Metalink followed (the document is what it fetches).
 */
function documentOptions(options: TransferOptions, file: string): TransferOptions {
  const { mirrors: _m, sha256: _s, fileName: _f, directory: _d, followMetalink: _l, ...rest } = options;
  return { ...rest, file };
}

/** The file's download: its URLs the guard allows (the most preferred the primary), its size, hashes, name. */
async function fileOptions(options: TransferOptions, described: DescribedFile): Promise<TransferOptions> {
  const listed: MirrorSpec[] = [{ url: described.url, priority: 0 }, ...described.mirrors.urls];
  const guard = new RedirectGuard(options.url, options.addressRules);
  const allowed: MirrorSpec[] = [];
  let refusal: unknown = null;
  for (const spec of listed) {
    try {
      await guard.check(new URL(options.url), new URL(spec.url), 'this machine');
      allowed.push(spec);
    } catch (error) {
      refusal ??= error;
    }
  }
  const [primary, ...mirrors] = allowed;
  if (!primary) throw refusal;
  if (options.sha256 && described.sha256 && options.sha256.toLowerCase() !== described.sha256) {
    throw new PathwiseError(
      'E_METALINK',
      `The SHA-256 given (${options.sha256}) is not the one the Metalink at ${options.url} gives (${described.sha256}): one of them is not this file's.`,
    );
  }
  const sha256 = options.sha256 ?? described.sha256;
  // The file is downloaded as it is: a Metalink it turns out to be is not followed again.
  const { followMetalink: _l, ...given } = options;
  return {
    ...given,
    url: primary.url,
    givenUrl: options.url,
    mirrors: { ...described.mirrors, urls: mirrors },
    fileName: options.fileName ?? described.fileName,
    ...(sha256 ? { sha256 } : {}),
  };
}
