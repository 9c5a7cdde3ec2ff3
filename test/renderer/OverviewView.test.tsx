import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { PathUsage } from '../../common/contract.ts';
import { formatBytes, formatRate } from '../../common/format.ts';
import { coded, FakeApi, path } from './fakeApi.ts';
import { renderAt } from './render.tsx';
import { throughputSamples } from './scenario.ts';

describe('Overview: path cards', () => {
  it('shows a card per network path with type, status, badges, rates, latency and usage vs cap', async () => {
    await renderAt(FakeApi.withScenario(), 'overview', 'Overview');
    const grid = await screen.findByRole('list', { name: 'Network paths' });
    const wlan = within(grid).getByRole('listitem', { name: 'wlan0' });
    expect(wlan).toHaveTextContent('Wi-Fi · Café Lumen');
    expect(wlan).toHaveTextContent('Online');
    expect(wlan).toHaveTextContent('23 ms');
    expect(wlan).toHaveTextContent('no cap set');
    const wwan = within(grid).getByRole('listitem', { name: 'wwan0' });
    expect(wwan).toHaveTextContent('Cellular');
    expect(wwan).toHaveTextContent('Metered');
    expect(within(wwan).getByRole('meter', { name: 'wwan0 data used of its cap' })).toHaveAttribute(
      'aria-valuetext',
      expect.stringMatching(/of 10\.0 GB/),
    );
    expect(within(grid).getByRole('listitem', { name: 'usb0' })).toHaveTextContent('Degraded');
    // Loopback is not a network path: listed apart, not as a card.
    expect(within(grid).queryByRole('listitem', { name: 'lo' })).not.toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Other interfaces' })).toHaveTextContent('127.0.0.1');
  });

  it('sets a path’s preference through paths.setPreference and shows the answer', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    const card = await screen.findByRole('listitem', { name: 'wwan0' });
    const group = within(card).getByRole('group', { name: 'How Pathwise uses wwan0' });
    expect(within(group).getByRole('radio', { name: 'Secondary' })).toBeChecked();
    await user.click(within(group).getByRole('radio', { name: 'Never' }));
    expect(api.callsTo('paths.setPreference')).toEqual([['wwan0', 'never']]);
    expect(await within(group).findByRole('radio', { name: 'Never' })).toBeChecked();
  });

  it('changes preference with arrow keys, like any radio group, saving where they stop', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    const card = await screen.findByRole('listitem', { name: 'usb0' });
    within(card).getByRole('radio', { name: 'Backup' }).focus();
    await user.keyboard('{ArrowRight}');
    expect(within(card).getByRole('radio', { name: 'Never' })).toBeChecked();
    expect(api.callsTo('paths.setPreference')).toEqual([]);
    await user.keyboard('{Enter}');
    expect(api.callsTo('paths.setPreference')).toEqual([['usb0', 'never']]);
  });

  it('says why a preference change failed, next to the control', async () => {
    const api = FakeApi.withScenario().failing(
      'paths.setPreference',
      coded('E_BAD_SETTINGS', 'Settings could not be saved: disk full.'),
    );
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    const card = await screen.findByRole('listitem', { name: 'wlan0' });
    await user.click(within(card).getByRole('radio', { name: 'Backup' }));
    expect(await within(card).findByRole('alert')).toHaveTextContent('disk full');
  });

  it('follows pushes: a path going down and a new one appearing', async () => {
    const api = new FakeApi();
    api.paths = [path({ name: 'wlan0', addresses: ['198.18.1.2'] })];
    await renderAt(api, 'overview', 'Overview');
    await screen.findByRole('listitem', { name: 'wlan0' });
    act(() =>
      api.push('paths', [
        path({ name: 'wlan0', up: false }),
        path({ name: 'usb0', type: 'tether', metered: true, addresses: ['172.20.10.4'] }),
      ]),
    );
    expect(screen.getByRole('listitem', { name: 'usb0' })).toHaveTextContent('Phone tether');
    expect(screen.getByRole('listitem', { name: 'wlan0' })).toHaveTextContent('Down');
  });
});

