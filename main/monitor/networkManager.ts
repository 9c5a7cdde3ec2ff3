import { execFile } from 'node:child_process';
import { findExecutable } from './LinkWatcher.ts';

/**
 * What NetworkManager says about a device's metered flag. NetworkManager also honours Android's
 * DHCP option (ANDROID_METERED) for phone tethers, and "guessed yes" for WWAN modems.
 */
export type NmMetered = 'yes' | 'no' | 'unknown';

/**
 * Parse `nmcli -t -f GENERAL.DEVICE,GENERAL.METERED device show`. An explicit "no" is the user's
 * NetworkManager setting and is trusted; "no (guessed)" only means NetworkManager saw nothing
 * suggesting a metered link, so it counts as unknown and Pathwise's type rule decides.
 */
export function parseNmcliMetered(text: string): Map<string, NmMetered> {
  const result = new Map<string, NmMetered>();
  let device: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      device = undefined;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    // Terse mode escapes ':' and '\' inside values.
    const value = line.slice(colon + 1).replace(/\\(.)/g, '$1');
    if (key === 'GENERAL.DEVICE') device = value;
    else if (key === 'GENERAL.METERED' && device) {
      const v = value.toLowerCase();
      result.set(device, v.startsWith('yes') ? 'yes' : v === 'no' ? 'no' : 'unknown');
    }
  }
  return result;
}

/**
 * Reads NetworkManager's metered flags with one `nmcli` call for all devices. Called on start and
 * when a path appears or changes address (a new connection), never on the link-state tick.
 */
export class NetworkManagerMetered {
  private readonly nmcli: string | null;

  constructor(options: { nmcliPath?: string | null } = {}) {
    this.nmcli =
      options.nmcliPath !== undefined
        ? options.nmcliPath
        : process.platform === 'linux'
          ? findExecutable('nmcli')
          : null;
  }

  get available(): boolean {
    return this.nmcli !== null;
  }

  /** Device → metered; empty when nmcli is missing or NetworkManager isn't running. */
  read(): Promise<Map<string, NmMetered>> {
    const nmcli = this.nmcli;
    if (!nmcli) return Promise.resolve(new Map());
    return new Promise((resolve) => {
      execFile(
        nmcli,
        ['-t', '-f', 'GENERAL.DEVICE,GENERAL.METERED', 'device', 'show'],
        { timeout: 5000, env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 1 << 20 },
        (error, stdout) => resolve(error ? new Map() : parseNmcliMetered(stdout)),
      );
    });
  }
}
