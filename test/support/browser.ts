import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env['PATHWISE_CHROMIUM'] ?? '/usr/bin/chromium';
export const ARTIFACTS = new URL('../../test-results/', import.meta.url).pathname;

/** Debian's Chromium, headless, with nothing that phones home (the network here is closed). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
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
