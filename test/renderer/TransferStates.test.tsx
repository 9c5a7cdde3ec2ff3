import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { TransferInfo } from '../../common/contract.ts';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

const MB = 1e6;
type ScenarioApi = ReturnType<typeof FakeApi.withScenario>;

/** A download of 31.5 MB over wwan0 only, as the scenario's core would list it. */
function download(over: Partial<TransferInfo>): TransferInfo {
  return {
    id: 't-cap',
    url: 'http://198.19.0.1:8080/file.bin',
    file: '/home/ana/Downloads/file.bin',
    mode: 'aggregate',
    state: 'running',
    size: 31.5 * MB,
    received: 29.6 * MB,
    rate: 0,
    paths: { wwan0: { bytes: 29.6 * MB, rate: 0, state: 'capped' } },
    allowedPaths: ['wwan0'],
    rangeSupport: true,
    sha256: null,
    error: null,
    createdAt: Date.now() - 60_000,
    finishedAt: null,
    ...over,
  };
}

/** The scenario with wwan0 on a 50 MB plan that stops at the cap, used up, and `transfer` listed first. */
function atCap(transfer: TransferInfo): ScenarioApi {
  const api = FakeApi.withScenario();
  const wwan0 = api.s.usage.paths.find((p) => p.name === 'wwan0');
  Object.assign(wwan0 ?? {}, { capBytes: 50 * MB, allBytes: 50 * MB });
  const plan = api.s.settings.plans['wwan0'];
  if (plan) Object.assign(plan, { capBytes: 50 * MB, atCap: 'stop' });
  api.s.transfers.unshift(transfer);
  api.handlers['transfers.setPaths'] = (id, paths) => {
    const t = api.s.transfers.find((x) => x.id === id) as TransferInfo;
    Object.assign(t, { allowedPaths: paths, waiting: null });
    return { ...t };
  };
  return api;
}

async function row(name = 'file.bin'): Promise<HTMLElement> {
  const list = await screen.findByRole('list', { name: 'Downloads' });
  return within(list).getByRole('listitem', { name });
}

describe('Transfers: a download waiting on a cap (issue 24)', () => {
  const waiting = (): TransferInfo => download({ waiting: { reason: 'cap', paths: ['wwan0'] } });

  it('says it waits, on which cap, with no rate or time left', async () => {
    await renderAt(atCap(waiting()), 'transfers', 'Transfers');
    const item = await row();
    expect(item).toHaveTextContent('Waiting');
    expect(item).not.toHaveTextContent('Downloading');
    expect(within(item).getByRole('status')).toHaveTextContent('Waiting: wwan0 reached its 50 MB cap');
    expect(item).toHaveTextContent(/goes on by itself when the cap is raised or the cycle resets on/);
    expect(item).not.toHaveTextContent(/bit\/s|left/);
  });

  it('moves it to Wi-Fi through transfers.setPaths', async () => {
    const api = atCap(waiting());
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    await user.click(within(await row()).getByRole('button', { name: 'Use Wi-Fi for this download' }));
    expect(api.callsTo('transfers.setPaths')).toEqual([['t-cap', ['wlan0']]]);
    expect(within(await row()).queryByRole('status')).not.toBeInTheDocument();
  });

  it('opens the plan editor for the cap, with focus in it', async () => {
    const user = userEvent.setup();
    await renderAt(atCap(waiting()), 'transfers', 'Transfers');
    await user.click(within(await row()).getByRole('button', { name: 'Raise the cap' }));
    await screen.findByRole('heading', { level: 1, name: 'Settings' });
    expect(window.location.hash).toBe('#/settings?plan=wwan0');
    const editor = await screen.findByRole('form', { name: 'Plan for wwan0' });
    expect(editor).toContainElement(document.activeElement as HTMLElement);
  });

  it('pauses it', async () => {
    const api = atCap(waiting());
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    await user.click(within(await row()).getByRole('button', { name: 'Pause' }));
    expect(api.callsTo('transfers.pause')).toEqual([['t-cap']]);
  });

  it('is counted as waiting, not running, in the overview', async () => {
    const api = atCap(waiting());
    api.s.transfers = api.s.transfers.filter((t) => t.id === 't-cap');
    await renderAt(api, 'overview', 'Overview');
    const stat = (await screen.findByText('Pathwise transfers')).parentElement as HTMLElement;
    expect(stat).toHaveTextContent('Waiting');
    expect(stat).toHaveTextContent('1 waiting');
    expect(stat).not.toHaveTextContent('running');
  });
});

describe('Transfers: what happened, once it ended (issue 24)', () => {
  it('keeps each path’s part in a finished download, not the path’s state now', async () => {
    const done = download({
      state: 'done',
      received: 31.5 * MB,
      finishedAt: Date.now(),
      allowedPaths: null,
      // wwan0 reached its cap since, and usb0 was set to Never: neither says anything about this download.
      paths: {
        wlan0: { bytes: 11 * MB, rate: 0, state: 'idle' },
        wwan0: { bytes: 20.5 * MB, rate: 0, state: 'capped' },
        usb0: { bytes: 0, rate: 0, state: 'excluded' },
      },
    });
    await renderAt(atCap(done), 'transfers', 'Transfers');
    const split = within(await row()).getByRole('list', { name: 'file.bin by path' });
    const line = (name: string): HTMLElement => within(split).getByText(name).closest('li') as HTMLElement;
    expect(line('wwan0')).toHaveTextContent(/^wwan0\s*20\.5 MB\s*65%$/);
    expect(line('wwan0')).not.toHaveTextContent(/cap|not used/);
    expect(line('usb0')).toHaveTextContent(/^usb0\s*not used$/);
  });

  it('shows a cancelled download’s bar and figures at the same point', async () => {
    // The part file is deleted, so the core lists nothing received; the paths say how far it got.
    const cancelled = download({ state: 'cancelled', received: 0, finishedAt: Date.now() });
    await renderAt(atCap(cancelled), 'transfers', 'Transfers');
    const item = await row();
    expect(item).toHaveTextContent('Stopped at 29.6 MB of 31.5 MB · 94%');
    expect(item).toHaveTextContent('the partial file was deleted');
    expect(within(item).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '94');
  });
});

describe('Transfers: a path a download may use but does not (issue 24)', () => {
  it('says why a ticked Backup path carries none of an aggregate download', async () => {
    const running = download({
      rate: 5 * MB,
      received: 10 * MB,
      allowedPaths: null,
      paths: {
        wlan0: { bytes: 10 * MB, rate: 5 * MB, state: 'active' },
        usb0: { bytes: 0, rate: 0, state: 'idle' },
      },
    });
    await renderAt(atCap(running), 'transfers', 'Transfers');
    const split = within(await row()).getByRole('list', { name: 'file.bin by path' });
    expect(within(split).getByText('usb0').closest('li')).toHaveTextContent(
      'not used: Backup, only if Wi-Fi and cellular drop',
    );
  });
});
