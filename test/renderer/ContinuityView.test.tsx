import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

describe('Continuity', () => {
  it('lists handovers and failovers with their cost, newest first, with totals', async () => {
    await renderAt(FakeApi.withScenario(), 'continuity', 'Continuity');
    const today = await screen.findByRole('list', { name: 'Continuity events, Today' });
    const items = within(today).getAllByRole('listitem');
    expect(items[0]).toHaveAccessibleName(/Handed over from wwan0 to wlan0/);
    const failover = within(today).getByRole('listitem', { name: /wlan0 failed; its ranges moved to wwan0/ });
    expect(failover).toHaveTextContent('262 kB fetched again');
    expect(failover).toHaveTextContent('840 ms without data');
    expect(failover).toHaveTextContent('ubuntu-24.04.2-desktop-amd64.iso');
    expect(screen.getByText('Bytes fetched again').parentElement).toHaveTextContent('15.1 MB');
    expect(screen.getByText('Handovers and failovers').parentElement).toHaveTextContent('2');
  });

  it('adds events as the engine pushes them', async () => {
    const api = FakeApi.withScenario();
    await renderAt(api, 'continuity', 'Continuity');
    await screen.findByRole('list', { name: 'Continuity events, Today' });
    act(() =>
      api.push('continuity', {
        id: 'c-new',
        at: Date.now(),
        kind: 'path-lost',
        transferId: null,
        from: 'usb0',
        to: null,
        bytesLost: 0,
        stallMs: 0,
      }),
    );
    expect(screen.getByRole('listitem', { name: /usb0 went away/ })).toBeInTheDocument();
  });

  it('explains an empty timeline', async () => {
    const api = FakeApi.withScenario();
    api.s.continuity = [];
    await renderAt(api, 'continuity', 'Continuity');
    expect(await screen.findByText('Nothing has interrupted a transfer')).toBeInTheDocument();
  });

  it('stays calm when the engine is not running', async () => {
    await renderAt(FakeApi.withScenario().unavailable('continuity.list'), 'continuity', 'Continuity');
    expect(await screen.findByText('No continuity timeline')).toBeInTheDocument();
  });
});
