/**
 * Issue 24 in Chromium on the namespace lab: the dashboard says what each state is and offers
 * the way on. A preference explained and confirmed, and used from the keyboard; a download that
 * waits on wwan0's cap, and "Use Wi-Fi for this download"; one Wi-Fi cut, one continuity entry;
 * then every view at 800 and 1440 px, light and dark, photographed for a person to look at.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ARTIFACTS } from '../support/browser.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';
import { FILE_URL, go, startLab, stopLab, watchPage, type Lab } from './support/dashboardLab.ts';

const MIB = 1024 * 1024;

function card(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Network paths' }).getByRole('listitem', { name });
}

function downloadRow(page: Page, name: string): Locator {
  return page.getByRole('list', { name: 'Downloads' }).getByRole('listitem', { name });
}

/** Starts a download of the lab's file from the Transfers view, over `only` these paths if given. */
async function startDownload(page: Page, only?: string): Promise<void> {
  await go(page, 'Transfers');
  const form = page.getByRole('form', { name: 'Add a download' });
  await form.getByLabel('File address').fill(FILE_URL);
  if (only) {
    // Each box is named by its path (and badges); the line under it, its description, may name others.
    const group = form.getByRole('group', { name: 'Paths' });
    for (const box of await group.getByRole('checkbox').all()) await box.setChecked(false);
    await group.getByRole('checkbox', { name: new RegExp(`^${only}\\b`) }).setChecked(true);
  }
  await form.getByRole('button', { name: /Download/ }).click();
}

/** What a control's aria-describedby says, as a screen reader would read it after its name. */
function description(locator: Locator): Promise<string> {
  return locator.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id: string) => el.ownerDocument.getElementById(id)?.textContent ?? '')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim(),
  );
}

/** The element that has focus, described: its type and value, and the card it is in. */
function focused(page: Page): Promise<string> {
  // A string, run in the page (the tests are type-checked without the DOM's types).
  return page.evaluate(`(() => {
    const el = document.activeElement;
    const where = el?.closest('li[aria-label]')?.getAttribute('aria-label') ?? 'nowhere';
    return (el?.type ?? el?.tagName ?? 'none') + ' ' + (el?.value ?? '') + ' in ' + where;
  })()`);
}

/** Whether `locator`'s element has focus, or (`within`) contains what has. */
function hasFocus(locator: Locator, within = false): Promise<boolean> {
  return locator.evaluate(
    (el, inside) =>
      inside ? el.contains(el.ownerDocument.activeElement) : el === el.ownerDocument.activeElement,
    within,
  );
}

/** Every view at 800 and 1440 px wide, light and dark, as `lab-<view>-<width>-<scheme>.png`. */
async function photograph(env: Lab, views: readonly string[]): Promise<void> {
  for (const width of [800, 1440]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await env.browser.newContext({ viewport: { width, height: 900 }, colorScheme });
      const page = await context.newPage();
      watchPage(page, env.problems);
      await page.goto(env.served.url);
      await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
      for (const view of views) {
        await go(page, view);
        // The live chart draws once two samples are in (the core takes one a second).
        if (view === 'Overview') await page.getByRole('img', { name: /Live throughput per path/ }).waitFor();
        await expect.poll(() => page.getByText(/^Loading/).count(), { timeout: 30_000 }).toBe(0);
        const slug = view.split(' ')[0]?.toLowerCase();
        await page.screenshot({
          path: `${ARTIFACTS}lab-${slug}-${width}-${colorScheme}.png`,
          fullPage: true,
        });
      }
      // From 800 px up the sidebar keeps the status card.
      expect(await page.locator('.sidebar-status').isVisible()).toBe(true);
      await context.close();
    }
  }
}

/** A download on wwan0 alone waits at its 5 MB cap, says so and why, and moves to Wi-Fi when asked. */
async function capWaitAndMove(env: Lab): Promise<void> {
  const { page } = env;
  await go(page, 'Settings');
  const plan = page.getByRole('list', { name: 'Data plans' }).getByRole('listitem', { name: 'wwan0' });
  await plan.getByRole('button', { name: 'Add plan for wwan0' }).click();
  await plan.getByLabel('Data cap').fill('5 MB');
  await plan.getByRole('button', { name: 'Save plan' }).click();
  await plan.getByText(/5\.0 MB cap/).waitFor();
  await startDownload(page, 'wwan0');
  const row = downloadRow(page, 'file.bin');
  const wait = row.getByRole('status').filter({ hasText: 'Waiting: wwan0 reached its 5 MB cap' });
  await wait.waitFor({ timeout: 60_000 });
  await row.getByText('Waiting', { exact: true }).waitFor();
  // The status card says "reached", not "near"; so does wwan0's box where paths are ticked.
  const status = page.locator('.sidebar-status');
  await status.getByText('Data cap reached').waitFor();
  expect(await status.textContent()).toMatch(/wwan0 is at its 5 MB cap: Pathwise no longer uses it until /);
  const wwan0Box = page
    .getByRole('form', { name: 'Add a download' })
    .getByRole('checkbox', { name: /^wwan0\b.*At its cap$/ });
  await wwan0Box.waitFor();
  expect(await description(wwan0Box)).toMatch(/\. At its 5 MB cap: Pathwise no longer uses it\.$/);
  await page.screenshot({ path: `${ARTIFACTS}lab-cap-wait.png`, fullPage: true });
  await photograph(env, ['Overview', 'Transfers', 'Usage & cost', 'Alerts', 'Settings']);
  await row.getByRole('button', { name: 'Use Wi-Fi for this download' }).click();
  await wait.waitFor({ state: 'detached', timeout: 30_000 });
  await row.getByText('Done', { exact: true }).waitFor({ timeout: 90_000 });
  const split = await row.getByRole('list', { name: 'file.bin by path' }).textContent();
  expect(split).toMatch(/wlan0\s*[1-9][\d.]* MB/);
  await page.screenshot({ path: `${ARTIFACTS}lab-cap-moved.png`, fullPage: true });
}

