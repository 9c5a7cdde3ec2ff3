import { access } from 'node:fs/promises';
import { extname, join } from 'node:path';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_BYTES = 200; // leaves room for " (12)" and ".part.json" within 255

function truncateUtf8(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const ext = extname(name);
  const extBytes = Buffer.byteLength(ext);
  let stem = name.slice(0, name.length - ext.length);
  const budget = extBytes < maxBytes / 2 ? maxBytes - extBytes : maxBytes;
  while (Buffer.byteLength(stem) > budget) stem = [...stem].slice(0, -1).join('');
  return extBytes < maxBytes / 2 ? stem + ext : stem;
}

/**
 * Reduces a name suggested by a URL or a server (Content-Disposition) to one harmless segment:
 * no directories, no `..`, no control or shell-hostile characters, no hidden or Windows-reserved
 * names, not too long. Returns `fallback` when nothing usable is left.
 */
export function safeFileName(suggested: string | null | undefined, fallback = 'download'): string {
  if (!suggested) return fallback;
  // Only the last segment counts, whichever separator the server used.
  const last = suggested.split(/[/\\]/).pop() ?? '';
  let name = last
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s-]+/, '')
    .replace(/[.\s]+$/, '');
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  name = truncateUtf8(name, MAX_BYTES);
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

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
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
