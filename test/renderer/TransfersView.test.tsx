import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { coded, FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

describe('Transfers: the list of downloads', () => {
  it('lists downloads with progress split by path, rate, time left and state', async () => {
    await renderAt(FakeApi.withScenario(), 'transfers', 'Transfers');
    const list = await screen.findByRole('list', { name: 'Downloads' });
    const iso = within(list).getByRole('listitem', { name: 'ubuntu-24.04.2-desktop-amd64.iso' });
    expect(iso).toHaveTextContent('Downloading');
    expect(iso).toHaveTextContent('3.9 GB of 6.2 GB · 64%');
    expect(iso).toHaveTextContent('90 Mbit/s');
    expect(iso).toHaveTextContent(/left/);
    expect(within(iso).getByRole('progressbar', { name: /progress/ })).toHaveAttribute('aria-valuenow', '64');
    const split = within(iso).getByRole('list', { name: /by path/ });
    expect(split).toHaveTextContent('wlan0');
    expect(split).toHaveTextContent('2.8 GB');
    expect(split).toHaveTextContent('wwan0');
    // A standby path that carried nothing says why, rather than vanishing from the split.
    expect(within(split).getByText('usb0').closest('li')).toHaveTextContent(
      'not used: Backup, only if Wi-Fi and cellular drop',
    );
    const failed = within(list).getByRole('listitem', { name: 'quarterly-report.pdf' });
    expect(failed).toHaveTextContent('Failed');
    expect(failed).toHaveTextContent('404 Not Found');
    expect(within(list).getByRole('listitem', { name: 'router-fw-v3.2.1.bin' })).toHaveTextContent('SHA-256');
  });

  it('pauses, resumes and cancels through the matching channels', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    await user.click(await screen.findByRole('button', { name: 'Pause ubuntu-24.04.2-desktop-amd64.iso' }));
    expect(api.callsTo('transfers.pause')).toEqual([['t-iso']]);
    await user.click(await screen.findByRole('button', { name: 'Resume ubuntu-24.04.2-desktop-amd64.iso' }));
    expect(api.callsTo('transfers.resume')).toEqual([['t-iso']]);
    await user.click(screen.getByRole('button', { name: 'Cancel sensor-archive-2026-05.parquet' }));
    expect(api.callsTo('transfers.cancel')).toEqual([['t-data']]);
    await user.click(await screen.findByRole('button', { name: 'Pause all' }));
    expect(api.callsTo('transfers.pauseAll')).toEqual([[]]);
    await user.click(await screen.findByRole('button', { name: 'Resume all' }));
    expect(api.callsTo('transfers.resumeAll')).toEqual([[]]);
  });

  it('updates progress from transfers pushes', async () => {
    const api = FakeApi.withScenario();
    await renderAt(api, 'transfers', 'Transfers');
    const iso = await screen.findByRole('listitem', { name: 'ubuntu-24.04.2-desktop-amd64.iso' });
    const done = api.s.transfers.map((t) =>
      t.id === 't-iso' ? { ...t, state: 'done' as const, received: t.size ?? 0, finishedAt: Date.now() } : t,
    );
    act(() => api.push('transfers', done));
    expect(iso).toHaveTextContent('Done');
    expect(iso).toHaveTextContent('100%');
  });

  it('offers "Show in folder" only in the desktop app', async () => {
    const desktop = FakeApi.withScenario(Date.now(), 'electron');
    const user = userEvent.setup();
    await renderAt(desktop, 'transfers', 'Transfers');
    await user.click(await screen.findByRole('button', { name: 'Show router-fw-v3.2.1.bin in folder' }));
    expect(desktop.callsTo('transfers.reveal')).toEqual([['t-fw']]);
  });

  it('has no folder button in a browser', async () => {
    await renderAt(FakeApi.withScenario(), 'transfers', 'Transfers');
    await screen.findByRole('list', { name: 'Downloads' });
    expect(screen.queryByRole('button', { name: /in folder/ })).not.toBeInTheDocument();
  });
});