describe('Overview: live throughput, and when there is nothing to show', () => {
  it('draws live throughput once samples arrive, and summarises it for screen readers', async () => {
    const api = FakeApi.withScenario();
    await renderAt(api, 'overview', 'Overview');
    expect(await screen.findByText('Waiting for live samples')).toBeInTheDocument();
    act(() => {
      for (const sample of throughputSamples(Date.now(), 30)) api.push('throughput', sample);
    });
    const chart = await screen.findByRole('img', {
      name: /Live throughput per path\. Now: usb0 .*wlan0 .*Mbit\/s/,
    });
    expect(chart).toBeInTheDocument();
    await userEvent.setup().click(screen.getByRole('radio', { name: 'Pathwise' }));
    expect(screen.getByText(/What Pathwise moves on each path/)).toBeInTheDocument();
  });

  it('tells the user what to do when there are no network paths', async () => {
    await renderAt(new FakeApi(), 'overview', 'Overview');
    expect(await screen.findByText('No network paths found')).toBeInTheDocument();
    expect(screen.getByText(/Connect Wi-Fi or Ethernet/)).toBeInTheDocument();
  });

  it('shows an error with a retry when the core cannot be reached, and recovers', async () => {
    const api = new FakeApi();
    api.failWith = coded('E_DISCONNECTED', 'Could not reach Pathwise.');
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not reach Pathwise.');
    api.failWith = undefined;
    api.paths = [path({ name: 'wlan0', addresses: ['198.18.1.2'] })];
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('listitem', { name: 'wlan0' })).toBeInTheDocument();
  });
});

describe('Overview: a VPN counted once (issue 20 case 12)', () => {
  /** The scenario plus a VPN over wlan0 moving 5 MB/s, its cycle's 3 GB listed under it. */
  function withVpn(totalBytes?: number): FakeApi & { s: ReturnType<typeof FakeApi.withScenario>['s'] } {
    const api = FakeApi.withScenario();
    api.paths = [
      ...api.paths,
      path({ name: 'tun0', type: 'vpn', ridesOn: 'wlan0', addresses: ['198.18.200.2'], rxRate: 5_000_000 }),
      path({ name: 'wg0', type: 'vpn', ridesOn: null, addresses: ['198.18.201.2'], rxRate: 0 }),
    ];
    const wlan0 = api.s.usage.paths[0] as PathUsage;
    api.s.usage = {
      ...api.s.usage,
      paths: [...api.s.usage.paths, { ...wlan0, name: 'tun0', allBytes: 3e9, appBytes: 0, ridesOn: 'wlan0' }],
      ...(totalBytes === undefined ? {} : { totalBytes }),
    };
    return api;
  }

  const stat = (label: string): HTMLElement => screen.getByText(label).parentElement as HTMLElement;

  it('sums this cycle and the download rate over physical paths only', async () => {
    const api = withVpn();
    await renderAt(api, 'overview', 'Overview');
    const physical = api.s.usage.paths.filter((p) => p.ridesOn === undefined);
    const cycle = physical.reduce((sum, p) => sum + p.allBytes, 0);
    await waitFor(() => expect(stat('This billing cycle')).toHaveTextContent(formatBytes(cycle)));
    expect(stat('This billing cycle')).toHaveTextContent('a VPN’s bytes count in the path it rides on');
    // wlan0 8.4 MB/s + wwan0 3.1 MB/s + usb0 0; tun0's 5 MB/s crossed wlan0 already.
    expect(stat('Download now')).toHaveTextContent(formatRate(11_500_000));
  });

  it('shows the ledger’s own total when it gives one', async () => {
    await renderAt(withVpn(123e9), 'overview', 'Overview');
    await waitFor(() => expect(stat('This billing cycle')).toHaveTextContent(formatBytes(123e9)));
  });

  it('lists the VPN with its own traffic, saying what it rides on', async () => {
    await renderAt(withVpn(), 'overview', 'Overview');
    const grid = await screen.findByRole('list', { name: 'Network paths' });
    const tun = within(grid).getByRole('listitem', { name: 'tun0' });
    expect(tun).toHaveTextContent('VPN · over wlan0');
    await waitFor(() => expect(tun).toHaveTextContent(formatBytes(3e9)));
    expect(tun).toHaveTextContent('Also counted on wlan0; not again in totals');
    expect(within(grid).getByRole('listitem', { name: 'wg0' })).toHaveTextContent('VPN · over another path');
  });
});
