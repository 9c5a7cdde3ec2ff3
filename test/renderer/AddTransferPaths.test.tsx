import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

type ScenarioApi = ReturnType<typeof FakeApi.withScenario>;

async function form(api: ScenarioApi): Promise<HTMLElement> {
  await renderAt(api, 'transfers', 'Transfers');
  return screen.findByRole('form', { name: 'Add a download' });
}

const box = (within_: HTMLElement, name: RegExp): HTMLElement =>
  within(within_).getByRole('checkbox', { name });

/** The scenario with `name` at `share` of its cap this cycle. */
function usedShare(api: ScenarioApi, name: string, share: number): void {
  const usage = api.s.usage.paths.find((p) => p.name === name);
  if (!usage?.capBytes) throw new Error(`no cap on ${name} in the scenario`);
  usage.allBytes = usage.capBytes * share;
}

describe('Add a download: each path says what ticking it means (issue 24)', () => {
  it('explains each path by its preference among the others, as its card does', async () => {
    const add = await form(FakeApi.withScenario());
    expect(box(add, /^wlan0/)).toHaveAccessibleDescription('Always: every download uses it');
    expect(box(add, /^wwan0/)).toHaveAccessibleDescription(
      'Secondary: joins Wi-Fi in aggregate downloads, and counts against its plan',
    );
    // Backup, metered: it carries nothing while Wi-Fi or cellular is up, whatever the box says.
    expect(box(add, /^usb0/)).toHaveAccessibleName('usb0 Metered');
    expect(box(add, /^usb0/)).toHaveAccessibleDescription('Backup: only if Wi-Fi and cellular drop');
  });

  it('uses the words of the path’s card on Overview (one explanation, not two)', async () => {
    const api = FakeApi.withScenario();
    const { unmount } = await renderAt(api, 'overview', 'Overview');
    const card = await screen.findByRole('listitem', { name: 'usb0' });
    const onCard = within(card)
      .getByText(/only if/)
      .closest('p')
      ?.textContent?.replace(/\s+/g, ' ');
    unmount();
    const add = await form(api);
    expect(onCard).toBe('Backup: only if Wi-Fi and cellular drop');
    expect(box(add, /^usb0/)).toHaveAccessibleDescription(onCard ?? '');
  });

  it('says a path is at its cap, and what its plan does there; not below it', async () => {
    const api = FakeApi.withScenario();
    usedShare(api, 'wwan0', 1.01); // its plan slows at the cap
    usedShare(api, 'usb0', 1); // its plan stops at the cap
    const add = await form(api);
    expect(box(add, /^wwan0/)).toHaveAccessibleName('wwan0 Metered At its cap');
    expect(box(add, /^wwan0/)).toHaveAccessibleDescription(
      'Secondary: joins Wi-Fi in aggregate downloads, and counts against its plan. At its 10 GB cap: Pathwise slows its own use of it.',
    );
    expect(box(add, /^usb0/)).toHaveAccessibleDescription(
      'Backup: only if Wi-Fi and cellular drop. At its 5 GB cap: Pathwise no longer uses it.',
    );
    expect(within(add).getAllByText('At its cap')).toHaveLength(2);
  });

  it('says nothing of a cap at 99 % of it', async () => {
    const api = FakeApi.withScenario();
    usedShare(api, 'wwan0', 0.99);
    const add = await form(api);
    expect(box(add, /^wwan0/)).toHaveAccessibleName('wwan0 Metered');
    expect(within(add).queryByText('At its cap')).not.toBeInTheDocument();
  });

  it('says, once a box is unticked, that the ticked paths are used as chosen, preferences aside', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    const add = await form(api);
    await user.click(box(add, /^wlan0/));
    expect(box(add, /^wlan0/)).toHaveAccessibleDescription('Not used by this download');
    expect(box(add, /^usb0/)).toHaveAccessibleDescription(
      'Chosen for this download: its Backup preference is set aside',
    );
    await user.type(within(add).getByLabelText('File address'), 'https://example.com/big.iso');
    await user.click(within(add).getByRole('button', { name: /Download/ }));
    const [request] = api.callsTo('transfers.start')[0] as [{ paths: string[] | null }];
    expect(request.paths).toEqual(['wwan0', 'usb0']);
    // Every box ticked again: the preferences decide, and say so.
    await user.click(box(add, /^wlan0/));
    expect(box(add, /^usb0/)).toHaveAccessibleDescription('Backup: only if Wi-Fi and cellular drop');
  });
});
