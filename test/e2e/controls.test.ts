import { mkdir } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PathInfo, Settings, StartTransfer } from '../../common/contract.ts';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import { startScriptedHost, type ScriptedHost } from './support/scriptedHost.ts';

/**
 * Issue 22's dashboard controls in the real built dashboard, through the real host: a path's
 * type and metered override in Settings, and a per-download data limit in the add-download form.
 * Screenshots go to test-results/ for a person to look at.
 */
let host: ScriptedHost;
let browser: Browser;
const overrides: Array<[string, Settings['overrides'][string]]> = [];
const starts: StartTransfer[] = [];

beforeAll(async () => {
  host = await startScriptedHost();
  const fake = host.fake;
  fake.handlers['paths.setOverride'] = (name, override) => {
    overrides.push([name, override]);
    fake.s.settings = { ...fake.s.settings, overrides: { ...fake.s.settings.overrides, [name]: override } };
    return fake.paths as PathInfo[];
  };
  const start = fake.handlers['transfers.start'];
  fake.handlers['transfers.start'] = (request) => {
    starts.push(request as StartTransfer);
    return (start as NonNullable<typeof start>)(request);
  };
  browser = await launchChromium();
  await mkdir(ARTIFACTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
});

async function open(): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
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

describe('dashboard controls in Chromium (scripted core)', () => {
  it('corrects a path’s type and metered flag in Settings', async () => {
    const { page, problems } = await open();
    await page.getByRole('link', { name: /Settings/ }).click();
    const section = page.getByRole('region', { name: 'Path types and metering' });
    await section.getByRole('combobox', { name: 'wwan0 type' }).selectOption('tether');
    await section.getByRole('combobox', { name: 'wwan0 metered' }).selectOption('no');
    await expect.poll(() => overrides.at(-1)).toEqual(['wwan0', { type: 'tether', metered: false }]);
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}control-path-overrides.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('starts a download with a data limit on one path', async () => {
    const { page, problems } = await open();
    await page.getByRole('link', { name: /Transfers/ }).click();
    const form = page.getByRole('form', { name: 'Add a download' });
    await form.getByLabel('File address').fill('https://example.com/big.iso');
    await form.getByText('More options').click();
    await form.getByLabel('Limit on wwan0').fill('500 MB');
    await page.screenshot({ path: `${ARTIFACTS}control-download-cap.png`, fullPage: true });
    await form.getByRole('button', { name: /Download/ }).click();
    await expect.poll(() => starts.at(-1)?.caps).toEqual({ wwan0: 500_000_000 });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe('the add-download form’s mirrors and login in Chromium (scripted core)', () => {
  it('starts a download from a mirror too, with a login (issue 25)', async () => {
    const { page, problems } = await open();
    await page.getByRole('link', { name: /Transfers/ }).click();
    const form = page.getByRole('form', { name: 'Add a download' });
    await form.getByLabel('File address').fill('https://example.com/big.iso');
    await form.getByText('More options').click();
    await form
      .getByLabel('Mirrors')
      .fill('https://mirror.example.net/pub/big.iso\nftp://old.example.net/big.iso');
    await form.getByLabel('User').fill('me');
    await form.getByLabel('Password').fill('pw-e2e-s3cret');
    await form.getByRole('button', { name: /Download/ }).click();
    await form.getByText(/Mirror on line 2/).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}control-download-sources-error.png`, fullPage: true });
    await form.getByLabel('Mirrors').fill('https://mirror.example.net/pub/big.iso');
    await page.setViewportSize({ width: 800, height: 900 });
    await page.screenshot({ path: `${ARTIFACTS}control-download-sources-800.png`, fullPage: true });
    await form.getByRole('button', { name: /Download/ }).click();
    await expect
      .poll(() => starts.at(-1))
      .toMatchObject({
        mirrors: ['https://mirror.example.net/pub/big.iso'],
        login: { user: 'me', password: 'pw-e2e-s3cret' },
      });
    // The password is gone from the form once the download has started.
    await expect.poll(() => form.getByLabel('Password').inputValue()).toBe('');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
