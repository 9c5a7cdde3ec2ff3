import { lstat } from 'node:fs/promises';
import { extname, join } from 'node:path';

/**
 * Names Windows gives to devices, with or without an extension (`NUL.tar.gz`) and with spaces
 * before it (`CON .txt`): the DOS names, COM and LPT ports 0–9 and ¹²³ (Windows reads the
 * superscript digits as ports too), and the console's `CONIN$` and `CONOUT$`.
 */
const WINDOWS_RESERVED =
  /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]|conin\$|conout\$) *(\..*)?$/i;
const MAX_BYTES = 200; // leaves room for " (12)" and ".part.json" within 255

/** The UTF-8 length of one code point. */
function utf8Bytes(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, whole code points only: one pass. */
function prefixWithin(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const codePoint = text.codePointAt(end) as number;
    bytes += utf8Bytes(codePoint);
    if (bytes > maxBytes) break;
    end += codePoint > 0xffff ? 2 : 1;
  }
  return text.slice(0, end);
}

function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const ext = extname(name);
  const extBytes = Buffer.byteLength(ext);
  if (extBytes >= maxBytes / 2) return prefixWithin(name, maxBytes);
  return prefixWithin(name.slice(0, name.length - ext.length), maxBytes - extBytes) + ext;
}

/** `text` without the dots and white space at its end, found in one backward pass (a regex would retry at each run). */
function trimEndDotsAndSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && /[.\s]/.test(text[end - 1] as string)) end--;
  return text.slice(0, end);
}

/**
 * Reduces a name suggested by a URL or a server (Content-Disposition) to one harmless segment:
 * no directories, no `..`, no control or shell-hostile characters, no hidden or Windows-reserved
 * names, not too long. Returns `fallback` when nothing usable is left. Every step is one linear
 * pass, so a hostile header of any length costs time in proportion to its length.
 */
export function safeFileName(suggested: string | null | undefined, fallback = 'download'): string {
  if (!suggested) return fallback;
  // Only the last segment counts, whichever separator the server used.
  const last = suggested.slice(Math.max(suggested.lastIndexOf('/'), suggested.lastIndexOf('\\')) + 1);
  let name = trimEndDotsAndSpaces(
    last
      .normalize('NFC')
      .replace(/[\p{Cc}\p{Cf}]/gu, '')
      .replace(/[<>:"|?*]/g, '_')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^[.\s-]+/, ''),
  );
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  // A cut may end on a dot or a space, which Windows drops: trim again.
  name = trimEndDotsAndSpaces(truncateUtf8(name, MAX_BYTES));
  return name || fallback;
}

/** The last path segment of a URL, percent-decoded, for use as a file name. */
export function nameFromUrl(url: string): string | null {
  try {
    const segment = new URL(url).pathname.split('/').pop() ?? '';
    return segment ? decodeURIComponent(segment) : null;
  } catch {
    return null;
  }
}

/** Whether anything has this name, a symbolic link included (even one pointing nowhere). */
async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * A name in `directory` that does not exist yet: `name`, then `name (1).ext`, `name (2).ext`…
 * so an existing file is never overwritten. `accept` may claim a taken name (a resumable download
 * of the same URL owns its `.part`).
 */
export async function uniqueFileName(
  directory: string,
  name: string,
  accept: (candidate: string) => Promise<boolean> = async () => false,
): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let i = 0; i < 1000; i++) {
    const candidate = i === 0 ? name : `${stem} (${i})${ext}`;
    const path = join(directory, candidate);
    if (await accept(path)) return path;
    if (!(await exists(path)) && !(await exists(`${path}.part`))) return path;
  }
  throw new Error(`No free file name for ${name} in ${directory}`);
}
