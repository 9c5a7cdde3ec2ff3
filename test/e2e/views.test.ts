import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import { startScriptedHost, type ScriptedHost } from './support/scriptedHost.ts';

const VIEWS = [
  { route: 'overview', heading: 'Overview', ready: 'Live throughput' },
  { route: 'transfers', heading: 'Transfers', ready: 'ubuntu-24.04.2-desktop-amd64.iso' },
  { route: 'usage', heading: 'Usage & cost', ready: 'Forecast vs cap' },
  { route: 'continuity', heading: 'Continuity', ready: 'wlan0 failed; its ranges moved to wwan0' },
  { route: 'alerts', heading: 'Alerts', ready: 'wwan0 is on pace to exceed its 10 GB cap' },
  { route: 'settings', heading: 'Settings', ready: 'Data plans' },
] as const;

/** Every view, each once its data and charts are drawn, as `view-<route>-<width>-<scheme>.png`. */
async function photographEveryView(page: Page, width: number, scheme: string): Promise<void> {
  for (const view of VIEWS) {
    await page
      .getByRole('navigation', { name: 'Views' })
      .getByRole('link', { name: new RegExp(view.heading.replace('&', '.')) })
      .click();
    await page.getByRole('heading', { name: view.heading, level: 1 }).waitFor();
    await page.getByText(view.ready, { exact: false }).first().waitFor();
    // Charts load lazily: wait until every chart box has drawn its SVG.
    await expect
      .poll(
        async () =>
          (await page.locator('.chart-box').count()) ===
          (await page.locator('.chart-box svg.recharts-surface').count()),
        { timeout: 20_000 },
      )
      .toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}view-${view.route}-${width}-${scheme}.png`, fullPage: true });
    // From 800 px up the sidebar keeps the machine's status in view.
    expect(await page.locator('.sidebar-status').isVisible()).toBe(true);
  }
}

/**
 * Every view of the real built dashboard, through the real headless host, with a core answering
 * from a scripted scenario (the engine and ledger land separately). Screenshots in light and
 * dark go to test-results/ for a person to look at.
 */
describe('dashboard views in Chromium (scripted core)', () => {
  let host: ScriptedHost;
  let browser: Browser;

  beforeAll(async () => {
    host = await startScriptedHost();
    browser = await launchChromium();
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.close();
  });

  async function open(
    colorScheme: 'light' | 'dark',
    width = 1280,
  ): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width, height: 860 }, colorScheme });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') problems.push(msg.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    return { page, problems };
  }

  // From 800 px (the narrowest the layout holds, status card and all) to a wide 1440 px.
  for (const [scheme, width] of [
    ['light', 1440],
    ['dark', 1440],
    ['light', 800],
    ['dark', 800],
  ] as const) {
    it(`renders every view with data, without CSP violations (${scheme}, ${width} px)`, async () => {
      const { page, problems } = await open(scheme, width);
      // A few minutes of live samples, as if the window had been open a while.
      await page.getByRole('heading', { name: 'Live throughput' }).waitFor();
      host.pushHistory(300);
      await photographEveryView(page, width, scheme);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }

  it('shows forms with their validation, and fits the smallest window', async () => {
    const { page, problems } = await open('light');
    await page.getByRole('link', { name: /Transfers/ }).click();
    const form = page.getByRole('form', { name: 'Add a download' });
    await form.getByLabel('File address').fill('ftp://example.com/file.iso');
    await form.getByRole('button', { name: /Download/ }).click();
    await form.getByText(/http:\/\/ and https:\/\/ only/).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}form-transfer-error.png` });
    await page.getByRole('link', { name: /Settings/ }).click();
    const wlan = page.getByRole('list', { name: 'Data plans' }).getByRole('listitem', { name: 'wlan0' });
    await wlan.getByRole('button', { name: 'Add plan for wlan0' }).click();
    await wlan.getByRole('form', { name: 'Plan for wlan0' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}form-plan-editor.png`, fullPage: true });
    await page.setViewportSize({ width: 720, height: 900 });
    await page.getByRole('link', { name: /Overview/ }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}view-overview-narrow.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
