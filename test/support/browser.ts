import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['PATHWISE_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../test-results/', import.meta.url).pathname;

/**
 * Debian's Chromium, headless, with nothing that phones home (the network here is closed).
 * With `netns`, the browser runs inside that network namespace (playwright talks to it over a
 * pipe, so only the pages' traffic is in the namespace), e.g. to reach `pathwise serve` there.
 */
export function launchChromium(options: { netns?: string } = {}): Promise<Browser> {
  let executablePath = CHROMIUM;
  if (options.netns) {
    executablePath = join(mkdtempSync(join(tmpdir(), 'pw-chromium-')), 'chromium-in-netns');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${options.netns} ${CHROMIUM} "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
