import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import { startServe, type Served } from '../support/serve.ts';

describe('pathwise serve in Chromium', () => {
  let served: Served;
  let browser: Browser;

  beforeAll(async () => {
    served = await startServe();
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  it('shows this machine’s interfaces live, with no CSP violations', async () => {
    const page = await browser.newPage({ viewport: { width: 1180, height: 760 } });
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(served.url);
    // The token was traded for a cookie and removed from the address bar.
    expect(page.url()).not.toContain('token=');
    const list = page.getByRole('list', { name: 'Network interfaces' });
    await list.getByRole('listitem', { name: 'lo' }).waitFor();
    await expect(list.getByRole('listitem', { name: 'lo' }).textContent()).resolves.toContain('127.0.0.1');
    await page.screenshot({ path: `${ARTIFACTS}e2e-interfaces.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('refuses a browser that has no token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(served.origin + '/');
    expect(response?.status()).toBe(401);
    await context.close();
  });
});
