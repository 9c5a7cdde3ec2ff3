/**
 * The dashboard on a laptop-shaped lab: `pathwise serve` and Chromium inside the client
 * namespace (wlan0 + wwan0), a range server in the server namespace. The first block needs only
 * the monitor; the scenarios drive the engine and the ledger through the dashboard.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ARTIFACTS } from '../support/browser.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';
import { FILE_URL, go, startLab, stopLab, type Lab } from './support/dashboardLab.ts';

describeNeeding(netnsNeeds())('the dashboard inside a lab namespace', () => {
  let env: Lab | undefined;
  beforeAll(async () => {
    env = await startLab();
  });
  afterAll(() => stopLab(env));

  it('shows the lab’s wlan0 and wwan0 as path cards, from a browser in the namespace', async () => {
    const { page } = env as Lab;
    const grid = page.getByRole('list', { name: 'Network paths' });
    await grid.getByRole('listitem', { name: 'wlan0' }).waitFor();
    await grid.getByRole('listitem', { name: 'wwan0' }).waitFor();
    await expect(grid.getByRole('listitem', { name: 'wwan0' }).textContent()).resolves.toContain('Cellular');
    await page.screenshot({ path: `${ARTIFACTS}netns-overview.png`, fullPage: true });
  });

  it('sets a preference in the lab and sees it applied by the core', async () => {
    const { page } = env as Lab;
    const card = page.getByRole('list', { name: 'Network paths' }).getByRole('listitem', { name: 'wwan0' });
    await card.getByText('Backup', { exact: true }).click();
    await expect
      .poll(() => card.getByRole('radio', { name: 'Backup' }).isChecked(), { timeout: 20_000 })
      .toBe(true);
    await card.getByText('Always', { exact: true }).click();
    await expect
      .poll(() => card.getByRole('radio', { name: 'Always' }).isChecked(), { timeout: 20_000 })
      .toBe(true);
  });
});

/** Chooses how Pathwise may use a path, on its card in the overview. */
async function choosePreference(page: Page, path: string, preference: string): Promise<void> {
  await go(page, 'Overview');
  await page
    .getByRole('list', { name: 'Network paths' })
    .getByRole('listitem', { name: path })
    .getByText(preference, { exact: true })
    .click();
}

/** Starts a download of the lab's file from the Transfers view; its row in the list. */
async function startDownload(page: Page): Promise<Locator> {
  await go(page, 'Transfers');
  const form = page.getByRole('form', { name: 'Add a download' });
  await form.getByLabel('File address').fill(FILE_URL);
  await form.getByRole('button', { name: /Download/ }).click();
  const row = page.getByRole('list', { name: 'Downloads' }).getByRole('listitem', { name: 'file.bin' });
  await row.waitFor({ timeout: 30_000 });
  return row;
}

/** A path's line in a transfer row's per-path list, as the dashboard shows it; null when it has none. */
async function pathLine(row: Locator, name: string): Promise<string | null> {
  const item = row
    .getByRole('list', { name: /by path/ })
    .getByRole('listitem')
    .filter({ hasText: name });
  return (await item.count()) > 0 ? ((await item.first().textContent()) ?? '') : null;
}

describeNeeding(netnsNeeds())('dashboard scenarios over two paths (engine + ledger)', () => {
  let env: Lab | undefined;
  let row: Locator;
  beforeAll(async () => {
    env = await startLab();
  });
  afterAll(() => stopLab(env));

  it('starts a download and watches progress split across wlan0 and wwan0', async () => {
    const { page } = env as Lab;
    // wwan0 is cellular, so a backup path by default: the user opts it in to aggregate.
    await choosePreference(page, 'wwan0', 'Secondary');
    row = await startDownload(page);
    await expect.poll(() => pathLine(row, 'wlan0'), { timeout: 60_000 }).toMatch(/[1-9][\d.]* [kMG]B/);
    await expect.poll(() => pathLine(row, 'wwan0'), { timeout: 60_000 }).toMatch(/[1-9][\d.]* [kMG]B/);
    await page.screenshot({ path: `${ARTIFACTS}netns-transfer-split.png`, fullPage: true });
  });

  it('sets wwan0 to Never and sees its rate drop to zero', async () => {
    const { page } = env as Lab;
    await choosePreference(page, 'wwan0', 'Never');
    await go(page, 'Transfers');
    // wwan0 carried part of the file, so its line stays: an active path shows its rate, a path the
    // policy excludes shows none (or "not used"). A line gone missing is a failure, not a pass.
    const wwan0Rate = async (): Promise<string> => {
      const line = await pathLine(row, 'wwan0');
      if (line === null) return 'no line for wwan0';
      return /bit\/s/.test(line) ? `a rate still shown: ${line}` : 'no rate';
    };
    await expect.poll(wwan0Rate, { timeout: 60_000 }).toBe('no rate');
    await page.screenshot({ path: `${ARTIFACTS}netns-wwan0-never.png`, fullPage: true });
    await choosePreference(page, 'wwan0', 'Secondary');
  });

  it('cuts wlan0: the transfer keeps going and the timeline records the handover', async () => {
    const { page, lab } = env as Lab;
    await go(page, 'Transfers');
    const progress = row.getByRole('progressbar');
    const before = Number(await progress.getAttribute('aria-valuenow'));
    await lab.cut('wlan0');
    await expect
      .poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 120_000 })
      .toBeGreaterThan(before);
    await go(page, 'Continuity');
    await page
      .getByRole('listitem', { name: /wlan0 (failed|went away)|Handed over from wlan0/ })
      .first()
      .waitFor({ timeout: 60_000 });
    await page.screenshot({ path: `${ARTIFACTS}netns-continuity.png`, fullPage: true });
    await lab.restore('wlan0');
  });

  it('sets a small plan cap on wwan0 and sees the cap alert', async () => {
    const { page } = env as Lab;
    await go(page, 'Settings');
    const plan = page.getByRole('list', { name: 'Data plans' }).getByRole('listitem', { name: 'wwan0' });
    await plan.getByRole('button', { name: 'Add plan for wwan0' }).click();
    await plan.getByLabel('Data cap').fill('5 MB');
    await plan.getByRole('button', { name: 'Save plan' }).click();
    await plan.getByText(/5\.0 MB cap/).waitFor();
    await go(page, 'Alerts');
    await page
      .getByRole('list', { name: 'Alerts' })
      .getByRole('listitem')
      .filter({ hasText: /wwan0 (reached|used \d+% of) its data cap/ })
      .first()
      .waitFor({ timeout: 120_000 });
    await page.screenshot({ path: `${ARTIFACTS}netns-cap-alert.png`, fullPage: true });
    // The usage view on what the ledger recorded: wwan0 over its 5 MB cap, wlan0 with no plan.
    await go(page, 'Usage & cost');
    await page.getByRole('row', { name: /wwan0/ }).first().waitFor();
    await expect.poll(() => page.getByText(/^Loading chart/).count(), { timeout: 30_000 }).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}netns-usage.png`, fullPage: true });
    expect((env as Lab).problems).toEqual([]);
  });
});
