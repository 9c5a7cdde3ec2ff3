import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

describe('Usage & cost', () => {
  it('tabulates each path’s cycle: all traffic, Pathwise’s share, cap, forecast and cost', async () => {
    const api = FakeApi.withScenario();
    await renderAt(api, 'usage', 'Usage & cost');
    const table = await screen.findByRole('table', { name: 'This cycle' });
    const wwan = within(table).getByRole('row', { name: /wwan0/ });
    const usage = api.s.usage.paths.find((p) => p.name === 'wwan0');
    expect(wwan).toHaveTextContent(`$${usage?.cost.toFixed(2)}`);
    expect(within(wwan).getByRole('meter')).toHaveAttribute('aria-valuemax', String(10e9));
    // A path with no priced plan has no cost, shown as a dash rather than a made-up zero.
    expect(within(table).getByRole('row', { name: /wlan0/ })).toHaveTextContent('No cap');
    expect(screen.getByText(/Billing cycle/)).toBeInTheDocument();
  });

  it('draws usage by day and a forecast per capped path, warning when the pace breaks the cap', async () => {
    const api = FakeApi.withScenario();
    const [wwan, usb] = ['wwan0', 'usb0'].map((n) => api.s.usage.paths.find((p) => p.name === n));
    if (!wwan || !usb) throw new Error('scenario paths');
    Object.assign(wwan, { allBytes: 6e9, forecastBytes: 11.5e9 });
    wwan.forecast = { lowBytes: 11e9, highBytes: 12.5e9, lowCost: 20, highCost: 25 };
    Object.assign(usb, { allBytes: 1e9, forecastBytes: 3e9 });
    usb.forecast = { lowBytes: 2.5e9, highBytes: 4e9, lowCost: 5, highCost: 8 };
    await renderAt(api, 'usage', 'Usage & cost');
    expect(await screen.findByRole('img', { name: /Usage by day for \d+ days/ })).toBeInTheDocument();
    const forecast = screen.getByRole('article', { name: 'wwan0 forecast' });
    // Even the low end of the range is over the 10 GB cap: by how much, as a range.
    expect(forecast).toHaveTextContent('Over cap by 1.0–2.5 GB');
    expect(screen.getByRole('article', { name: 'usb0 forecast' })).toHaveTextContent('On track');
    expect(screen.queryByRole('article', { name: 'wlan0 forecast' })).not.toBeInTheDocument();
  });

  it('asks the ledger for day totals over the cycle, and opens recent traffic on the last 6 h', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'usage', 'Usage & cost');
    // The last week by hour says where there is traffic: the scenario's goes on up to now.
    await screen.findByRole('img', { name: /Traffic per minute over the last 6 h/ });
    const queries = api.callsTo('usage.history').map(([q]) => q as { resolution: string });
    expect(queries.map((q) => q.resolution).sort()).toEqual(['day', 'hour', 'minute']);
    await user.click(screen.getByRole('radio', { name: '7 days' }));
    expect(
      await screen.findByRole('img', { name: /Traffic per hour over the last 7 days/ }),
    ).toBeInTheDocument();
  });

  it('shows battery impact per path with the measured discharge', async () => {
    await renderAt(FakeApi.withScenario(), 'usage', 'Usage & cost');
    const energy = await screen.findByRole('list', { name: 'Energy per path' });
    expect(within(energy).getByText('wwan0').closest('li')).toHaveTextContent(/4\.70 Wh.*8\.4% of battery/);
    expect(screen.getByText(/Drawing 9\.4 W now \(measured\)/)).toBeInTheDocument();
  });
});

describe('Usage & cost: no battery, no usage, no ledger', () => {
  it('says there is no battery on a desktop machine', async () => {
    const api = FakeApi.withScenario();
    api.s.battery = {
      present: false,
      percent: null,
      charging: false,
      acConnected: true,
      capacityWh: null,
      dischargeW: null,
    };
    api.s.usage.battery = api.s.battery;
    await renderAt(api, 'usage', 'Usage & cost');
    expect(await screen.findByText('No battery')).toBeInTheDocument();
  });

  it('explains an empty cycle', async () => {
    const api = FakeApi.withScenario();
    api.s.usage.paths = [];
    await renderAt(api, 'usage', 'Usage & cost');
    expect(await screen.findByText('No usage recorded yet')).toBeInTheDocument();
    expect(screen.getByText(/Set a plan for a metered path in Settings/)).toBeInTheDocument();
  });

  it('stays calm when the ledger is not running', async () => {
    await renderAt(
      FakeApi.withScenario().unavailable('usage.summary', 'usage.history'),
      'usage',
      'Usage & cost',
    );
    expect(await screen.findByText('Usage is not being recorded')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
