import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { PathUsage } from '../../common/contract.ts';
import { formatRate } from '../../common/format.ts';
import { biggestFirst, liveAxes } from '../../renderer/src/lib/ticks.ts';
import { FakeApi, path } from './fakeApi.ts';
import { renderAt } from './render.tsx';
import { throughputSamples } from './scenario.ts';

const MB = 1e6;
type ScenarioApi = ReturnType<typeof FakeApi.withScenario>;

function usageOf(api: ScenarioApi, name: string): PathUsage {
  const usage = api.s.usage.paths.find((p) => p.name === name);
  if (!usage) throw new Error(`no ${name} in the scenario`);
  return usage;
}

/** wwan0 on a 50 MB plan that stops at the cap, having used `used`. */
function cappedAt(used: number): ScenarioApi {
  const api = FakeApi.withScenario();
  Object.assign(usageOf(api, 'wwan0'), { capBytes: 50 * MB, allBytes: used, forecastBytes: used });
  Object.assign(api.s.settings.plans['wwan0'] ?? {}, { capBytes: 50 * MB, atCap: 'stop' });
  for (const p of api.s.usage.paths) if (p.name !== 'wwan0') p.capBytes = null;
  return api;
}

describe('A cap: near it, and reached (issue 24)', () => {
  it('says "Near a data cap" only below the cap, "Data cap reached" at or over it', async () => {
    await renderAt(cappedAt(40 * MB), 'overview', 'Overview');
    expect(await screen.findByText('Near a data cap')).toBeInTheDocument();
  });

  it('says at 101 % that the cap is reached and what Pathwise does there', async () => {
    await renderAt(cappedAt(50.5 * MB), 'overview', 'Overview');
    expect(await screen.findByText('Data cap reached')).toBeInTheDocument();
    expect(screen.queryByText('Near a data cap')).not.toBeInTheDocument();
    expect(
      screen.getByText(/wwan0 is at its 50 MB cap: Pathwise no longer uses it until/),
    ).toBeInTheDocument();
  });

  it('says at 99 % that the cap is near, and at 100 % that it is reached', async () => {
    const { unmount } = await renderAt(cappedAt(49.5 * MB), 'overview', 'Overview');
    expect(await screen.findByText('Near a data cap')).toBeInTheDocument();
    unmount();
    await renderAt(cappedAt(50 * MB), 'overview', 'Overview');
    expect(await screen.findByText('Data cap reached')).toBeInTheDocument();
    expect(
      screen.getByText(/^wwan0 is at its 50 MB cap: Pathwise no longer uses it until /),
    ).toBeInTheDocument();
  });

  it('says what a plan that slows at its cap does there', async () => {
    const api = cappedAt(50.5 * MB);
    Object.assign(api.s.settings.plans['wwan0'] ?? {}, { atCap: 'rate-limit', rateLimitBps: 125_000 });
    await renderAt(api, 'overview', 'Overview');
    expect(await screen.findByText('Data cap reached')).toBeInTheDocument();
    expect(
      screen.getByText(/^wwan0 is at its 50 MB cap: Pathwise slows its own use of it until /),
    ).toBeInTheDocument();
  });

  it('badges a capped path’s card', async () => {
    await renderAt(cappedAt(50 * MB), 'overview', 'Overview');
    const grid = await screen.findByRole('list', { name: 'Network paths' });
    expect(
      within(within(grid).getByRole('listitem', { name: 'wwan0' })).getByText('Cap reached'),
    ).toHaveClass('badge');
    expect(within(grid).getByRole('listitem', { name: 'wlan0' })).not.toHaveTextContent('Cap reached');
  });

  it('forecasts a plan that stops at its cap as reaching it, never as going over', async () => {
    const api = cappedAt(40 * MB);
    Object.assign(usageOf(api, 'wwan0'), {
      forecast: { lowBytes: 50 * MB, highBytes: 50 * MB, lowCost: 0.5, highCost: 0.5 },
    });
    await renderAt(api, 'usage', 'Usage & cost');
    const card = await screen.findByRole('article', { name: 'wwan0 forecast' });
    expect(card).toHaveTextContent('Reaches the cap');
    expect(card).toHaveTextContent(/reaches its 50\.0 MB cap by .*, where Pathwise stops using it/);
    expect(card).not.toHaveTextContent(/Over cap|May pass/);
  });
});

