import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { coded } from './fakeApi.ts';
import { renderAt } from './render.tsx';
import { job, withSyncs } from './syncJobs.ts';

/** The Syncs view with one job "docs", and its Edit form opened from the keyboard. */
async function editing(api = withSyncs([job()])) {
  const user = userEvent.setup();
  await renderAt(api, 'syncs', 'Syncs');
  const edit = await screen.findByRole('button', { name: 'Edit docs' });
  edit.focus();
  await user.keyboard('{Enter}');
  const form = screen.getByRole('form', { name: 'Edit docs' });
  const input = (name: string) =>
    within(screen.getByRole('form', { name: 'Edit docs' })).getByLabelText(name);
  return { api, user, edit, form, input };
}

describe('Syncs: editing a job', () => {
  it('changes the schedule, policy, paths, rate limit and password, sending only what changed', async () => {
    const { api, user, edit, form, input } = await editing();
    expect(edit).toHaveAttribute('aria-expanded', 'true');
    expect(input('Local folder')).toHaveFocus();
    expect(input('Run every (minutes)')).toHaveValue('15');
    await user.clear(input('Run every (minutes)'));
    await user.type(input('Run every (minutes)'), '30');
    await user.click(within(form).getByRole('radio', { name: 'Unmetered only' }));
    expect(within(form).queryByLabelText('Cellular allowance a cycle')).toBeNull();
    await user.type(input('Only these interfaces'), 'wlan0, eth0');
    await user.type(input('Rate limit'), '1 MB/s');
    await user.type(input('New password or app token'), 's3cret token');
    expect(input('New password or app token')).toHaveAttribute('type', 'password');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(api.callsTo('syncs.edit')).toEqual([
      [
        'docs',
        {
          everyMinutes: 30,
          policy: { kind: 'unmetered', meteredBytes: null },
          rateBps: 1_000_000,
          paths: ['wlan0', 'eth0'],
          password: 's3cret token',
        },
      ],
    ]);
    expect(screen.queryByRole('form', { name: 'Edit docs' })).toBeNull();
    expect(edit).toHaveFocus();
    expect(screen.getByText('Saved the changes to docs.')).toHaveAttribute('role', 'status');
    expect(screen.getByRole('listitem', { name: 'docs' })).toHaveTextContent(
      'every 30 min and on a path change',
    );
  });

  it('says what is wrong with a field, and shows the core refusing the change', async () => {
    const { api, user, form, input } = await editing();
    await user.clear(input('Run every (minutes)'));
    await user.type(input('Run every (minutes)'), 'soon');
    await user.type(input('Rate limit'), 'fast');
    await user.clear(input('Server folder (WebDAV URL)'));
    await user.type(input('Server folder (WebDAV URL)'), 'https://me:pw@cloud.example/dav/');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(input('Run every (minutes)')).toHaveAccessibleDescription(
      'A whole number of minutes, or empty to run by hand.',
    );
    expect(input('Rate limit')).toHaveAccessibleDescription('A rate such as 2 MB/s, or empty for no limit.');
    expect(input('Server folder (WebDAV URL)')).toHaveAccessibleDescription(
      'Leave the user and password out of the address: they have their own fields.',
    );
    expect(api.callsTo('syncs.edit')).toEqual([]);

    api.handlers['syncs.edit'] = () => {
      throw coded('E_BAD_REQUEST', 'The sync job "docs" cannot take that rateBps.');
    };
    await user.clear(input('Run every (minutes)'));
    await user.clear(input('Rate limit'));
    await user.clear(input('Server folder (WebDAV URL)'));
    await user.type(input('Server folder (WebDAV URL)'), job().remote);
    await user.type(input('Rate limit'), '5 MB/s');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('cannot take that rateBps');
    expect(screen.getByRole('form', { name: 'Edit docs' })).toBeInTheDocument();
  });
});

