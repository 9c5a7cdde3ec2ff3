import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

describe('Transfers: a per-download data limit', () => {
  it('sends each chosen path’s limit in bytes as the start request’s caps', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    const form = await screen.findByRole('form', { name: 'Add a download' });
    await user.type(within(form).getByLabelText('File address'), 'https://example.com/big.iso');
    await user.click(within(form).getByText('More options'));
    await user.type(within(form).getByLabelText('Limit on wwan0'), '500 MB');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    const [request] = api.callsTo('transfers.start')[0] as [{ caps?: Record<string, number> }];
    expect(request.caps).toEqual({ wwan0: 500_000_000 });
  });

  it('refuses a limit that is not a size, and leaves out an unticked path’s', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'transfers', 'Transfers');
    const form = await screen.findByRole('form', { name: 'Add a download' });
    await user.type(within(form).getByLabelText('File address'), 'https://example.com/big.iso');
    await user.click(within(form).getByText('More options'));
    await user.type(within(form).getByLabelText('Limit on wwan0'), 'lots');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(within(form).getByText(/"lots" is not a size/)).toBeInTheDocument();
    expect(api.callsTo('transfers.start')).toEqual([]);
    await user.click(within(form).getByRole('checkbox', { name: /wwan0/ }));
    expect(within(form).queryByLabelText('Limit on wwan0')).toBeNull();
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    const [request] = api.callsTo('transfers.start')[0] as [{ caps?: Record<string, number> }];
    expect(request.caps).toBeUndefined();
  });
});
