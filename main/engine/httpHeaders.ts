/**
 * The parts of RFC 9110 the engine relies on: Content-Range, validators and the conditional
 * headers that keep every range of a download on the same version of the file.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type ResponseHeaders = IncomingHttpHeaders | Record<string, string | string[] | undefined>;

/** What identifies one version of a file on the server, pinned at the probe. */
export interface Validator {
  /** A strong entity tag ("abc"), never a weak one (W/"abc"): weak tags can't vouch for byte ranges. */
  etag: string | null;
  lastModified: string | null;
}

export function header(headers: ResponseHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function strongEtag(value: string | undefined): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  return /^"[^"]*"$/.test(trimmed) ? trimmed : null;
}

export function validatorOf(headers: ResponseHeaders): Validator {
  const lastModified = header(headers, 'last-modified')?.trim() || null;
  return { etag: strongEtag(header(headers, 'etag')), lastModified };
}

export function sameValidator(a: Validator, b: Validator): boolean {
  if (a.etag || b.etag) return a.etag === b.etag;
  return a.lastModified === b.lastModified;
}

export function describeValidator(v: Validator): string {
  return v.etag ? `ETag ${v.etag}` : v.lastModified ? `Last-Modified ${v.lastModified}` : 'no validator';
}

/**
 * Headers that make the server refuse to answer from a different version: If-Match (412 when the
 * strong ETag changed) or If-Unmodified-Since, plus If-Range so servers that ignore those answer
 * with the whole new file (200), which the engine also treats as "changed".
 */
export function conditionalHeaders(v: Validator): Record<string, string> {
  if (v.etag) return { 'if-match': v.etag, 'if-range': v.etag };
  if (v.lastModified) return { 'if-unmodified-since': v.lastModified, 'if-range': v.lastModified };
  return {};
}

export type ContentRange =
  { kind: 'range'; start: number; end: number; size: number | null } | { kind: 'unsatisfied'; size: number };

const DIGITS = /^\d{1,16}$/;

/** Parses `bytes 0-99/1000`, `bytes 0-99/*` and `bytes *\/1000`; undefined when malformed. */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  if (!value) return undefined;
  const match = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!match) return undefined;
  const [, s, e, total] = match;
  if (s === undefined || e === undefined) {
    if (total === undefined || total === '*' || !DIGITS.test(total)) return undefined;
    return { kind: 'unsatisfied', size: Number(total) };
  }
  if (!DIGITS.test(s) || !DIGITS.test(e)) return undefined;
  const start = Number(s);
  const end = Number(e);
  const size = total === '*' || total === undefined ? null : Number(total);
  if (end < start || (size !== null && end >= size)) return undefined;
  return { kind: 'range', start, end, size };
}

/**
 * Retry-After (RFC 9110 §10.2.3), delay-seconds or an HTTP-date, as milliseconds from `nowMs`
 * (a date in the past is 0); null when absent or unreadable.
 */
export function retryAfterMs(headers: ResponseHeaders, nowMs: number = Date.now()): number | null {
  const value = header(headers, 'retry-after')?.trim();
  if (!value) return null;
  if (/^\d{1,10}$/.test(value)) return Number(value) * 1000;
  // An HTTP-date names its weekday or month in letters; a bare number above is seconds.
  if (!/[a-z]/i.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export function contentLength(headers: ResponseHeaders): number | null {
  const value = header(headers, 'content-length');
  return value !== undefined && DIGITS.test(value.trim()) ? Number(value.trim()) : null;
}

/** The encoding the body is in; null for identity (none). */
export function contentEncoding(headers: ResponseHeaders): string | null {
  const value = header(headers, 'content-encoding')?.trim().toLowerCase();
  return !value || value === 'identity' ? null : value;
}

/**
 * The media type an answer names (RFC 9110 §8.3): Content-Type's type/subtype in lower case, its
 * parameters (`; charset=utf-8`) dropped; null when it names none.
 */
export function mediaType(headers: ResponseHeaders): string | null {
  const value = header(headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  return value || null;
}

/** The file name a server suggests in Content-Disposition (filename* preferred), unsanitised. */
export function dispositionFileName(headers: ResponseHeaders): string | null {
  const value = header(headers, 'content-disposition');
  if (!value) return null;
  const extended = /filename\*\s*=\s*([^;]+)/i.exec(value);
  if (extended?.[1]) {
    const match = /^([\w!#$%&+^`{}~-]+)'[^']*'(.+)$/.exec(extended[1].trim());
    if (match?.[2]) {
      try {
        return decodeURIComponent(match[2].replace(/^"|"$/g, ''));
      } catch {
        // fall through to the plain filename
      }
    }
  }
  const plain = /filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]+)/i.exec(value);
  if (!plain?.[1]) return null;
  const raw = plain[1].trim();
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
}
