import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { About, PathInfo, Settings } from '../../common/contract.ts';
import { coded, FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

/** A scenario whose core answers path overrides as the real one does (in the settings). */
function withOverrides(shell: 'electron' | 'headless' = 'headless'): FakeApi & { s: { settings: Settings } } {
  const api = FakeApi.withScenario(Date.now(), shell);
  api.handlers['paths.setOverride'] = (name: string, override: Settings['overrides'][string]) => {
    const overrides = { ...api.s.settings.overrides };
    if (override.type === undefined && override.metered === undefined) delete overrides[name];
    else overrides[name] = override;
    api.s.settings = { ...api.s.settings, overrides };
    return api.paths as PathInfo[];
  };
  return api;
}

const ABOUT: About = {
  version: '1.2.3',
  shell: 'electron',
  dataDir: '/home/me/.local/share/pathwise',
  logFile: '/home/me/.local/share/pathwise/logs/main.log',
  runtime: { node: '24.0.0', electron: '45.4.1' },
  licences: [{ name: 'zod', version: '4.6.7', license: 'MIT' }],
  warnings: [{ message: 'Your settings file could not be read and was moved aside.', at: Date.now() }],
  updates: 'Updates: Pathwise 1.3.0 is ready; it installs when you quit.',
};

describe('Settings: path types and metering', () => {
  it('sets and clears a path’s type and metered override through paths.setOverride', async () => {
    const api = withOverrides();
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const section = await screen.findByRole('region', { name: 'Path types and metering' });
    const type = within(section).getByRole('combobox', { name: 'wlan0 type' });
    expect(within(type).getByRole('option', { name: /^Detected: Wi-Fi$/ })).toBeInTheDocument();
    await user.selectOptions(type, 'tether');
    expect(api.callsTo('paths.setOverride')).toEqual([['wlan0', { type: 'tether' }]]);
    await user.selectOptions(within(section).getByRole('combobox', { name: 'wlan0 metered' }), 'yes');
    expect(api.callsTo('paths.setOverride').at(-1)).toEqual(['wlan0', { type: 'tether', metered: true }]);
    await user.selectOptions(within(section).getByRole('combobox', { name: 'wlan0 type' }), '');
    await user.selectOptions(within(section).getByRole('combobox', { name: 'wlan0 metered' }), '');
    expect(api.callsTo('paths.setOverride').at(-1)).toEqual(['wlan0', {}]);
    expect(api.s.settings.overrides['wlan0']).toBeUndefined();
  });

  it('says so when the core refuses', async () => {
    const api = withOverrides();
    api.handlers['paths.setOverride'] = () => {
      throw coded('E_BAD_SETTINGS', 'Those settings are not valid.');
    };
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const section = await screen.findByRole('region', { name: 'Path types and metering' });
    await user.selectOptions(within(section).getByRole('combobox', { name: 'wwan0 type' }), 'wifi');
    expect(await within(section).findByRole('alert')).toHaveTextContent('Those settings are not valid.');
  });
});

describe('Settings: the download folder', () => {
  it('in a browser: a typed full path, a relative one refused, no dialog button', async () => {
    const api = withOverrides('headless');
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const form = await screen.findByRole('form', { name: 'General settings' });
    expect(within(form).queryByRole('button', { name: 'Choose the download folder' })).toBeNull();
    const folder = within(form).getByLabelText('Download folder');
    await user.clear(folder);
    await user.type(folder, 'Downloads/pathwise');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(within(form).getByText(/full path, from the root/)).toBeInTheDocument();
    expect(api.callsTo('settings.update')).toEqual([]);
    await user.clear(folder);
    await user.type(folder, '/srv/downloads');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(api.callsTo('settings.update').at(-1)?.[0]).toMatchObject({ downloadDir: '/srv/downloads' });
  });

  it('in the desktop app: the OS folder dialog fills it in', async () => {
    const api = withOverrides('electron');
    api.handlers['dialog.chooseFolder'] = () => '/home/me/Big files';
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const form = await screen.findByRole('form', { name: 'General settings' });
    await user.click(await within(form).findByRole('button', { name: 'Choose the download folder' }));
    expect(api.callsTo('dialog.chooseFolder')).toEqual([[api.s.settings.downloadDir]]);
    expect(within(form).getByLabelText('Download folder')).toHaveValue('/home/me/Big files');
  });

  it('offers keeping the machine awake while downloading', async () => {
    const api = withOverrides('electron');
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    await user.click(
      await screen.findByRole('switch', { name: 'Keep the computer awake while downloading' }),
    );
    expect(api.callsTo('settings.update').at(-1)).toEqual([{ keepAwake: true }]);
  });
});

describe('Settings: About and warnings', () => {
  it('shows the version, the log file, the updates, the licences and the startup warnings', async () => {
    const api = withOverrides('electron');
    api.handlers['app.about'] = () => ABOUT;
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const about = await screen.findByRole('region', { name: 'About Pathwise' });
    expect(within(about).getByText('/home/me/.local/share/pathwise/logs/main.log')).toBeInTheDocument();
    expect(within(about).getByText(/1\.2\.3/)).toBeInTheDocument();
    expect(
      within(about).getByText('Pathwise 1.3.0 is ready; it installs when you quit.'),
    ).toBeInTheDocument();
    await user.click(within(about).getByText(/Open-source licences/));
    for (const name of ['zod', 'react', 'react-dom', 'recharts']) {
      expect(within(about).getByRole('rowheader', { name })).toBeInTheDocument();
    }
    expect(screen.getByRole('status', { name: 'Warnings' })).toHaveTextContent(
      'settings file could not be read',
    );
  });
});