describe('A plan that stops at its cap, once there (issue 24)', () => {
  it('says the cap is reached rather than forecasting past it', async () => {
    const api = cappedAt(50.5 * MB);
    usageOf(api, 'wwan0').forecast = null;
    await renderAt(api, 'usage', 'Usage & cost');
    const card = await screen.findByRole('article', { name: 'wwan0 forecast' });
    expect(card).toHaveTextContent('Cap reached');
    expect(card).toHaveTextContent('at its 50.0 MB cap: Pathwise uses it no more this cycle');
  });
});

describe('A path that is down (issue 24)', () => {
  it('shows no rates, though its last sample had some', async () => {
    const api = new FakeApi();
    api.paths = [path({ name: 'wlan0', up: false, rxRate: 1_100_000 / 8, txRate: 20_000 })];
    await renderAt(api, 'overview', 'Overview');
    act(() => {
      for (const sample of throughputSamples(Date.now(), 3)) api.push('throughput', sample);
    });
    const card = await screen.findByRole('listitem', { name: 'wlan0' });
    expect(card).toHaveTextContent('Down');
    expect(card).not.toHaveTextContent(/bit\/s/);
    expect(card).not.toHaveTextContent(formatRate(1_100_000 / 8));
  });
});

describe('Alerts: the right path, and the way on (issue 24)', () => {
  it('names the path that failed, not the one its work moved to', async () => {
    const api = FakeApi.withScenario();
    api.s.alerts = [
      {
        id: 'f1',
        kind: 'handover',
        severity: 'info',
        path: 'wwan0',
        transferId: null,
        title: 'wlan0 failed',
        message: 'file.bin lost wlan0; wwan0 carried on.',
        at: Date.now(),
        read: false,
      },
    ];
    await renderAt(api, 'alerts', 'Alerts');
    const item = await screen.findByRole('listitem', { name: 'Unread: wlan0 failed' });
    expect(within(item).getByText('wlan0', { selector: '.cell-path' })).toBeInTheDocument();
    expect(within(item).queryByText('wwan0', { selector: '.cell-path' })).not.toBeInTheDocument();
  });

  it('opens the plan editor from a cap alert', async () => {
    const user = userEvent.setup();
    await renderAt(FakeApi.withScenario(), 'alerts', 'Alerts');
    await user.click(
      await screen.findByRole('button', { name: 'Edit plan: wwan0 is on pace to exceed its 10 GB cap' }),
    );
    await screen.findByRole('heading', { level: 1, name: 'Settings' });
    expect(await screen.findByRole('form', { name: 'Plan for wwan0' })).toBeInTheDocument();
  });

  it('opens the download a finished-download alert is about', async () => {
    const user = userEvent.setup();
    await renderAt(FakeApi.withScenario(), 'alerts', 'Alerts');
    await user.click(
      await screen.findByRole('button', { name: 'Open transfer: router-fw-v3.2.1.bin downloaded' }),
    );
    await screen.findByRole('heading', { level: 1, name: 'Transfers' });
    expect(window.location.hash).toBe('#/transfers?transfer=t-fw');
    const row = await screen.findByRole('listitem', { name: 'router-fw-v3.2.1.bin' });
    expect(row).toHaveClass('is-target');
    expect(row).toHaveFocus();
  });

  it('opens the download by the id the alert carries, not by a file name its words happen to hold', async () => {
    const api = FakeApi.withScenario();
    const fw = api.s.alerts.find((a) => a.id === 'a4');
    // The words name the router firmware; the alert is about the Ubuntu image.
    Object.assign(fw ?? {}, { transferId: 't-iso' });
    const user = userEvent.setup();
    await renderAt(api, 'alerts', 'Alerts');
    await user.click(
      await screen.findByRole('button', { name: 'Open transfer: router-fw-v3.2.1.bin downloaded' }),
    );
    expect(window.location.hash).toBe('#/transfers?transfer=t-iso');
    expect(await screen.findByRole('listitem', { name: 'ubuntu-24.04.2-desktop-amd64.iso' })).toHaveClass(
      'is-target',
    );
  });

  it('offers no transfer to open for an alert stored before alerts named theirs, nor one whose download is gone', async () => {
    const api = FakeApi.withScenario();
    for (const a of api.s.alerts) {
      if (a.id === 'a4') a.transferId = null; // an old alert: its words still name a listed file
      if (a.id === 'a5') a.transferId = 't-removed';
    }
    await renderAt(api, 'alerts', 'Alerts');
    const done = await screen.findByRole('listitem', { name: 'router-fw-v3.2.1.bin downloaded' });
    const failed = screen.getByRole('listitem', { name: 'quarterly-report.pdf failed' });
    for (const item of [done, failed]) {
      expect(within(item).queryByRole('button', { name: /^Open transfer/ })).not.toBeInTheDocument();
      expect(within(item).queryByRole('button', { name: /^Open Transfers/ })).not.toBeInTheDocument();
    }
    // The handover still opens its download, by id.
    expect(
      screen.getByRole('button', { name: 'Open transfer: Wi-Fi dropped; downloads continued on wwan0' }),
    ).toBeInTheDocument();
  });
});

