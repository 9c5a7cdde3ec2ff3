import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../common/contract.ts';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

type User = ReturnType<typeof userEvent.setup>;

function localDate(d: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Opens the editor of `path`'s plan in Settings ("Add plan" or "Edit"). */
async function openEditor(api: FakeApi, user: User, path: string): Promise<HTMLElement> {
  await renderAt(api, 'settings', 'Settings');
  const item = within(await screen.findByRole('list', { name: 'Data plans' })).getByRole('listitem', {
    name: path,
  });
  await user.click(within(item).getByRole('button', { name: new RegExp(`(Add|Edit) plan for ${path}`) }));
  return within(item).getByRole('form', { name: `Plan for ${path}` });
}

async function retype(user: User, input: HTMLElement, text: string): Promise<void> {
  await user.clear(input);
  if (text) await user.type(input, text);
}

/** The plan the last settings.update saved for `path`. */
function savedPlan(api: FakeApi, path: string): Plan | undefined {
  const [patch] = api.callsTo('settings.update').at(-1) as [{ plans: Record<string, Plan> }];
  return patch.plans[path];
}

describe('Plan editor: billing cycles', () => {
  it('takes billing days 1–31, saying how 29–31 and 31 fall in short months', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    const form = within(await openEditor(api, user, 'wlan0'));
    const day = form.getByLabelText('Cycle starts on day');
    expect(day).toHaveAccessibleDescription(
      '1–31. Days 29–31 fall on the last day of shorter months; 31 means “the last day of the month”.',
    );
    await retype(user, day, '32');
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    expect(day).toHaveAccessibleDescription(/Pick a day from 1 to 31 .*31 is the last day of every month/);
    expect(api.callsTo('settings.update')).toEqual([]);
    await retype(user, day, '31');
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    expect(savedPlan(api, 'wlan0')?.cycle).toEqual({ kind: 'monthly', startDay: 31 });
    const list = screen.getByRole('list', { name: 'Data plans' });
    expect(
      await within(list).findByText(/no cap · resets on the last day of the month · no price/),
    ).toBeInTheDocument();
  });

  it('saves a prepaid plan from a checked activation day, with a fixed fee', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    const form = within(await openEditor(api, user, 'wlan0'));
    await user.click(form.getByRole('radio', { name: 'Prepaid 30 days' }));
    expect(form.queryByLabelText('Cycle starts on day')).not.toBeInTheDocument();
    const activated = form.getByLabelText('Activated on');
    expect(activated).toHaveAttribute('type', 'date');
    expect(activated).toHaveValue(localDate(new Date()));
    const fee = form.getByLabelText('Fixed fee per cycle');
    await retype(user, activated, '');
    await user.type(fee, 'a lot');
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    expect(activated).toHaveAccessibleDescription(/Pick the day you activated the plan/);
    expect(fee).toHaveAccessibleDescription('Enter a price of 0 or more.');
    const nextYear = new Date();
    nextYear.setFullYear(nextYear.getFullYear() + 1);
    await retype(user, activated, localDate(nextYear));
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    expect(activated).toHaveAccessibleDescription(/The activation day is in the future/);
    expect(api.callsTo('settings.update')).toEqual([]);

    await retype(user, activated, '2025-11-03');
    await retype(user, fee, '12.5');
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    expect(savedPlan(api, 'wlan0')).toStrictEqual({
      capBytes: null,
      cycle: { kind: 'prepaid30', activated: '2025-11-03' },
      pricePerGb: 0,
      overagePricePerGb: 0,
      atCap: 'stop',
      rateLimitBps: null,
      currency: 'USD',
      monthlyFee: 12.5,
    });
    const item = within(screen.getByRole('list', { name: 'Data plans' })).getByRole('listitem', {
      name: 'wlan0',
    });
    expect(await within(item).findByText(/prepaid, 30 days at a time from Nov 3/)).toHaveTextContent(
      '$12.50 fee a cycle',
    );
  });

  it('saves a sliding 30-day window, explaining that it has no end', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    const form = within(await openEditor(api, user, 'wlan0'));
    await user.click(form.getByRole('radio', { name: 'Sliding 30 days' }));
    expect(form.getByText(/nothing resets, and there is no end date to forecast/)).toBeInTheDocument();
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    expect(savedPlan(api, 'wlan0')?.cycle).toEqual({ kind: 'rolling30' });
  });
});

describe('Plan editor: an existing plan', () => {
  const prepaid: Plan = {
    capBytes: 1_234_567_890,
    cycle: { kind: 'prepaid30', activated: '2026-01-17' },
    pricePerGb: 0.1,
    overagePricePerGb: 0.35,
    atCap: 'rate-limit',
    rateLimitBps: 12_345,
    currency: 'chf',
    monthlyFee: 9.9,
  };

  it('loads a prepaid plan and saves it back unchanged', async () => {
    const api = FakeApi.withScenario();
    api.s.settings.plans['usb0'] = structuredClone(prepaid);
    const user = userEvent.setup();
    const form = within(await openEditor(api, user, 'usb0'));
    expect(form.getByRole('radio', { name: 'Prepaid 30 days' })).toBeChecked();
    expect(form.getByLabelText('Activated on')).toHaveValue('2026-01-17');
    expect(form.getByLabelText('Fixed fee per cycle')).toHaveValue('9.9');
    expect(form.getByLabelText('Data cap')).toHaveValue('1.23 GB');
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    // Not rounded to what the form shows (1.23 GB, 0.09876 Mbit/s), nor upper-cased.
    expect(savedPlan(api, 'usb0')).toStrictEqual(prepaid);
  });

  it('changes only the field that was edited', async () => {
    const api = FakeApi.withScenario();
    api.s.settings.plans['usb0'] = structuredClone(prepaid);
    const user = userEvent.setup();
    const form = within(await openEditor(api, user, 'usb0'));
    await retype(user, form.getByLabelText('Price per GB'), '0.2');
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    expect(savedPlan(api, 'usb0')).toStrictEqual({ ...prepaid, pricePerGb: 0.2 });
  });

  it('drops the fee when its field is emptied', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    const before = structuredClone(api.s.settings.plans['wwan0']);
    expect(before?.monthlyFee).toBe(15);
    const form = within(await openEditor(api, user, 'wwan0'));
    await retype(user, form.getByLabelText('Fixed fee per cycle'), '');
    await user.click(form.getByRole('button', { name: 'Save plan' }));
    const { monthlyFee: _fee, ...rest } = before as Plan;
    expect(savedPlan(api, 'wwan0')).toStrictEqual(rest);
  });
});
