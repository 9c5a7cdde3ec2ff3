import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';
import { job, NOW, withSyncs } from './syncJobs.ts';

describe('Syncs', () => {
  it('lists each job with its state, last and next run, policy and bytes per path this cycle', async () => {
    await renderAt(withSyncs([job()]), 'syncs', 'Syncs');
    const row = await screen.findByRole('listitem', { name: 'docs' });
    expect(row).toHaveTextContent('In step');
    expect(row).toHaveTextContent('/home/me/Docs ⇄ https://cloud.example/remote.php/dav/files/me/Docs/');
    expect(row).toHaveTextContent('every 15 min and on a path change');
    expect(row).toHaveTextContent('cellular up to 100 MB a cycle, not on battery below 20 %');
    expect(row).toHaveTextContent('3 uploaded, 2 downloaded, 1 deleted; both sides agreed.');
    expect(row).toHaveTextContent(/Next run: /);
    const cycle = within(row).getByRole('list', { name: 'docs this cycle by path' });
    expect(
      within(cycle)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['wlan0↓ 52.0 MB ↑ 1.0 MB this cycle', 'wwan0↓ 3.0 MB ↑ 0 B this cycle']);
  });

  it("shows a failed run's cause and message, and the conflicts it kept", async () => {
    const failed = job({
      state: 'failed',
      lastRun: {
        ...job().lastRun!,
        ok: false,
        conflicts: ['plan (conflict local 2026-01-02T10-00-00).md'],
        error: {
          code: 'E_QUOTA',
          message: 'The server has no room left for PUT /dav/big.iso (507 Insufficient Storage).',
          cause: 'quota',
        },
      },
    });
    await renderAt(withSyncs([failed]), 'syncs', 'Syncs');
    const row = await screen.findByRole('listitem', { name: 'docs' });
    expect(row).toHaveTextContent('Not in step');
    expect(within(row).getByRole('note')).toHaveTextContent(
      'Failed: the server is full — The server has no room left for PUT /dav/big.iso (507 Insufficient Storage).',
    );
    expect(within(row).getByRole('list', { name: 'Conflict copies' })).toHaveTextContent(
      'plan (conflict local 2026-01-02T10-00-00).md',
    );
  });

  it('runs, pauses and resumes a job through syncs.run, syncs.pause and syncs.resume', async () => {
    const api = withSyncs([job()]);
    const user = userEvent.setup();
    await renderAt(api, 'syncs', 'Syncs');
    await user.click(await screen.findByRole('button', { name: 'Run docs now' }));
    expect(api.callsTo('syncs.run')).toEqual([['docs', { force: false }]]);
    expect(await screen.findByRole('button', { name: 'Run docs now' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Pause docs' }));
    expect(api.callsTo('syncs.pause')).toEqual([['docs']]);
    await user.click(await screen.findByRole('button', { name: 'Resume docs' }));
    expect(api.callsTo('syncs.resume')).toEqual([['docs']]);
    expect(await screen.findByRole('button', { name: 'Pause docs' })).toBeInTheDocument();
  });
});

describe('Syncs: a running job, a stopped one, and none', () => {
  it('follows a running job through the syncs push: files and bytes per path this run', async () => {
    const api = withSyncs([job()]);
    await renderAt(api, 'syncs', 'Syncs');
    await screen.findByRole('listitem', { name: 'docs' });
    act(() =>
      api.push('syncs', [
        job({
          state: 'running',
          progress: {
            startedAt: NOW,
            phase: 'moving',
            filesTotal: 40,
            filesDone: 12,
            bytes: { wlan0: { up: 0, down: 30_000_000 }, wwan0: { up: 2_000_000, down: 12_000_000 } },
          },
        }),
      ]),
    );
    const progress = await screen.findByRole('status', { name: 'docs progress' });
    expect(progress).toHaveTextContent('12 of 40 files');
    expect(progress).toHaveTextContent('wlan0↓ 30.0 MB ↑ 0 B');
    expect(progress).toHaveTextContent('wwan0↓ 12.0 MB ↑ 2.0 MB');
    expect(within(screen.getByRole('listitem', { name: 'docs' })).getByText('Syncing')).toBeInTheDocument();
  });

  it('offers "Run and delete" after a run stopped at the delete share', async () => {
    const stopped = job({
      state: 'failed',
      lastRun: {
        ...job().lastRun!,
        ok: false,
        error: {
          code: 'E_SYNC_DELETES',
          message: 'This run would delete 3 of 4 files (75%).',
          cause: 'deletes',
        },
      },
    });
    const api = withSyncs([stopped]);
    const user = userEvent.setup();
    await renderAt(api, 'syncs', 'Syncs');
    await user.click(await screen.findByRole('button', { name: 'Run and delete' }));
    expect(api.callsTo('syncs.run')).toEqual([['docs', { force: true }]]);
  });

  it('says how to add a job when there is none', async () => {
    await renderAt(withSyncs([]), 'syncs', 'Syncs');
    expect(await screen.findByText('No sync jobs')).toBeInTheDocument();
  });

  it('is calm when the core has no syncs', async () => {
    await renderAt(FakeApi.withScenario(NOW), 'syncs', 'Syncs');
    expect(await screen.findByText('Syncs are not available')).toBeInTheDocument();
  });
});
