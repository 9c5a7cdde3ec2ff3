import { readFileSync, statSync } from 'node:fs';
import { PathwiseError } from '../../common/errors.ts';
import { describedFile } from '../engine/metalink.ts';
import type { MirrorOptions } from '../engine/MirrorSource.ts';

/** The most a Metalink file may weigh (the piece hashes of a file of tens of GiB fit in it). */
const MAX_METALINK_BYTES = 24 << 20;

/** Where `pathwise get` fetches its one file from: its URL, and the mirrors and checks beside it. */
export interface GetSources {
  /** The primary: the first URL given, or the Metalink's most preferred one. */
  url: string;
  /** The other URLs of the same file (and, from a Metalink, its size and piece hashes); null for one URL. */
  mirrors: MirrorOptions | null;
  /** The Metalink's name for the file (saved under it when -o names a folder); null otherwise. */
  fileName: string | null;
  /** The Metalink's SHA-256 of the whole file; null when it gives none. */
  sha256: string | null;
  /** What to tell the user (URLs a Metalink lists that can't be used). */
  notices: string[];
  /** The mirrors typed on the command line (their sites get the login too); none from a Metalink. */
  typedMirrors: string[];
  /**
   * One URL not named .meta4 that may be a Metalink all the same: the download follows it when its
   * server's answer says so by its Content-Type (TransferOptions.followMetalink). `mirrors` then
   * holds --select-file's choice, if any.
   */
  followMetalink: boolean;
}

/**
 * Whether `mirrors` travel to the running app in one message of its socket (lines of up to
 * 256 KiB, handoffProtocol.ts MAX_LINE_BYTES; not imported: it would load the whole contract on
 * every `get`), with room for the rest of the request. A Metalink with more piece hashes than
 * that is downloaded in this process instead.
 */
export function fitsHandoff(mirrors: MirrorOptions | null): boolean {
  return mirrors === null || Buffer.byteLength(JSON.stringify(mirrors)) <= 192 * 1024;
}

/** A URL whose path names a Metalink document (.meta4, or .metalink as aria2 takes it). */
function isMetalinkUrl(url: string): boolean {
  return /\.(meta4|metalink)$/i.test(new URL(url).pathname);
}

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}

/**
 * The sources of `pathwise get URL [MIRROR…]` (every URL the same file: the first is the primary,
 * the others mirrors), `pathwise get FILE.meta4` (a Metalink 4 file, RFC 5854, on this machine) or
 * `pathwise get https://…/FILE.meta4` (one on a server: the download fetches it first; with
 * --no-metalink the document itself is the download). One URL without that extension is followed
 * as a Metalink too when its server says it is one (Content-Type), unless --no-metalink.
 * Mistakes in the command line are `usage` errors; a Metalink that can't be read is E_METALINK.
 */
export function readSources(
  positionals: string[],
  usage: (message: string) => PathwiseError,
  { followMetalink = true, select }: { followMetalink?: boolean; select?: string | undefined } = {},
): GetSources {
  const [first, ...rest] = positionals;
  if (first === undefined)
    throw usage('Give a URL (further URLs of the same file are its mirrors), or a Metalink file.');
  if (!isHttpUrl(first) && statSync(first, { throwIfNoEntry: false })?.isFile()) {
    if (rest.length > 0)
      throw usage(`A Metalink file (${first}) names the file's URLs itself: give it alone.`);
    return fromMetalink(first, select);
  }
  for (const url of positionals) {
    if (!isHttpUrl(url)) throw usage(`"${url}" is not an http:// or https:// URL, nor a Metalink file.`);
  }
  // As aria2's --follow-metalink: on unless --no-metalink asks for the document itself.
  if (followMetalink && isMetalinkUrl(first)) {
    if (rest.length > 0) throw usage(`A Metalink (${first}) names the file's URLs itself: give it alone.`);
    // Fetched by the download itself, through its paths, then the file it describes (remoteMetalink.ts).
    return {
      url: first,
      mirrors: { urls: [], document: 'metalink', ...(select !== undefined ? { select } : {}) },
      fileName: null,
      sha256: null,
      notices: [],
      typedMirrors: [],
      followMetalink: false,
    };
  }
  // Any other one URL may be a Metalink its server names by its Content-Type (remoteMetalink.ts
  // servedAsMetalink); a URL with mirrors is a file (a document has none): never asked.
  const mayBeMetalink = followMetalink && rest.length === 0;
  if (select !== undefined && !mayBeMetalink)
    throw usage(
      followMetalink
        ? '--select-file chooses a file of a Metalink; these URLs are one file.'
        : '--select-file chooses a file of a Metalink, which --no-metalink does not read: give one or the other.',
    );
  return {
    url: first,
    mirrors:
      rest.length > 0
        ? { urls: rest.map((url) => ({ url })) }
        : select !== undefined
          ? { urls: [], select }
          : null,
    fileName: null,
    sha256: null,
    notices: [],
    typedMirrors: rest,
    followMetalink: mayBeMetalink,
  };
}

function fromMetalink(path: string, select: string | undefined): GetSources {
  const size = statSync(path).size;
  if (size > MAX_METALINK_BYTES) {
    throw new PathwiseError(
      'E_METALINK',
      `${path} is ${size} bytes, more than a Metalink file may be (${MAX_METALINK_BYTES}); it is not read.`,
    );
  }
  return {
    ...describedFile(readFileSync(path, 'utf8'), path, select),
    typedMirrors: [],
    followMetalink: false,
  };
}
