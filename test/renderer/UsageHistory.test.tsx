import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UsagePeriod } from '../../common/contract.ts';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

function today(): string {
  const d = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** What the fake core answers for a kind: the rows the table should show. */
async function periods(api: FakeApi, kind: 'day' | 'month' | 'cycle'): Promise<UsagePeriod[]> {
  const handler = api.handlers['usage.periods'];
  if (!handler) throw new Error('no usage.periods');
  return handler({ kind });
}

/** A Blob's text (jsdom's Blob has no text()). */
function read(blob: Blob | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!blob) return reject(new Error('no file was made'));
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsText(blob);
  });
}

async function history(): Promise<HTMLElement> {
  return screen.findByRole('region', { name: 'History' });
}

describe('Usage & cost: history', () => {
  it('lists each path per day, month or billing cycle, as the ledger answers usage.periods', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'usage', 'Usage & cost');
    const section = await history();
    const days = await within(section).findByRole('table', { name: 'Usage by day' });
    // Three paths, thirty days each.
    expect(within(days).getAllByRole('row')).toHaveLength(1 + 90);
    expect(api.callsTo('usage.periods')).toEqual([[{ kind: 'day' }]]);
    const now = within(days).getByRole('row', { name: `wwan0 ${today()}` });
    expect(now).toHaveTextContent('(so far)');
    // The scenario's correction on wwan0 this cycle is booked on today.
    expect(now).toHaveTextContent('+180 MB');
    // wlan0's Sundays were counted while Pathwise was closed: marked, and explained.
    expect(within(days).getAllByText('~240 MB estimated').length).toBeGreaterThanOrEqual(4);
    expect(within(section).getByText(/counted while Pathwise was closed/)).toBeInTheDocument();

    await user.click(within(section).getByRole('radio', { name: 'Months' }));
    const months = await within(section).findByRole('table', { name: 'Usage by calendar month' });
    expect(within(months).getAllByRole('row')).toHaveLength(1 + 36);
    expect(api.callsTo('usage.periods').at(-1)).toEqual([{ kind: 'month' }]);

    await user.click(within(section).getByRole('radio', { name: 'Cycles' }));
    const cycles = await within(section).findByRole('table', { name: 'Usage by billing cycle' });
    const wwan = (await periods(api, 'cycle')).filter((p) => p.path === 'wwan0');
    expect(wwan).toHaveLength(6);
    for (const cycle of wwan) {
      // A cycle's cost carries wwan0's 15 USD fee.
      expect(cycle.cost).toBeGreaterThanOrEqual(15);
      expect(within(cycles).getByRole('row', { name: `wwan0 ${cycle.label}` })).toHaveTextContent(
        `$${cycle.cost?.toFixed(2)}`,
      );
    }
    // A path without a plan has no price: a dash, not a zero.
    const wlan = within(cycles).getAllByRole('row', { name: /^wlan0 / });
    expect(wlan.every((row) => row.textContent?.endsWith('—'))).toBe(true);
  });

  it('says history is not available when the ledger is not running, and offers no export', async () => {
    await renderAt(FakeApi.withScenario().unavailable('usage.periods'), 'usage', 'Usage & cost');
    const section = await history();
    expect(await within(section).findByText('History is not available')).toBeInTheDocument();
    expect(within(section).getByRole('button', { name: 'Export CSV' })).toBeDisabled();
    expect(within(section).getByRole('button', { name: 'Export JSON' })).toBeDisabled();
    expect(screen.getByRole('table', { name: 'This cycle' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('Usage & cost: exporting the history', () => {
  let files: Array<{ url: string; blob: Blob }>;
  let saved: Array<{ href: string; name: string }>;
  beforeEach(() => {
    files = [];
    saved = [];
    // jsdom has no object URLs and does not save files: record what the page hands over.
    Object.defineProperty(URL, 'createObjectURL', {
      configurable: true,
      value: (blob: Blob) => {
        const url = `blob:pathwise/${files.length + 1}`;
        files.push({ url, blob });
        return url;
      },
    });
    Object.defineProperty(URL, 'revokeObjectURL', { configurable: true, value: () => undefined });
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, name: this.download });
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    Reflect.deleteProperty(URL, 'createObjectURL');
    Reflect.deleteProperty(URL, 'revokeObjectURL');
  });

  it('downloads the table’s rows as the CLI’s CSV, and as JSON', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'usage', 'Usage & cost');
    const section = await history();
    await within(section).findByRole('table', { name: 'Usage by day' });
    await user.click(within(section).getByRole('button', { name: 'Export CSV' }));
    expect(saved).toEqual([{ href: 'blob:pathwise/1', name: `pathwise-usage-days-${today()}.csv` }]);
    expect(files[0]?.blob.type).toBe('text/csv');
    const lines = (await read(files[0]?.blob)).trimEnd().split('\n');
    // The columns `pathwise usage --export csv` writes, then a line per row of the table.
    expect(lines[0]).toBe(
      'path,label,start,end,appBytes,allBytes,estimatedBytes,adjustedBytes,cost,currency',
    );
    const rows = await periods(api, 'day');
    expect(lines).toHaveLength(1 + rows.length);
    const first = rows[0] as UsagePeriod;
    expect(lines[1]).toBe(
      [
        first.path,
        first.label,
        first.start,
        first.end,
        first.appBytes,
        first.allBytes,
        first.estimatedBytes,
        first.adjustedBytes,
        first.cost ?? '',
        first.currency ?? '',
      ].join(','),
    );

    await user.click(within(section).getByRole('radio', { name: 'Cycles' }));
    await within(section).findByRole('table', { name: 'Usage by billing cycle' });
    await user.click(within(section).getByRole('button', { name: 'Export JSON' }));
    expect(saved[1]?.name).toBe(`pathwise-usage-cycles-${today()}.json`);
    expect(files[1]?.blob.type).toBe('application/json');
    expect(JSON.parse(await read(files[1]?.blob))).toEqual(await periods(api, 'cycle'));
  });
});
