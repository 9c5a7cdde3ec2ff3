import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PathInfo } from '../../common/contract.ts';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

const PORTAL = 'http://portal.lab/login?continue=generate_204';

function withHealth(api: FakeApi, name: string, health: NonNullable<PathInfo['health']>): void {
  api.paths = api.paths.map((p) => (p.name === name ? { ...p, health } : p));
  act(() => api.push('paths', api.paths));
}

async function card(name: string): Promise<HTMLElement> {
  const grid = await screen.findByRole('list', { name: 'Network paths' });
  return within(grid).getByRole('listitem', { name });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('PathCard: the health verdict (issue 23)', () => {
  it('shows a weak path and a suspect one with their reasons', async () => {
    const api = FakeApi.withScenario();
    await renderAt(api, 'overview', 'Overview');
    const reason =
      'Slow: a download gets 1.0 Mbit/s over wlan0, under 1/8 of the 40 Mbit/s it got in the last minute.';
    withHealth(api, 'wlan0', { status: 'degraded', rttMs: 20, checkedAt: 1, detail: reason });
    const wlan = await card('wlan0');
    expect(wlan).toHaveTextContent('Degraded');
    expect(within(wlan).getByText('Weak')).toHaveAttribute('title', reason);
    expect(wlan).toHaveTextContent(reason);
    withHealth(api, 'wlan0', {
      status: 'suspect',
      rttMs: 20,
      checkedAt: 1,
      detail: 'No data arrived over wlan0 for 1.1 s.',
    });
    expect(await card('wlan0')).toHaveTextContent('Checking…');
    expect(await card('wlan0')).toHaveTextContent('No data arrived over wlan0 for 1.1 s.');
    expect(
      within(await card('wlan0')).queryByRole('button', { name: 'Open login page' }),
    ).not.toBeInTheDocument();
  });

  it('behind a portal: "Open login page" asks the core for the page, and a browser tab opens it itself', async () => {
    const api = FakeApi.withScenario();
    api.handlers['paths.openPortal'] = () => ({ url: PORTAL, opened: false });
    const open = vi.spyOn(window, 'open').mockReturnValue(null);
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    withHealth(api, 'wlan0', {
      status: 'captive',
      rttMs: 12,
      checkedAt: 1,
      detail: 'Redirected to portal.lab: a sign-in page is likely.',
      portalUrl: PORTAL,
    });
    const wlan = await card('wlan0');
    expect(wlan).toHaveTextContent('Sign-in required');
    await user.click(within(wlan).getByRole('button', { name: 'Open login page' }));
    expect(api.callsTo('paths.openPortal')).toEqual([['wlan0']]);
    expect(open).toHaveBeenCalledWith(PORTAL, '_blank', 'noopener,noreferrer');
  });

  it('in the desktop app the shell opened it already; a page that is not http(s) is never opened', async () => {
    const api = FakeApi.withScenario(Date.now(), 'electron');
    let answer = { url: PORTAL, opened: true };
    api.handlers['paths.openPortal'] = () => answer;
    const open = vi.spyOn(window, 'open').mockReturnValue(null);
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    withHealth(api, 'wlan0', { status: 'captive', rttMs: 12, checkedAt: 1, portalUrl: PORTAL });
    const button = within(await card('wlan0')).getByRole('button', { name: 'Open login page' });
    await user.click(button);
    expect(open).not.toHaveBeenCalled();
    answer = { url: 'javascript:alert(1)', opened: false };
    await user.click(button);
    expect(open).not.toHaveBeenCalled();
    expect(within(await card('wlan0')).getByRole('alert')).toHaveTextContent('will not open');
  });
});
