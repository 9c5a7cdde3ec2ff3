import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { PathInfo } from '../../common/contract.ts';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

async function card(name: string): Promise<HTMLElement> {
  const grid = await screen.findByRole('list', { name: 'Network paths' });
  return within(grid).getByRole('listitem', { name });
}

const radio = (where: HTMLElement, name: string): HTMLElement => within(where).getByRole('radio', { name });

/** The scenario, with path.setPreference answering only when `release` is called. */
function slowSave(): { api: ReturnType<typeof FakeApi.withScenario>; release: () => void } {
  const api = FakeApi.withScenario();
  const save = api.handlers['paths.setPreference'];
  let release = (): void => undefined;
  api.handlers['paths.setPreference'] = (name, preference) =>
    new Promise<PathInfo[]>((resolve) => {
      release = () => resolve(save?.(name, preference) as PathInfo[]);
    });
  return { api, release: () => release() };
}

describe('Overview: a path’s preference, explained where it is chosen (issue 24)', () => {
  it('says what each path’s choice means among the others', async () => {
    await renderAt(FakeApi.withScenario(), 'overview', 'Overview');
    expect(await card('usb0')).toHaveTextContent('Backup: only if Wi-Fi and cellular drop');
    expect(await card('wwan0')).toHaveTextContent(
      'Secondary: joins Wi-Fi in aggregate downloads, and counts against its plan',
    );
    expect(await card('wlan0')).toHaveTextContent('Always: every download uses it');
    const group = within(await card('usb0')).getByRole('group', { name: 'How Pathwise uses usb0' });
    expect(group).toHaveAccessibleDescription('Backup: only if Wi-Fi and cellular drop');
  });

  it('confirms a change once the core saved it, with what it now means', async () => {
    const user = userEvent.setup();
    await renderAt(FakeApi.withScenario(), 'overview', 'Overview');
    const wwan = await card('wwan0');
    await user.click(radio(wwan, 'Backup'));
    expect(await within(wwan).findByRole('status')).toHaveTextContent('Saved: wwan0 is now Backup.');
    expect(wwan).toHaveTextContent('Backup: only if Wi-Fi drops');
  });
});

describe('Overview: the preference control from the keyboard (issue 24)', () => {
  it('moves with arrow keys without saving each step, and saves where they stop on Enter', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    const usb = await card('usb0');
    radio(usb, 'Never').click();
    await within(usb).findByText('Saved: usb0 is now Never.');
    radio(usb, 'Never').focus();
    await user.keyboard('{ArrowLeft}{ArrowLeft}{ArrowLeft}');
    // Never → Backup → Secondary → Always: nothing saved on the way.
    expect(radio(usb, 'Always')).toBeChecked();
    expect(api.callsTo('paths.setPreference')).toEqual([['usb0', 'never']]);
    await user.keyboard('{Enter}');
    expect(api.callsTo('paths.setPreference')).toEqual([
      ['usb0', 'never'],
      ['usb0', 'always'],
    ]);
    expect(await within(usb).findByText('Saved: usb0 is now Always.')).toBeInTheDocument();
    expect(radio(usb, 'Always')).toHaveFocus();
  });

  it('saves where the arrows stopped when focus leaves the control', async () => {
    const api = FakeApi.withScenario();
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    const usb = await card('usb0');
    radio(usb, 'Backup').focus();
    await user.keyboard('{ArrowLeft}');
    expect(api.callsTo('paths.setPreference')).toEqual([]);
    await user.tab();
    expect(api.callsTo('paths.setPreference')).toEqual([['usb0', 'secondary']]);
  });

  it('keeps focus on the control while the core saves, the control still enabled', async () => {
    const { api, release } = slowSave();
    const user = userEvent.setup();
    await renderAt(api, 'overview', 'Overview');
    const usb = await card('usb0');
    radio(usb, 'Backup').focus();
    await user.keyboard('{ArrowRight}{Enter}');
    const group = within(usb).getByRole('group', { name: 'How Pathwise uses usb0' });
    expect(group).toHaveAttribute('aria-busy', 'true');
    expect(group).toBeEnabled();
    expect(radio(usb, 'Never')).toHaveFocus();
    await act(async () => release());
    expect(await within(usb).findByText('Saved: usb0 is now Never.')).toBeInTheDocument();
    expect(radio(usb, 'Never')).toHaveFocus();
    expect(group).not.toHaveAttribute('aria-busy');
  });
});
