import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { PathUsage } from '../../common/contract.ts';
import { forecastRows } from '../../renderer/src/lib/usageSeries.ts';
import { coded, FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

/** A scenario whose cycle is December 2026, so "by" names its last day: 31 Dec. */
function december(): ReturnType<typeof FakeApi.withScenario> {
  const api = FakeApi.withScenario();
  const cycle = { start: new Date(2026, 11, 1).toISOString(), end: new Date(2027, 0, 1).toISOString() };
  api.s.usage.cycle = cycle;
  for (const p of api.s.usage.paths) {
    p.cycle = cycle;
    delete p.estimatedBytes;
    delete p.adjustedBytes;
  }
  return api;
}

function usageOf(api: ReturnType<typeof FakeApi.withScenario>, name: string): PathUsage {
  const usage = api.s.usage.paths.find((p) => p.name === name);
  if (!usage) throw new Error(`no ${name} in the scenario`);
  return usage;
}

async function cycleRow(name: string): Promise<HTMLElement> {
  const table = await screen.findByRole('table', { name: 'This cycle' });
  return within(table).getByRole('row', { name });
}

describe('Usage & cost: what the figures are', () => {
  it('shows the forecast as a range with its cost, by the cycle’s last day', async () => {
    const api = december();
    Object.assign(usageOf(api, 'wwan0'), {
      allBytes: 0.6e9,
      forecastBytes: 1.4e9,
      forecast: { lowBytes: 1.2e9, highBytes: 1.6e9, lowCost: 16.2, highCost: 18.4 },
    });
    await renderAt(api, 'usage', 'Usage & cost');
    const row = await cycleRow('wwan0');
    expect(row).toHaveTextContent('1.2–1.6 GB by Dec 31');
    expect(row).toHaveTextContent('$16.20–$18.40');
    // The single "likeliest" figure is not presented as the forecast.
    expect(row).not.toHaveTextContent('1.4 GB');
    expect(screen.getByRole('article', { name: 'wwan0 forecast' })).toHaveTextContent(
      '600 MB used · forecast 1.2–1.6 GB by Dec 31 · $16.20–$18.40',
    );
  });

  it('warns that a path may pass its cap when only the top of the range is over it', async () => {
    const api = december();
    Object.assign(usageOf(api, 'wwan0'), {
      allBytes: 4e9,
      forecastBytes: 9.6e9,
      forecast: { lowBytes: 8.9e9, highBytes: 10.4e9, lowCost: 20, highCost: 22 },
    });
    await renderAt(api, 'usage', 'Usage & cost');
    const card = await screen.findByRole('article', { name: 'wwan0 forecast' });
    expect(card).toHaveTextContent('May pass the cap');
    expect(card).not.toHaveTextContent(/Over cap|On track/);
  });

  it('says why there is no forecast instead of extrapolating: no full day yet, or a sliding window', async () => {
    const api = december();
    // The ledger's forecastBytes is then the use so far; nothing may be drawn from it.
    Object.assign(usageOf(api, 'wwan0'), { allBytes: 0.5e9, forecastBytes: 0.5e9, forecast: null });
    Object.assign(usageOf(api, 'usb0'), { allBytes: 0.2e9, forecastBytes: 0.2e9, forecast: null });
    await renderAt(api, 'usage', 'Usage & cost');
    const wwan = await cycleRow('wwan0');
    expect(wwan).toHaveTextContent('No forecast yet');
    expect(wwan).toHaveTextContent('Not a full day of data yet');
    // usb0's plan is a sliding 30-day window: there is no end to forecast to.
    const usb = await cycleRow('usb0');
    expect(usb).toHaveTextContent('A sliding window has no end');
    expect(usb).not.toHaveTextContent(/by Dec/);
    const card = screen.getByRole('article', { name: 'usb0 forecast' });
    expect(card).toHaveTextContent(
      'A sliding 30-day window has no end date, so there is nothing to forecast',
    );
    expect(card).not.toHaveTextContent('On track');
    expect(screen.getByRole('article', { name: 'wwan0 forecast' })).toHaveTextContent(
      /Not a full day of data yet: the forecast starts once a whole day has been counted/,
    );
  });
});

describe('Usage & cost: estimates, corrections and fees', () => {
  it('marks partly estimated bytes, shows a correction as one and splits the cost into fee and per GB', async () => {
    const api = december();
    Object.assign(usageOf(api, 'wlan0'), { allBytes: 2e9, estimatedBytes: 240e6 });
    Object.assign(usageOf(api, 'wwan0'), {
      allBytes: 3e9,
      adjustedBytes: -150e6,
      cost: 18,
      feeCost: 15,
      currency: 'USD',
    });
    await renderAt(api, 'usage', 'Usage & cost');
    const wlan = await cycleRow('wlan0');
    expect(wlan).toHaveTextContent('~2.0 GB');
    expect(wlan).toHaveTextContent('~240 MB estimated');
    // The mark points at its explanation.
    const marked = within(wlan).getByText('~2.0 GB', { exact: false });
    expect(marked).toHaveAccessibleDescription(/counted while Pathwise was closed/);
    const wwan = await cycleRow('wwan0');
    expect(wwan).toHaveTextContent('3.0 GB');
    expect(wwan).not.toHaveTextContent('~3.0 GB');
    expect(wwan).toHaveTextContent('−150 MB correction');
    expect(wwan).toHaveTextContent('$18.00');
    expect(wwan).toHaveTextContent('$15.00 fee + $3.00 per GB');
    const section = screen.getByRole('region', { name: 'This cycle' });
    expect(within(section).getByText(/match your carrier’s figure, or a reset/)).toBeInTheDocument();
  });
});

describe('Usage & cost: corrections from the dashboard', () => {
  it('corrects a path to the carrier’s figure through usage.correct, checking the size first', async () => {
    const api = december();
    Object.assign(usageOf(api, 'wwan0'), { allBytes: 4.1e9 });
    const user = userEvent.setup();
    await renderAt(api, 'usage', 'Usage & cost');
    const periodsAsked = api.callsTo('usage.periods').length;
    await user.click(within(await cycleRow('wwan0')).getByRole('button', { name: 'Correct wwan0’s count' }));
    const form = screen.getByRole('form', { name: 'Correct wwan0 to the carrier’s figure' });
    const figure = within(form).getByLabelText('Carrier’s figure for this cycle');
    await user.type(figure, 'lots');
    await user.click(within(form).getByRole('button', { name: 'Set to carrier’s figure' }));
    expect(within(form).getByText(/Write the figure as a size/)).toBeInTheDocument();
    expect(api.callsTo('usage.correct')).toEqual([]);

    await user.clear(figure);
    await user.type(figure, '3.2 GB');
    expect(within(form).getByRole('status')).toHaveTextContent(
      'Pathwise counted 4.1 GB; this stores a correction of −900 MB.',
    );
    await user.click(within(form).getByRole('button', { name: 'Set to carrier’s figure' }));
    expect(api.callsTo('usage.correct')).toEqual([[{ path: 'wwan0', bytes: 3.2e9 }]]);
    expect(
      await screen.findByText(
        'wwan0: this cycle’s count is now 3.2 GB (an adjustment of −900 MB; what Pathwise measured is kept).',
      ),
    ).toBeInTheDocument();
    const row = await cycleRow('wwan0');
    expect(row).toHaveTextContent('3.2 GB');
    expect(row).toHaveTextContent('−900 MB correction');
    expect(screen.queryByRole('group', { name: 'Correct wwan0’s count' })).not.toBeInTheDocument();
    // The history asks again, so it shows the correction too.
    expect(api.callsTo('usage.periods').length).toBeGreaterThan(periodsAsked);
  });
});

describe('Usage & cost: resetting a cycle from the dashboard', () => {
  it('asks before it resets a cycle, and resets only when confirmed', async () => {
    const api = december();
    Object.assign(usageOf(api, 'usb0'), { allBytes: 1.5e9 });
    const user = userEvent.setup();
    await renderAt(api, 'usage', 'Usage & cost');
    await user.click(within(await cycleRow('usb0')).getByRole('button', { name: 'Correct usb0’s count' }));
    const reset = within(screen.getByRole('group', { name: 'Correct usb0’s count' })).getByRole('button', {
      name: 'Reset this cycle for usb0',
    });
    await user.click(reset);
    const ask = screen.getByRole('group', { name: 'Reset usb0’s cycle' });
    expect(ask).toHaveTextContent(
      /Start usb0’s count for this cycle .* from zero\? It now stands at 1\.5 GB/,
    );
    expect(ask).toHaveTextContent('stored as a correction of −1.5 GB');
    await user.click(within(ask).getByRole('button', { name: 'Cancel' }));
    expect(api.callsTo('usage.reset')).toEqual([]);
    expect(screen.queryByRole('group', { name: 'Reset usb0’s cycle' })).not.toBeInTheDocument();

    // Cancel gave the button back; it asks again.
    await user.click(screen.getByRole('button', { name: 'Reset this cycle for usb0' }));
    await user.click(
      within(screen.getByRole('group', { name: 'Reset usb0’s cycle' })).getByRole('button', {
        name: 'Reset usb0',
      }),
    );
    expect(api.callsTo('usage.reset')).toEqual([[{ path: 'usb0' }]]);
    expect(
      await screen.findByText(/usb0: this cycle’s count is now 0 B \(an adjustment of −1\.5 GB/),
    ).toBeInTheDocument();
    expect(await cycleRow('usb0')).toHaveTextContent('−1.5 GB correction');
  });
});

describe('Usage & cost: a correction the core refuses', () => {
  it('shows the core’s refusal and keeps the figure', async () => {
    const api = december().failing(
      'usage.correct',
      coded('E_LEDGER_BUSY', 'another Pathwise process is writing'),
    );
    const user = userEvent.setup();
    await renderAt(api, 'usage', 'Usage & cost');
    await user.click(within(await cycleRow('wwan0')).getByRole('button', { name: 'Correct wwan0’s count' }));
    const form = screen.getByRole('form', { name: 'Correct wwan0 to the carrier’s figure' });
    await user.type(within(form).getByLabelText('Carrier’s figure for this cycle'), '2GB');
    await user.click(within(form).getByRole('button', { name: 'Set to carrier’s figure' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('another Pathwise process is writing');
    expect(within(form).getByLabelText('Carrier’s figure for this cycle')).toHaveValue('2GB');
  });
});

describe('forecast rows without a forecast', () => {
  it('draw the use so far and no line to the cycle’s end', () => {
    const api = FakeApi.withScenario();
    const wwan = { ...usageOf(api, 'wwan0'), forecast: null };
    const rows = forecastRows(wwan, api.s.history.day, api.s.now);
    expect(rows.at(-1)).toEqual({ t: api.s.now, actual: wwan.allBytes });
    expect(rows.some((r) => r.forecast !== undefined)).toBe(false);
  });
});
