import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import { startServe, type Served } from '../support/serve.ts';

const VIEWS = [
  ['overview', 'Overview'],
  ['transfers', 'Transfers'],
  ['usage', 'Usage & cost'],
  ['continuity', 'Continuity'],
  ['alerts', 'Alerts'],
  ['settings', 'Settings'],
] as const;

/** A fresh data folder whose settings.json already holds a plan for eth0, as a user's would. */
async function dataDirWithPlan(): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'pw-e2e-'));
  await writeFile(
    join(dataDir, 'settings.json'),
    JSON.stringify({
      plans: {
        eth0: {
          capBytes: 50e9,
          cycle: { kind: 'monthly', startDay: 3 },
          pricePerGb: 0.25,
          overagePricePerGb: 1,
          atCap: 'stop',
          rateLimitBps: null,
          currency: 'EUR',
        },
      },
    }),
  );
  return dataDir;
}

/**
 * The real `pathwise serve` on this machine's loopback, with a data folder that already holds a
 * plan, in Debian's Chromium. Whatever parts of the core this build has, every view must load
 * without a crash or a CSP violation, and settings must round-trip to disk.
 */
describe('pathwise serve in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let dataDir: string;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    dataDir = await dataDirWithPlan();
    served = await startServe({ env: { PATHWISE_DATA_DIR: dataDir } });
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('trades the token for a cookie and shows this machine’s interfaces live', async () => {
    await page.goto(served.url);
    expect(page.url()).not.toContain('token=');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByText(/other interface/).click();
    const others = page.getByRole('list', { name: 'Other interfaces' });
    await expect(others.getByRole('listitem', { name: 'lo' }).textContent()).resolves.toContain('127.0.0.1');
  });

  it('opens every view, each in a state that says what to do', async () => {
    for (const [route, heading] of VIEWS) {
      await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: heading }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      // No view is left spinning: each settles on content, an empty state or an unavailable note.
      await expect
        .poll(
          () =>
            page
              .getByRole('status')
              .filter({ hasText: /^Loading/ })
              .count(),
          { timeout: 20_000 },
        )
        .toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}serve-${route}.png`, fullPage: true });
    }
    expect(problems).toEqual([]);
  });

  it('shows the plan from the data folder and saves a change back to it', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByText('50.0 GB cap · resets on day 3').waitFor();
    const notifications = page.getByRole('switch', { name: 'Show notifications' });
    expect(await notifications.isChecked()).toBe(true);
    await notifications.click();
    await expect
      .poll(async () => JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')).notifications, {
        timeout: 10_000,
      })
      .toBe(false);
    await expect.poll(() => notifications.isChecked(), { timeout: 10_000 }).toBe(false);
  });

  it('refuses a browser that has no token', async () => {
    const context = await browser.newContext();
    const anonymous = await context.newPage();
    const response = await anonymous.goto(served.origin + '/');
    expect(response?.status()).toBe(401);
    await context.close();
  });
});