describe('Transfers: starting a download', () => {
  it('refuses a bad address with a message that says what to type, without calling the core', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    const form = await screen.findByRole('form', { name: 'Add a download' });
    const url = within(form).getByLabelText('File address');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(within(form).getByText('Enter the address of the file to download.')).toBeInTheDocument();
    await user.type(url, 'not a link');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(within(form).getByText(/That is not a web address/)).toBeInTheDocument();
    expect(url).toHaveAttribute('aria-invalid', 'true');
    expect(url).toHaveFocus();
    await user.clear(url);
    await user.type(url, 'ftp://example.com/file.iso');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(within(form).getByText(/http:\/\/ and https:\/\/ only, not ftp:/)).toBeInTheDocument();
    expect(api.callsTo('transfers.start')).toEqual([]);
  });

  it('checks the optional SHA-256 and needs at least one path', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    const form = await screen.findByRole('form', { name: 'Add a download' });
    await user.type(within(form).getByLabelText('File address'), 'https://example.com/a.iso');
    for (const name of ['wlan0', 'wwan0', 'usb0'])
      await user.click(within(form).getByRole('checkbox', { name: new RegExp(name) }));
    await user.click(within(form).getByText('More options'));
    await user.type(within(form).getByLabelText('Expected SHA-256'), 'abc');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(within(form).getByText('Choose at least one path.')).toBeInTheDocument();
    expect(within(form).getByText(/64 hexadecimal characters/)).toBeInTheDocument();
    expect(api.callsTo('transfers.start')).toEqual([]);
  });

  it('starts a download with the chosen mode and paths', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    const form = await screen.findByRole('form', { name: 'Add a download' });
    await user.type(within(form).getByLabelText('File address'), '  https://example.com/big.iso ');
    await user.click(within(form).getByRole('radio', { name: 'Handover' }));
    await user.click(within(form).getByRole('checkbox', { name: /usb0/ }));
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(api.callsTo('transfers.start')).toEqual([
      [{ url: 'https://example.com/big.iso', mode: 'handover', paths: ['wlan0', 'wwan0'] }],
    ]);
    expect(await screen.findByRole('listitem', { name: 'big.iso' })).toHaveTextContent('Queued');
    expect(within(form).getByLabelText('File address')).toHaveValue('');
  });

  it('leaves the path choice to the policy when every path stays ticked', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    const form = await screen.findByRole('form', { name: 'Add a download' });
    await user.type(within(form).getByLabelText('File address'), 'https://example.com/x.bin{Enter}');
    expect(api.callsTo('transfers.start')).toEqual([
      [{ url: 'https://example.com/x.bin', mode: 'aggregate', paths: null }],
    ]);
  });

  it('shows the core’s refusal when a start fails', async () => {
    const api = FakeApi.withScenario().failing(
      'transfers.start',
      coded('E_EXISTS', 'big.iso already exists in Downloads; choose another name.'),
    );
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    const form = await screen.findByRole('form', { name: 'Add a download' });
    await user.type(within(form).getByLabelText('File address'), 'https://example.com/big.iso{Enter}');
    expect(await within(form).findByRole('alert')).toHaveTextContent('already exists');
  });
});

describe('Transfers: nothing yet, or no engine', () => {
  it('invites a first download when there are none', async () => {
    const api = FakeApi.withScenario();
    api.s.transfers.length = 0;
    await renderAt(api, 'transfers', 'Transfers');
    expect(await screen.findByText('No downloads yet')).toBeInTheDocument();
  });

  it('stays calm when the engine is not running', async () => {
    await renderAt(FakeApi.withScenario().unavailable('transfers.list'), 'transfers', 'Transfers');
    expect(await screen.findByText('Transfers are not available')).toBeInTheDocument();
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a real failure as an error with a retry', async () => {
    const api = FakeApi.withScenario().failing(
      'transfers.list',
      coded('E_INTERNAL', 'The journal is unreadable.'),
    );
    await renderAt(api, 'transfers', 'Transfers');
    expect(await screen.findByRole('alert')).toHaveTextContent('The journal is unreadable.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });
});
