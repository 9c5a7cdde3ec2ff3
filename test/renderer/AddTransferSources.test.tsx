import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { StartTransfer } from '../../common/contract.ts';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

async function openForm() {
  const api = FakeApi.withScenario();
  const user = userEvent.setup();
  await renderAt(api, 'transfers', 'Transfers');
  const form = await screen.findByRole('form', { name: 'Add a download' });
  await user.type(within(form).getByLabelText('File address'), 'https://example.com/big.iso');
  await user.click(within(form).getByText('More options'));
  return { api, user, form };
}

describe('Transfers: mirrors and a login for a download', () => {
  it('sends the mirrors typed a line each (blank lines and the main address left out) and the login', async () => {
    const { api, user, form } = await openForm();
    await user.type(
      within(form).getByLabelText('Mirrors'),
      'https://mirror-a.example.net/big.iso\n\nhttps://example.com/big.iso\nhttp://mirror-b.example.org/pub/big.iso',
    );
    await user.type(within(form).getByLabelText('User'), 'me');
    await user.type(within(form).getByLabelText('Password'), 's3cret pass');
    expect(within(form).getByLabelText('Password')).toHaveAttribute('type', 'password');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    const [request] = api.callsTo('transfers.start')[0] as [StartTransfer];
    expect(request.mirrors).toEqual([
      'https://mirror-a.example.net/big.iso',
      'http://mirror-b.example.org/pub/big.iso',
    ]);
    expect(request.login).toEqual({ user: 'me', password: 's3cret pass' });
    // The next download starts without them.
    expect(within(form).getByLabelText('Password')).toHaveValue('');
    expect(within(form).getByLabelText('Mirrors')).toHaveValue('');
  });

  it('sends neither when none is typed', async () => {
    const { api, user, form } = await openForm();
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    const [request] = api.callsTo('transfers.start')[0] as [StartTransfer];
    expect(request).not.toHaveProperty('mirrors');
    expect(request).not.toHaveProperty('login');
  });

  it('names the mirror line that is not a web address, and starts nothing', async () => {
    const { api, user, form } = await openForm();
    await user.type(
      within(form).getByLabelText('Mirrors'),
      'https://ok.example.net/a\nftp://old.example.net/a',
    );
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(within(form).getByText(/Mirror on line 2: .*not ftp:/)).toBeInTheDocument();
    expect(within(form).getByLabelText('Mirrors')).toHaveAttribute('aria-invalid', 'true');
    expect(within(form).getByLabelText('Mirrors')).toHaveFocus();
    expect(api.callsTo('transfers.start')).toEqual([]);
  });

  it('refuses a password without a user, and a user name with a colon', async () => {
    const { api, user, form } = await openForm();
    await user.type(within(form).getByLabelText('Password'), 'pw');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(within(form).getByText('Enter the user name that goes with the password.')).toBeInTheDocument();
    await user.type(within(form).getByLabelText('User'), 'a:b');
    await user.click(within(form).getByRole('button', { name: /Download/ }));
    expect(within(form).getByText(/can’t contain a colon/)).toBeInTheDocument();
    expect(api.callsTo('transfers.start')).toEqual([]);
  });
});
