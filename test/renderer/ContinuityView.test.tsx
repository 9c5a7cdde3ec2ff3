import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ContinuityEvent, HealthStep } from '../../common/contract.ts';
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
});

describe('Continuity: the paths’ health', () => {
  it('follows a path’s trouble in one entry: checking, then no internet, then back, with the reason', async () => {
    const api = FakeApi.withScenario();
    await renderAt(api, 'continuity', 'Continuity');
    await screen.findByRole('list', { name: 'Continuity events, Today' });
    const start = Date.now() - 70_000;
    const suspect = step('suspect', start, 'No data arrived over wlan0 for 1.1 s.');
    const offline = step('offline', start + 900, 'No data arrived over wlan0 for 1.1 s. Then: no answer.');
    const up = step('up', start + 67_900, 'Probes reach the internet over this path.');

    act(() => api.push('continuity', health('h1', 'wlan0', [suspect])));
    const checking = screen.getByRole('listitem', { name: /wlan0 stopped answering; checking it/ });
    expect(checking).toHaveTextContent('No data arrived over wlan0 for 1.1 s.');

    act(() => api.push('continuity', health('h1', 'wlan0', [suspect, offline])));
    expect(screen.queryByRole('listitem', { name: /stopped answering/ })).not.toBeInTheDocument();
    expect(screen.getByRole('listitem', { name: /wlan0 has no internet$/ })).toHaveTextContent(
      /checking .+ → no internet .+Then: no answer\./,
    );

    act(() => api.push('continuity', health('h1', 'wlan0', [suspect, offline, up])));
    const back = screen.getByRole('listitem', { name: /wlan0 is back after 1 min 8 s without internet$/ });
    expect(back).toHaveTextContent(/checking .+ → no internet .+ → up .+Then: no answer\./);
    expect(screen.queryByRole('listitem', { name: /wlan0 has no internet/ })).not.toBeInTheDocument();
    // A path's trouble is not a handover: the transfers' figures stay as they were.
    expect(screen.getByText('Handovers and failovers').parentElement).toHaveTextContent('2');
  });

  it('names a weak path and one behind a sign-in page, and how long a weak spell lasted', async () => {
    const api = FakeApi.withScenario();
    const at = Date.now() - 600_000;
    api.s.continuity = [
      health('h-eth', 'eth0', [
        step('degraded', at, 'Slow: 912 ms round trip (over 800 ms on 2 probes in a row).'),
      ]),
      health('h-usb', 'usb0', [step('portal', at + 1000, 'Redirected to http://portal.lab/login.')]),
      health('h-wlan', 'wlan0', [
        step('degraded', at + 2000, 'Slow: 1.0 Mbit/s.'),
        step('up', at + 182_000, 'Probes reach the internet over this path.'),
      ]),
    ];
    await renderAt(api, 'continuity', 'Continuity');
    expect(await screen.findByRole('listitem', { name: /eth0 is weak$/ })).toHaveTextContent(
      '912 ms round trip',
    );
    expect(screen.getByRole('listitem', { name: /usb0 needs a sign-in$/ })).toHaveTextContent(
      /sign-in required .+Redirected to http:\/\/portal\.lab\/login\./,
    );
    expect(
      screen.getByRole('listitem', { name: /wlan0 is strong again after 3 min weak$/ }),
    ).toHaveTextContent(/weak .+ → up .+Slow: 1\.0 Mbit\/s\./);
  });
});

describe('Continuity: empty and unavailable', () => {
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

function step(state: HealthStep['state'], at: number, reason: string): HealthStep {
  return { state, at, reason };
}

/** A path's health entry as the core tells it (main/monitor/HealthTimeline.ts). */
function health(id: string, path: string, steps: HealthStep[]): ContinuityEvent {
  const reasons = steps.filter((s) => s.state !== 'up');
  return {
    id,
    at: steps[0]?.at ?? 0,
    kind: 'health',
    transferId: null,
    from: path,
    to: null,
    bytesLost: 0,
    stallMs: 0,
    detail: reasons.at(-1)?.reason ?? '',
    steps,
  };
}
