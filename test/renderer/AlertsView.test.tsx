import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

describe('Alerts', () => {
  it('lists alerts newest first, unread marked', async () => {
    await renderAt(FakeApi.withScenario(), 'alerts', 'Alerts');
    const list = await screen.findByRole('list', { name: 'Alerts' });
    const items = within(list).getAllByRole('listitem');
    expect(items[0]).toHaveAccessibleName('Unread: wwan0 is on pace to exceed its 10 GB cap');
    expect(items).toHaveLength(5);
    expect(within(list).getByRole('listitem', { name: 'quarterly-report.pdf failed' })).toHaveTextContent(
      '404',
    );
  });

  it('marks one or all alerts read through alerts.markRead', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'alerts', 'Alerts');
    await user.click(
      await screen.findByRole('button', { name: 'Mark "wwan0 has used 75% of its plan" as read' }),
    );
    expect(api.callsTo('alerts.markRead')).toEqual([[['a2']]]);
    expect(
      await screen.findByRole('listitem', { name: 'wwan0 has used 75% of its plan' }),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Mark all read' }));
    expect(api.callsTo('alerts.markRead')[1]).toEqual([['a1']]);
    expect(await screen.findByRole('button', { name: 'Mark all read' })).toBeDisabled();
  });

  it('filters to unread, and says when all are read', async () => {
    const api = FakeApi.withScenario();
    for (const a of api.s.alerts) a.read = true;
    const user = userEvent.setup();
    await renderAt(api, 'alerts', 'Alerts');
    await screen.findByRole('list', { name: 'Alerts' });
    await user.click(screen.getByRole('radio', { name: /Unread/ }));
    expect(screen.getByText('All caught up')).toBeInTheDocument();
  });

  it('adds a pushed alert at the top', async () => {
    const api = FakeApi.withScenario();
    await renderAt(api, 'alerts', 'Alerts');
    await screen.findByRole('list', { name: 'Alerts' });
    act(() =>
      api.push('alert', {
        id: 'a9',
        kind: 'unexpected-cellular',
        severity: 'warning',
        path: 'wwan0',
        transferId: null,
        title: 'Cellular used while Wi-Fi was up',
        message: '120 MB went over wwan0 in the last hour.',
        at: Date.now(),
        read: false,
      }),
    );
    expect(
      within(screen.getByRole('list', { name: 'Alerts' })).getAllByRole('listitem')[0],
    ).toHaveAccessibleName('Unread: Cellular used while Wi-Fi was up');
  });

  it('explains an empty list, and stays calm without a ledger', async () => {
    const api = FakeApi.withScenario();
    api.s.alerts = [];
    const { unmount } = await renderAt(api, 'alerts', 'Alerts');
    expect(await screen.findByText('No alerts')).toBeInTheDocument();
    unmount();
    await renderAt(FakeApi.withScenario().unavailable('alerts.list'), 'alerts', 'Alerts');
    expect(await screen.findByText('Alerts are not available')).toBeInTheDocument();
  });
});