describe('Syncs: editing a job’s folders, and its password', () => {
  it('asks before another folder pair, saying the journal starts afresh and nothing is deleted', async () => {
    const { api, user, input } = await editing();
    await user.clear(input('Local folder'));
    await user.type(input('Local folder'), '/home/me/Elsewhere{Enter}');
    const ask = screen.getByRole('alertdialog', { name: 'Change the folders of docs?' });
    expect(ask).toHaveAccessibleDescription(
      /journal afresh: its next run compares both folders.*deletes nothing\./,
    );
    expect(api.callsTo('syncs.edit')).toEqual([]);
    await user.click(within(ask).getByRole('button', { name: 'Back' }));
    expect(input('Local folder')).toHaveValue('/home/me/Elsewhere');
    expect(input('Local folder')).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await user.click(screen.getByRole('button', { name: 'Save and start afresh' }));
    expect(api.callsTo('syncs.edit')).toEqual([['docs', { local: '/home/me/Elsewhere' }]]);
    expect(screen.getByRole('listitem', { name: 'docs' })).toHaveTextContent('/home/me/Elsewhere ⇄');
  });

  it('does not offer other folders while the job runs, and Escape closes the form', async () => {
    const { user, edit, input } = await editing(withSyncs([job({ state: 'running' })]));
    expect(input('Local folder')).toBeDisabled();
    expect(input('Server folder (WebDAV URL)')).toHaveAccessibleDescription(
      'The job is running: pause it, or wait for its run to end, to change its folders.',
    );
    expect(input('User')).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('form', { name: 'Edit docs' })).toBeNull();
    expect(edit).toHaveFocus();
  });

  it('says so when the password is kept unencrypted because there is no keyring', async () => {
    const note =
      'The password is kept unencrypted in a file only you can read (0600): no keyring (GNOME Keyring or KWallet) was found.';
    await renderAt(withSyncs([job({ password: { from: 'file', note } })]), 'syncs', 'Syncs');
    expect(await screen.findByRole('listitem', { name: 'docs' })).toHaveTextContent(note);
  });
});

describe('Syncs: removing a job', () => {
  it('asks first, saying the files on both sides stay; Escape keeps it, the button removes it', async () => {
    const api = withSyncs([job(), job({ name: 'photos' })]);
    const user = userEvent.setup();
    await renderAt(api, 'syncs', 'Syncs');
    const remove = await screen.findByRole('button', { name: 'Remove docs' });
    await user.click(remove);
    const ask = screen.getByRole('alertdialog', { name: 'Remove the sync job docs?' });
    expect(ask).toHaveAccessibleDescription(
      /The files stay as they are on both sides, in \/home\/me\/Docs and on the server, and so do both trash folders\./,
    );
    expect(within(ask).getByRole('button', { name: 'Keep it' })).toHaveFocus();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(remove).toHaveFocus();
    expect(api.callsTo('syncs.remove')).toEqual([]);

    await user.keyboard('{Enter}');
    await user.click(screen.getByRole('button', { name: 'Yes, remove docs' }));
    expect(api.callsTo('syncs.remove')).toEqual([['docs']]);
    expect(screen.queryByRole('listitem', { name: 'docs' })).toBeNull();
    expect(screen.getByRole('listitem', { name: 'photos' })).toBeInTheDocument();
    expect(
      screen.getByText(/Removed the sync job docs\. Its files stay as they are in \/home\/me\/Docs/),
    ).toBeInTheDocument();
  });

  it('shows the core refusing the removal, and keeps the job', async () => {
    const api = withSyncs([job()]);
    api.handlers['syncs.remove'] = () => {
      throw coded('E_DISK', 'The jobs file cannot be written: the disk is full.');
    };
    const user = userEvent.setup();
    await renderAt(api, 'syncs', 'Syncs');
    await user.click(await screen.findByRole('button', { name: 'Remove docs' }));
    await user.click(screen.getByRole('button', { name: 'Yes, remove docs' }));
    const ask = screen.getByRole('alertdialog', { name: 'Remove the sync job docs?' });
    expect(await within(ask).findByRole('alert')).toHaveTextContent('the disk is full');
    expect(screen.getByRole('listitem', { name: 'docs' })).toBeInTheDocument();
  });
});
