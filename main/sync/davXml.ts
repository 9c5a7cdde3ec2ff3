/**
 * A WebDAV multistatus answer (RFC 4918 §13) read into entries: enough of XML for what PROPFIND
 * returns — namespace prefixes of any name (or none), entities, CDATA — without a parser library.
 * Only the properties of a propstat whose status is 200 count (a server lists the ones it lacks
 * under 404).
 */

export interface DavEntry {
  /** The decoded path on the server, without a trailing slash (the root is ""). */
  path: string;
  isDir: boolean;
  size: number | null;
  /** The entity tag as the server wrote it, weak prefix and quotes dropped; null when none. */
  etag: string | null;
  /** Last modified, in ms since the epoch; null when absent or unreadable. */
  mtimeMs: number | null;
  /**
   * The content's hash when the server keeps one (Nextcloud's and ownCloud's `oc:checksums`):
   * algorithm (node's name: sha256, sha1, md5) and hex digest; null when it has none.
   */
  checksum: { algorithm: string; hex: string } | null;
}

const CHECKSUM_ALGORITHMS: Record<string, string> = { SHA256: 'sha256', SHA1: 'sha1', MD5: 'md5' };

/** The strongest hash in an `oc:checksums` value ("SHA1:… MD5:… ADLER32:…"), if any is one we can compute. */
export function parseChecksums(text: string): DavEntry['checksum'] {
  let best: DavEntry['checksum'] = null;
  for (const [, name, hex] of text.matchAll(/\b(SHA256|SHA1|MD5)\s*:\s*([0-9a-fA-F]+)/gi)) {
    const algorithm = CHECKSUM_ALGORITHMS[(name as string).toUpperCase()] as string;
    const rank = Object.values(CHECKSUM_ALGORITHMS).indexOf(algorithm);
    if (best === null || rank < Object.values(CHECKSUM_ALGORITHMS).indexOf(best.algorithm))
      best = { algorithm, hex: (hex as string).toLowerCase() };
  }
  return best;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeXmlText(text: string): string {
  const bare = text.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
  return bare.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : Number(name.slice(1));
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Every element named `local` (any prefix), as its inner text: `<d:href>…</d:href>` → "…". */
function elements(xml: string, local: string): string[] {
  const pattern = new RegExp(
    `<(?:[\\w.-]+:)?${local}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</(?:[\\w.-]+:)?${local}\\s*>)`,
    'gi',
  );
  return [...xml.matchAll(pattern)].map((m) => m[1] ?? '');
}

function first(xml: string, local: string): string | undefined {
  return elements(xml, local)[0];
}

/** The etag without W/ and quotes: servers differ in how they quote the same tag across answers. */
export function normalEtag(value: string | undefined | null): string | null {
  if (!value) return null;
  const bare = value.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return bare === '' ? null : bare;
}

/** The path part of an href (absolute URL or absolute path), percent-decoded, without trailing "/". */
export function hrefPath(href: string): string {
  const text = decodeXmlText(href).trim();
  const pathname = /^[a-z]+:\/\//i.test(text) ? new URL(text).pathname : text;
  const decoded = pathname
    .split('/')
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    })
    .join('/');
  return decoded.replace(/\/+$/, '');
}

function okProps(response: string): string {
  return elements(response, 'propstat')
    .filter((propstat) => {
      const status = first(propstat, 'status');
      return status === undefined || /\s2\d\d\s?/.test(` ${status} `);
    })
    .map((propstat) => first(propstat, 'prop') ?? '')
    .join('');
}

function entryOf(response: string): DavEntry | null {
  const href = first(response, 'href');
  if (href === undefined) return null;
  const props = okProps(response);
  const type = first(props, 'resourcetype') ?? '';
  const isDir = /<(?:[\w.-]+:)?collection\b/i.test(type);
  const length = first(props, 'getcontentlength');
  const size = length === undefined || length.trim() === '' ? null : Number(decodeXmlText(length));
  const modified = first(props, 'getlastmodified');
  const mtime = modified ? Date.parse(decodeXmlText(modified)) : Number.NaN;
  return {
    path: hrefPath(href),
    isDir,
    size: size !== null && Number.isFinite(size) ? size : null,
    etag: normalEtag(decodeXmlText(first(props, 'getetag') ?? '')),
    mtimeMs: Number.isFinite(mtime) ? mtime : null,
    checksum: isDir ? null : parseChecksums(decodeXmlText(elements(props, 'checksum').join(' '))),
  };
}

export function parseMultistatus(xml: string): DavEntry[] {
  return elements(xml, 'response')
    .map(entryOf)
    .filter((e): e is DavEntry => e !== null);
}

/** The properties a sync compares; `oc:checksums` is answered by Nextcloud and ownCloud, 404 elsewhere. */
export const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop>' +
  '<d:resourcetype/><d:getcontentlength/><d:getetag/><d:getlastmodified/><oc:checksums/>' +
  '</d:prop></d:propfind>';
