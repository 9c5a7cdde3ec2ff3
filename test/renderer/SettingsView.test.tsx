import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { coded, FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

describe('Settings: data plans', () => {
  it('lists a plan line per path, describing existing plans', async () => {
    await renderAt(FakeApi.withScenario(), 'settings', 'Settings');
    const plans = await screen.findByRole('list', { name: 'Data plans' });
    expect(within(plans).getByRole('listitem', { name: 'wwan0' })).toHaveTextContent(
      '10.0 GB cap · resets on day 1 · $1.00/GB · slows to 1.0 Mbit/s at the cap',
    );
    expect(within(plans).getByRole('listitem', { name: 'wlan0' })).toHaveTextContent('No plan');
  });

  it('adds a plan through settings.update after checking every field', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const wlan = within(await screen.findByRole('list', { name: 'Data plans' })).getByRole('listitem', {
      name: 'wlan0',
    });
    await user.click(within(wlan).getByRole('button', { name: 'Add plan for wlan0' }));
    const form = within(wlan).getByRole('form', { name: 'Plan for wlan0' });
    await user.type(within(form).getByLabelText('Data cap'), 'lots');
    await user.clear(within(form).getByLabelText('Cycle starts on day'));
    await user.type(within(form).getByLabelText('Cycle starts on day'), '32');
    await user.click(within(form).getByRole('button', { name: 'Save plan' }));
    expect(within(form).getByText(/Write the cap as a size/)).toBeInTheDocument();
    expect(within(form).getByText(/Pick a day from 1 to 31/)).toBeInTheDocument();
    expect(api.callsTo('settings.update')).toEqual([]);

    await user.clear(within(form).getByLabelText('Data cap'));
    await user.type(within(form).getByLabelText('Data cap'), '20 GB');
    await user.clear(within(form).getByLabelText('Cycle starts on day'));
    await user.type(within(form).getByLabelText('Cycle starts on day'), '15');
    await user.clear(within(form).getByLabelText('Price per GB'));
    await user.type(within(form).getByLabelText('Price per GB'), '0.5');
    await user.click(within(form).getByRole('radio', { name: 'Keep going' }));
    await user.click(within(form).getByRole('button', { name: 'Save plan' }));
    const [patch] = api.callsTo('settings.update')[0] as [{ plans: Record<string, unknown> }];
    expect(patch.plans['wlan0']).toEqual({
      capBytes: 20e9,
      cycle: { kind: 'monthly', startDay: 15 },
      pricePerGb: 0.5,
      overagePricePerGb: 0,
      atCap: 'allow',
      rateLimitBps: null,
      currency: 'USD',
    });
    // The other plans are kept.
    expect(Object.keys(patch.plans).sort()).toEqual(['usb0', 'wlan0', 'wwan0']);
    expect(await within(wlan).findByText(/20\.0 GB cap · resets on day 15/)).toBeInTheDocument();
  });

  it('removes a plan', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    await user.click(await screen.findByRole('button', { name: 'Remove plan for usb0' }));
    const [patch] = api.callsTo('settings.update')[0] as [{ plans: Record<string, unknown> }];
    expect(Object.keys(patch.plans)).toEqual(['wwan0']);
  });
});

describe('Settings: notifications, checks and folders', () => {
  it('switches notifications and launch at login at once', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const notifications = await screen.findByRole('switch', { name: 'Show notifications' });
    expect(notifications).toBeChecked();
    await user.click(notifications);
    await user.click(screen.getByRole('switch', { name: 'Open Pathwise at login' }));
    expect(api.callsTo('settings.update')).toEqual([[{ notifications: false }], [{ launchAtLogin: false }]]);
    expect(await screen.findByRole('switch', { name: 'Show notifications' })).not.toBeChecked();
  });

  it('validates thresholds, probe address, interval and folder before saving', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const form = await screen.findByRole('form', { name: 'General settings' });
    const thresholds = within(form).getByLabelText('Cap alerts at');
    await user.clear(thresholds);
    await user.type(thresholds, '50%, lots');
    const probe = within(form).getByLabelText('Connectivity check address');
    await user.clear(probe);
    await user.type(probe, 'file:///etc/passwd');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(within(form).getByText('"lots" is not a percentage from 1 to 200.')).toBeInTheDocument();
    expect(within(form).getByText(/Enter an http:\/\/ or https:\/\/ address/)).toBeInTheDocument();
    expect(api.callsTo('settings.update')).toEqual([]);
    await user.clear(thresholds);
    await user.type(thresholds, '90%, 50%');
    await user.clear(probe);
    await user.type(probe, 'http://127.0.0.1:9/generate_204');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(api.callsTo('settings.update')).toEqual([
      [
        {
          capThresholds: [0.5, 0.9],
          probeUrl: 'http://127.0.0.1:9/generate_204',
          probeIntervalMs: 30_000,
          downloadDir: '/home/ana/Downloads',
        },
      ],
    ]);
    expect(await within(form).findByRole('status')).toHaveTextContent('Saved.');
  });

  it('shows the core’s refusal', async () => {
    const api = FakeApi.withScenario().failing(
      'settings.update',
      coded('E_BAD_SETTINGS', 'Those settings are not valid: downloadDir: too long'),
    );
    const user = userEvent.setup();
    await renderAt(api, 'settings', 'Settings');
    const form = await screen.findByRole('form', { name: 'General settings' });
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('downloadDir: too long');
  });

  it('shows an error with a retry when settings cannot be read', async () => {
    await renderAt(
      FakeApi.withScenario().failing('settings.get', coded('E_INTERNAL', 'settings.json is locked')),
      'settings',
      'Settings',
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('settings.json is locked');
  });
});
