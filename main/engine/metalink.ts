/**
 * Metalink 4 (RFC 5854), the part a download of one file over mirrors reads, as aria2 reads it: a
 * file's name, size, whole-file SHA-256, piece hashes (`<pieces type="sha-256">`) and its http(s)
 * URLs with their priorities. Other hash types, other URL schemes (ftp, torrents through
 * `<metaurl>`) and elements the engine has no use for (publisher, signature…) are passed over;
 * what breaks the RFC's rules for the parts read here is an error, never a guess.
 */
import { PathwiseError } from '../../common/errors.ts';
import { readXml, XmlError, type XmlElement } from './metalinkXml.ts';
import { LOWEST_PRIORITY, type MirrorOptions, type PieceHashes } from './MirrorSource.ts';

export const METALINK_NS = 'urn:ietf:params:xml:ns:metalink';
/** Metalink 3's namespace (.metalink files from before the RFC): recognised, to be named in the error. */
const METALINK3_NS = 'http://www.metalinker.org/';

/** A URL without a priority comes after every URL that has one. */
const UNRANKED = LOWEST_PRIORITY + 1;
/** More URLs than this for one file are not mirrors but a mistake (or an attack on the scheduler). */
const MAX_URLS = 256;

export interface MetalinkUrl {
  url: string;
  /** 1 (most preferred) … 999999; 1000000 when the document gave none. */
  priority: number;
}

export interface MetalinkFile {
  /** The file's name as the document gives it (a relative path; made safe where it is used). */
  name: string;
  size: number | null;
  /** The whole file's SHA-256, lower case; null when the document has none. */
  sha256: string | null;
  pieces: PieceHashes | null;
  /** Its http(s) URLs, most preferred first (document order among equals). */
  urls: MetalinkUrl[];
  /** URLs the engine cannot use (another scheme), to be said, not silently dropped. */
  skipped: string[];
}

function invalid(what: string): PathwiseError {
  return new PathwiseError('E_METALINK', `This is not a Metalink file Pathwise can read: ${what}.`);
}

/** Reads a Metalink 4 document; throws E_METALINK naming what is wrong. */
export function parseMetalink(text: string): MetalinkFile[] {
  let root: XmlElement;
  try {
    root = readXml(text);
  } catch (error) {
    if (error instanceof XmlError) throw invalid(`it is not well-formed XML (${error.message})`);
    throw error;
  }
  if (root.ns === METALINK3_NS) {
    throw invalid('it is Metalink 3 (www.metalinker.org); only Metalink 4 (RFC 5854, .meta4) is read');
  }
  if (root.ns !== METALINK_NS || root.local !== 'metalink') {
    throw invalid(
      `its root element is <${root.local}> in ${root.ns ?? 'no namespace'}, not <metalink> in ${METALINK_NS}`,
    );
  }
  const files = ours(root, 'file').map(readFile);
  if (files.length === 0) throw invalid('it describes no file');
  const names = new Set<string>();
  for (const file of files) {
    if (names.has(file.name)) throw invalid(`it describes the file "${file.name}" twice`);
    names.add(file.name);
  }
  return files;
}

/** The children of `element` that are Metalink's `local` elements. */
function ours(element: XmlElement, local: string): XmlElement[] {
  return element.children.filter((c) => c.ns === METALINK_NS && c.local === local);
}

/** The one Metalink child `local` of `element`, or null; more than one is an error. */
function single(element: XmlElement, local: string, owner: string): XmlElement | null {
  const found = ours(element, local);
  if (found.length > 1) throw invalid(`${owner} has more than one <${local}>`);
  return found[0] ?? null;
}

function readFile(element: XmlElement): MetalinkFile {
  const name = element.attrs.get('name') ?? '';
  if (!safeRelative(name)) throw invalid(`a <file> has the name "${name}", which is not a relative path`);
  const owner = `the file "${name}"`;
  const sizeText = single(element, 'size', owner)?.text.trim();
  if (sizeText !== undefined && !/^\d{1,16}$/.test(sizeText)) {
    throw invalid(`${owner} has the size "${sizeText}"`);
  }
  const size = sizeText === undefined ? null : Number(sizeText);
  const urls: MetalinkUrl[] = [];
  const skipped: string[] = [];
  for (const url of ours(element, 'url')) readUrl(url, owner, urls, skipped);
  if (urls.length + skipped.length > MAX_URLS) throw invalid(`${owner} lists more than ${MAX_URLS} URLs`);
  if (urls.length === 0) {
    throw invalid(
      skipped.length > 0 ? `${owner} has no http(s) URL (only ${skipped.join(', ')})` : `${owner} has no URL`,
    );
  }
  // Stable: URLs of the same priority stay in the document's order.
  urls.sort((a, b) => a.priority - b.priority);
  return {
    name,
    size,
    sha256: wholeHash(element, owner),
    pieces: pieces(element, owner, size),
    urls,
    skipped,
  };
}

