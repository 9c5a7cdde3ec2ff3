import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeApi, path } from './fakeApi.ts';
import { renderAt } from './render.tsx';

describe('App shell', () => {
  it('moves between views from the sidebar with the keyboard, focusing each view’s heading', async () => {
    const user = userEvent.setup();
    await renderAt(FakeApi.withScenario(), 'overview', 'Overview');
    const nav = screen.getByRole('navigation', { name: 'Views' });
    expect(within(nav).getByRole('link', { name: /Overview/ })).toHaveAttribute('aria-current', 'page');
    within(nav)
      .getByRole('link', { name: /Transfers/ })
      .focus();
    await user.keyboard('{Enter}');
    const heading = await screen.findByRole('heading', { level: 1, name: 'Transfers' });
    expect(heading).toHaveFocus();
    expect(window.location.hash).toBe('#/transfers');
    expect(within(nav).getByRole('link', { name: /Transfers/ })).toHaveAttribute('aria-current', 'page');
  });

  it('badges unread alerts and active transfers in the sidebar', async () => {
    await renderAt(FakeApi.withScenario(), 'overview', 'Overview');
    const nav = screen.getByRole('navigation', { name: 'Views' });
    expect(await within(nav).findByLabelText('2 unread')).toHaveTextContent('2');
    expect(within(nav).getByLabelText('1 active')).toHaveTextContent('1');
  });

  it('says in words whether the machine is fine, on cellular, offline or near a cap', async () => {
    const api = new FakeApi();
    api.paths = [path({ name: 'wlan0', addresses: ['198.18.1.2'] })];
    await renderAt(api, 'overview', 'Overview');
    const status = () => screen.getByText(/All good|On cellular|Offline|Near a data cap/);
    await screen.findByText('All good');
    act(() =>
      api.push('paths', [
        path({ name: 'wlan0', up: false }),
        path({ name: 'wwan0', type: 'cellular', metered: true, addresses: ['198.18.2.2'] }),
      ]),
    );
    expect(status()).toHaveTextContent('On cellular');
    act(() => api.push('paths', [path({ name: 'wlan0', up: false })]));
    expect(status()).toHaveTextContent('Offline');
  });

  it('opens on the view named in the address, so a reload keeps the place', async () => {
    await renderAt(FakeApi.withScenario(), 'settings', 'Settings');
    expect(screen.getByRole('link', { name: /Settings/ })).toHaveAttribute('aria-current', 'page');
  });

  it('keeps working with a core that has only its monitor (every other part unavailable)', async () => {
    const api = new FakeApi();
    api.paths = [path({ name: 'eth0', type: 'ethernet', addresses: ['198.18.3.2'] })];
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    await screen.findByRole('listitem', { name: 'eth0' });
    for (const [link, heading, text] of [
      [/Transfers/, 'Transfers', 'Transfers are not available'],
      [/Usage/, 'Usage & cost', 'Usage is not being recorded'],
      [/Continuity/, 'Continuity', 'No continuity timeline'],
      [/Alerts/, 'Alerts', 'Alerts are not available'],
    ] as const) {
      await user.click(screen.getByRole('link', { name: link }));
      await screen.findByRole('heading', { level: 1, name: heading });
      expect(await screen.findByText(text)).toBeInTheDocument();
      // Calm, not an error: nothing is announced as an alert.
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    }
  });
});