/** A download over both paths, wlan0 cut: one entry in Continuity, and the counter says 1. */
async function oneCutOneEntry(env: Lab): Promise<void> {
  const { page, lab } = env;
  await go(page, 'Settings');
  const plan = page.getByRole('list', { name: 'Data plans' }).getByRole('listitem', { name: 'wwan0' });
  await plan.getByRole('button', { name: 'Remove plan for wwan0' }).click();
  await plan.getByRole('button', { name: 'Add plan for wwan0' }).waitFor();
  await startDownload(page);
  const row = downloadRow(page, 'file (1).bin');
  const split = async (): Promise<string> =>
    (await row.getByRole('list', { name: /by path/ }).textContent()) ?? '';
  await expect.poll(split, { timeout: 60_000 }).toMatch(/wwan0\s*[1-9][\d.]* [kM]B/);
  await lab.cut('wlan0');
  await row.getByText('Done', { exact: true }).waitFor({ timeout: 120_000 });
  await lab.restore('wlan0');
  await go(page, 'Continuity');
  const timeline = page.getByRole('list', { name: /^Continuity events/ });
  await timeline
    .getByRole('listitem', { name: /wlan0 failed; its ranges moved to wwan0/ })
    .waitFor({ timeout: 60_000 });
  const entries = timeline.getByRole('listitem', { name: /wlan0 (failed|went away)/ });
  expect(await entries.count()).toBe(1);
  const stat = page.getByText('Handovers and failovers').locator('..');
  expect(await stat.textContent()).toMatch(/Handovers and failovers\s*1\b/);
  await page.screenshot({ path: `${ARTIFACTS}lab-continuity-one-cut.png`, fullPage: true });
  await photograph(env, ['Continuity', 'Alerts']);
  // The failover's alert names its download: "Open transfer" opens that one, by its id.
  await go(page, 'Alerts');
  await page.getByRole('button', { name: 'Open transfer: wlan0 failed' }).click();
  await page.getByRole('heading', { name: 'Transfers', level: 1 }).waitFor();
  expect(page.url()).toMatch(/#\/transfers\?transfer=[\w-]+$/);
  await expect.poll(() => row.getAttribute('class')).toMatch(/\bis-target\b/);
  expect(env.problems).toEqual([]);
}

describeNeeding(netnsNeeds())('issue 24: the dashboard tells every state and the way on (lab)', () => {
  let env: Lab | undefined;
  beforeAll(async () => {
    env = await startLab(96 * MIB);
  });
  afterAll(() => stopLab(env));

  it('explains wwan0’s preference where it is chosen and confirms a change', async () => {
    const { page } = env as Lab;
    const wwan0 = card(page, 'wwan0');
    // Cellular is Backup by default: only if Wi-Fi drops.
    await wwan0.getByText('Backup: only if Wi-Fi drops').waitFor();
    await wwan0.getByText('Secondary', { exact: true }).click();
    await wwan0.getByRole('status').filter({ hasText: 'Saved: wwan0 is now Secondary.' }).waitFor();
    await wwan0.getByText(/^Secondary:.*aggregate downloads/).waitFor();
  });

  it('moves the preference with arrow keys, saving once, where they stop, and keeps focus', async () => {
    const { page, sent } = env as Lab;
    const wwan0 = card(page, 'wwan0');
    await wwan0.getByRole('radio', { name: 'Secondary' }).focus();
    const before = sent.length;
    // Secondary → Backup → Never → Backup → Secondary → Always, then Enter.
    for (const key of ['ArrowRight', 'ArrowRight', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft', 'Enter']) {
      await page.keyboard.press(key);
    }
    await wwan0.getByRole('status').filter({ hasText: 'Saved: wwan0 is now Always.' }).waitFor();
    const saves = sent.slice(before).filter((m) => m.channel === 'paths.setPreference');
    expect(saves.map((m) => m.args)).toEqual([['wwan0', 'always']]);
    expect(await focused(page)).toBe('radio always in wwan0');
  });

  it('makes the live chart one Tab stop', async () => {
    const { page } = env as Lab;
    const section = page.getByRole('region', { name: 'Live throughput' });
    const chart = section.getByRole('img', { name: /Live throughput per path/ });
    await chart.waitFor({ timeout: 30_000 });
    await section.getByRole('radio', { name: '5 min', exact: true }).focus();
    await page.keyboard.press('Tab');
    expect(await hasFocus(chart)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await hasFocus(section.locator('.chart-figure'), true)).toBe(false);
  });

  it('waits on wwan0’s 5 MB cap, says so, and goes on over Wi-Fi when asked', () =>
    capWaitAndMove(env as Lab));

  it('records one Wi-Fi cut as one continuity entry', () => oneCutOneEntry(env as Lab));
});
