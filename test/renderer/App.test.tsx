import { act, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../../renderer/src/App.tsx';
import { FakeApi, path } from './fakeApi.ts';

describe('App: network paths', () => {
  it('lists the paths the core reports, with type, state and metered badge', async () => {
    const api = new FakeApi();
    api.paths = [
      path({ name: 'wlan0', type: 'wifi', addresses: ['198.18.1.2'] }),
      path({ name: 'wwan0', type: 'cellular', metered: true, up: false, preference: 'backup' }),
    ];
    render(<App api={api} />);
    const list = await screen.findByRole('list', { name: 'Network interfaces' });
    const wlan = within(list).getByRole('listitem', { name: 'wlan0' });
    expect(wlan).toHaveTextContent('Wi-Fi');
    expect(wlan).toHaveTextContent('198.18.1.2');
    expect(wlan).toHaveTextContent('Up');
    const wwan = within(list).getByRole('listitem', { name: 'wwan0' });
    expect(wwan).toHaveTextContent('Cellular');
    expect(wwan).toHaveTextContent('Metered');
    expect(wwan).toHaveTextContent('Down');
  });

  it('updates live when the core pushes a change', async () => {
    const api = new FakeApi();
    api.paths = [path({ name: 'wlan0' })];
    render(<App api={api} />);
    await screen.findByRole('listitem', { name: 'wlan0' });
    act(() =>
      api.push('paths', [
        path({ name: 'wlan0', up: false }),
        path({ name: 'usb0', type: 'tether', metered: true }),
      ]),
    );
    expect(screen.getByRole('listitem', { name: 'usb0' })).toHaveTextContent('Phone tether');
    expect(screen.getByRole('listitem', { name: 'wlan0' })).toHaveTextContent('Down');
  });

  it('says what went wrong when the core cannot be reached', async () => {
    const api = new FakeApi();
    api.failWith = new Error('Could not reach Pathwise.');
    render(<App api={api} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not reach Pathwise.');
  });

  it('tells the user what to do when there are no interfaces', async () => {
    render(<App api={new FakeApi()} />);
    expect(await screen.findByText(/No network interfaces found/)).toBeInTheDocument();
  });
});