/** RFC 5854 §4.1.2.1: a name is a relative path, with no "." or ".." segment. */
function safeRelative(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0')) return false;
  return name.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function readUrl(element: XmlElement, owner: string, urls: MetalinkUrl[], skipped: string[]): void {
  const text = element.text.trim();
  const rank = element.attrs.get('priority');
  if (rank !== undefined && !/^\d{1,6}$/.test(rank.trim())) {
    throw invalid(`${owner} has a URL with the priority "${rank}"`);
  }
  const priority = rank === undefined ? UNRANKED : Number(rank.trim());
  if (rank !== undefined && (priority < 1 || priority > LOWEST_PRIORITY)) {
    throw invalid(`${owner} has a URL with the priority ${priority} (RFC 5854: 1 to ${LOWEST_PRIORITY})`);
  }
  if (!URL.canParse(text)) throw invalid(`${owner} has the URL "${text.slice(0, 200)}", which is not one`);
  const url = new URL(text);
  if (url.protocol === 'http:' || url.protocol === 'https:') urls.push({ url: url.href, priority });
  else skipped.push(`${url.protocol.slice(0, -1)} ${url.host}`);
}

const SHA256_TYPE = 'sha-256';
const HEX64 = /^[0-9a-fA-F]{64}$/;

/** The file's `<hash type="sha-256">`, if it has one (other types are passed over). */
function wholeHash(element: XmlElement, owner: string): string | null {
  const found = ours(element, 'hash').filter((h) => h.attrs.get('type')?.toLowerCase() === SHA256_TYPE);
  const values = new Set(found.map((h) => h.text.trim().toLowerCase()));
  for (const value of values) if (!HEX64.test(value)) throw invalid(`${owner} has the SHA-256 "${value}"`);
  if (values.size > 1) throw invalid(`${owner} has two different SHA-256 hashes`);
  return [...values][0] ?? null;
}

/**
 * The file's `<pieces type="sha-256" length="N">`, if it has them: exactly one hash for each N
 * bytes of the file's size (other types are passed over; SHA-256 pieces without a size can't be
 * laid over the file, and are an error).
 */
function pieces(element: XmlElement, owner: string, size: number | null): PieceHashes | null {
  const all = ours(element, 'pieces').filter((p) => p.attrs.get('type')?.toLowerCase() === SHA256_TYPE);
  if (all.length > 1) throw invalid(`${owner} has more than one list of SHA-256 pieces`);
  const list = all[0];
  if (!list) return null;
  const lengthText = list.attrs.get('length')?.trim() ?? '';
  if (!/^\d{1,12}$/.test(lengthText) || Number(lengthText) === 0) {
    throw invalid(`${owner} has pieces of length "${lengthText}"`);
  }
  const length = Number(lengthText);
  if (size === null) throw invalid(`${owner} has piece hashes but no <size> to lay them over`);
  const hashes = ours(list, 'hash').map((h) => h.text.trim().toLowerCase());
  for (const hash of hashes)
    if (!HEX64.test(hash)) throw invalid(`${owner} has the piece hash "${hash.slice(0, 80)}"`);
  const expected = Math.ceil(size / length);
  if (hashes.length !== expected) {
    throw invalid(
      `${owner} has ${hashes.length} piece hashes where ${size} bytes in pieces of ${length} need ${expected}`,
    );
  }
  return { length, sha256: hashes };
}

/** The file `select` names among `files` (the only one when there is one and none is named). */
function selectedFile(files: MetalinkFile[], where: string, select: string | undefined): MetalinkFile {
  const names = files.map((f, i) => `${i + 1}. ${f.name}`).join(', ');
  if (select === undefined) {
    if (files.length === 1) return files[0] as MetalinkFile;
    throw new PathwiseError(
      'E_METALINK',
      `${where} describes ${files.length} files (${names}); Pathwise downloads one file per command: choose it with --select-file NAME or --select-file N.`,
    );
  }
  const byNumber = /^[1-9]\d{0,5}$/.test(select) ? files[Number(select) - 1] : undefined;
  const chosen = files.find((f) => f.name === select) ?? byNumber;
  if (!chosen) {
    throw new PathwiseError(
      'E_METALINK',
      `${where} describes no file "${select}"; it describes ${files.length === 1 ? 'one' : files.length}: ${names}.`,
    );
  }
  return chosen;
}

/** The one file a Metalink document describes, as a download takes it. */
export interface DescribedFile {
  /** Its most preferred URL: the download's primary. */
  url: string;
  /** Its other URLs, size and piece hashes. */
  mirrors: MirrorOptions;
  /** The document's name for the file (a relative path: made safe where it is used). */
  fileName: string;
  sha256: string | null;
  /** What to tell the user (URLs it lists that can't be used, no hash to check mirrors by). */
  notices: string[];
}

/**
 * The file the Metalink document `text` describes (`where` names the document: a file on this
 * machine, or the URL it came from). One file per command: a document that lists several needs
 * `select` (a file's name, or its number from 1, as aria2's --select-file counts them).
 * Throws E_METALINK.
 */
export function describedFile(text: string, where: string, select?: string): DescribedFile {
  const files = parseMetalink(text);
  const file = selectedFile(files, where, select);
  const [primary, ...mirrors] = file.urls;
  const notices = file.skipped.length
    ? [`${where} also lists ${file.skipped.join(', ')}; Pathwise fetches over http(s) only.`]
    : [];
  if (!file.sha256 && !file.pieces) {
    notices.push(
      `${where} gives no SHA-256 for ${file.name}: mirrors are checked by size and validators only.`,
    );
  }
  return {
    url: (primary as MetalinkUrl).url,
    mirrors: {
      urls: mirrors,
      ...(file.size !== null ? { size: file.size } : {}),
      ...(file.pieces ? { pieces: file.pieces } : {}),
    },
    fileName: file.name,
    sha256: file.sha256,
    notices,
  };
}