describe('Dates in the user’s locale, one style (issue 24)', () => {
  it('names a cycle by its first and last day, and a day of another year with its year', async () => {
    const api = FakeApi.withScenario(new Date(2026, 11, 6, 12).getTime());
    const cycle = { start: new Date(2026, 11, 1).toISOString(), end: new Date(2027, 0, 1).toISOString() };
    api.s.usage.cycle = cycle;
    for (const p of api.s.usage.paths) p.cycle = cycle;
    await renderAt(api, 'usage', 'Usage & cost');
    expect(await screen.findByText('Billing cycle Dec 1 – Dec 31')).toBeInTheDocument();
  });
});

describe('Charts: one Tab stop each, units, labels and an idle floor (issue 24)', () => {
  it('makes the live chart one Tab stop', async () => {
    const api = FakeApi.withScenario();
    await renderAt(api, 'overview', 'Overview');
    act(() => {
      for (const sample of throughputSamples(Date.now(), 30)) api.push('throughput', sample);
    });
    const chart = await screen.findByRole('img', { name: /Live throughput per path/ });
    expect(chart).toHaveAttribute('tabindex', '0');
    expect(chart.querySelectorAll('[tabindex]:not([tabindex="-1"])')).toHaveLength(0);
  });

  it('labels the rate axis with units, never twice the same, over an idle floor, with time labels', () => {
    const now = 1_800_000_000_000;
    // Twenty seconds of a five-minute window at 8–24 kbit/s: background chatter.
    const rows = Array.from({ length: 20 }, (_, i) => ({
      t: now - (19 - i) * 1000,
      wlan0: 8000 + (i % 3) * 8000,
    }));
    const axes = liveAxes(rows, ['wlan0'], 300_000);
    const labels = axes.rateTicks.map(axes.rateLabel);
    expect(labels).toEqual(['0', '0.25 Mbit/s', '0.5 Mbit/s', '0.75 Mbit/s', '1 Mbit/s']);
    expect(axes.domain).toEqual([now - 300_000, now]);
    expect(axes.timeTicks.length).toBeGreaterThanOrEqual(5);
    // A busy link: ticks in one unit, none repeated (once "3k, 3k, 2k").
    const busy = liveAxes([{ t: now, a: 38e6, b: 19e6 }], ['a', 'b'], 60_000);
    const busyLabels = busy.rateTicks.map(busy.rateLabel);
    expect(busyLabels).toEqual(['0', '10 Mbit/s', '20 Mbit/s', '30 Mbit/s', '40 Mbit/s']);
  });

  it('draws the biggest path first, so a smaller one is never hidden behind it', () => {
    const rows = [
      { t: 1, wlan0: 30, wwan0: 10 },
      { t: 2, wlan0: 40, wwan0: 5 },
    ];
    expect(biggestFirst(rows, ['wwan0', 'wlan0'])).toEqual(['wlan0', 'wwan0']);
  });
});

describe('Recent traffic opens on a range with data (issue 24)', () => {
  it('opens on 7 days when the last traffic was three days ago', async () => {
    const api = FakeApi.withScenario();
    const cut = Date.now() - 3 * 86_400_000;
    api.s.history.minute = api.s.history.minute.filter((p) => p.t < cut);
    api.s.history.hour = api.s.history.hour.filter((p) => p.t < cut - 3_600_000);
    await renderAt(api, 'usage', 'Usage & cost');
    expect(
      await screen.findByRole('img', { name: /Traffic per hour over the last 7 days/ }),
    ).toBeInTheDocument();
    expect(screen.getByRole('radio', { name: '7 days' })).toBeChecked();
  });
});
