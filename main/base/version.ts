import { readFileSync } from 'node:fs';

/** The app version, read once from package.json (both shells and the CLI report it). */
function readVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url);
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export const APP_VERSION: string = readVersion();
