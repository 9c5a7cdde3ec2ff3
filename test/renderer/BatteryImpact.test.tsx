import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PathUsage } from '../../common/contract.ts';
import { formatEnergyRange } from '../../renderer/src/views/BatteryImpact.tsx';
import { FakeApi } from './fakeApi.ts';
import { renderAt } from './render.tsx';

/** The scenario with its three paths' energy as the ledger now reports it. */
function withEnergy(energy: Record<string, Partial<PathUsage>>) {
  const api = FakeApi.withScenario();
  api.s.battery = { ...api.s.battery, capacityWh: 56, dischargeW: 9.4, dischargeSource: 'power-meter' };
  api.s.usage.battery = api.s.battery;
  api.s.usage.paths = api.s.usage.paths.map((p) => ({ ...p, ...energy[p.name] }));
  return api;
}

const scenarioEnergy: Record<string, Partial<PathUsage>> = {
  wwan0: {
    energyWh: 0.155,
    energyLowWh: 0.12,
    energyHighWh: 0.19,
    energyOn: 'laptop',
    energyBatteryPct: 0.28,
  },
  usb0: { energyWh: 0.6, energyLowWh: 0.5, energyHighWh: 0.7, energyOn: 'phone', energyBatteryPct: null },
  wlan0: {
    energyWh: 0.03,
    energyLowWh: 0.03,
    energyHighWh: 0.03,
    energyOn: 'laptop',
    energyBatteryPct: 0.05,
  },
};

async function energyList() {
  return screen.findByRole('list', { name: 'Energy per path' });
}
const rowOf = (list: HTMLElement, name: string) => within(list).getByText(name).closest('li') as HTMLElement;

describe('Battery impact', () => {
  it('calls the figures an estimate of Huang et al.’s model, never a measurement', async () => {
    await renderAt(withEnergy(scenarioEnergy), 'usage', 'Usage & cost');
    const section = await screen.findByRole('region', { name: 'Battery impact' });
    expect(section).toHaveTextContent(
      'estimated with the radio power model of Huang et al. (MobiSys 2012) for LTE and Wi-Fi: a model, not a measurement',
    );
    expect(section.textContent).not.toMatch(/measured (power )?model|model \(measured\)/i);
  });

  it('shows each path’s range, and as a range of this machine’s battery', async () => {
    await renderAt(withEnergy(scenarioEnergy), 'usage', 'Usage & cost');
    const list = await energyList();
    expect(rowOf(list, 'wwan0')).toHaveTextContent(/120–190 mWh.*0\.2–0\.3% of battery/);
    // Low and high the same: one figure.
    expect(rowOf(list, 'wlan0')).toHaveTextContent(/30 mWh.*0\.1% of battery/);
  });

  it('puts a tether’s energy on the phone, never on this machine’s battery', async () => {
    await renderAt(withEnergy(scenarioEnergy), 'usage', 'Usage & cost');
    const usb = rowOf(await energyList(), 'usb0');
    expect(usb).toHaveTextContent(/500–700 mWh.*on the phone’s battery/);
    expect(usb).not.toHaveTextContent(/% of battery/);
  });

  it('shows no radio energy for a wired path', async () => {
    await renderAt(
      withEnergy({ ...scenarioEnergy, wlan0: { energyWh: 0, energyOn: 'none', energyBatteryPct: null } }),
      'usage',
      'Usage & cost',
    );
    expect(rowOf(await energyList(), 'wlan0')).toHaveTextContent(/—.*no radio to model/);
  });

  it('cites the coefficients it uses where it shows the figures', async () => {
    await renderAt(withEnergy(scenarioEnergy), 'usage', 'Usage & cost');
    const note = (await screen.findByText('How this is estimated')).closest('details') as HTMLElement;
    expect(note).toHaveTextContent(/Tables 3 and 4/);
    expect(note).toHaveTextContent(
      'LTE: 1,288.04 mW while moving data, plus 51.97 mW per Mbit/s down and 438.39 mW per Mbit/s up; 1,210.7 mW for 260 ms to wake from idle; then 1,060 mW until the next burst, for 11.6 s at most.',
    );
    expect(note).toHaveTextContent('Wi-Fi: 132.86 mW while moving data');
  });

  it('keeps the battery’s measured draw beside the model, saying how it was measured', async () => {
    await renderAt(withEnergy(scenarioEnergy), 'usage', 'Usage & cost');
    expect(
      await screen.findByText(
        /Drawing 9\.4 W now \(measured\): the whole machine, by the battery’s power meter/,
      ),
    ).toBeInTheDocument();
  });

  it('writes ranges compactly', () => {
    expect(formatEnergyRange(0.12, 0.19)).toBe('120–190 mWh');
    expect(formatEnergyRange(1.2, 1.9)).toBe('1.20–1.90 Wh');
    expect(formatEnergyRange(0.8, 1.2)).toBe('0.80–1.20 Wh');
    expect(formatEnergyRange(0.004, 0.006)).toBe('4.0–6.0 mWh');
    expect(formatEnergyRange(4.7, 4.7)).toBe('4.70 Wh');
  });
});
