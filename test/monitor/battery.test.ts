import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Battery } from '../../common/contract.ts';
import { parseGauge } from '../../main/monitor/BatteryMonitor.ts';
import { LineReader } from '../support/lines.ts';
import { describeNeeding, file, mountNeeds } from '../support/rootOnly.ts';

const PRINT_BATTERY = fileURLToPath(new URL('../support/printBattery.ts', import.meta.url));

/** A ThinkPad-like battery as Linux exposes it (units µW, µWh, µV). */
function uevent(values: Record<string, string | number>): string {
  const base = {
    NAME: 'BAT0',
    TYPE: 'Battery',
    STATUS: 'Discharging',
    PRESENT: 1,
    TECHNOLOGY: 'Li-poly',
    CYCLE_COUNT: 123,
    VOLTAGE_MIN_DESIGN: 11_580_000,
    VOLTAGE_NOW: 12_100_000,
    POWER_NOW: 7_420_000,
    ENERGY_FULL_DESIGN: 57_000_000,
    ENERGY_FULL: 52_140_000,
    ENERGY_NOW: 38_480_000,
    CAPACITY: 73,
    MODEL_NAME: '5B10W13930',
    MANUFACTURER: 'SMP',
  };
  return Object.entries({ ...base, ...values })
    .map(([k, v]) => `POWER_SUPPLY_${k}=${v}`)
    .join('\n');
}

describe('battery gauge units', () => {
  it('converts µW/µWh and derives watts from current × voltage where power_now is missing', () => {
    expect(parseGauge(uevent({}))).toEqual({
      status: 'Discharging',
      powerW: 7.42,
      energyWh: 38.48,
      fullWh: 52.14,
    });
    const chargeBased = [
      'POWER_SUPPLY_STATUS=Discharging',
      'POWER_SUPPLY_VOLTAGE_NOW=12000000',
      'POWER_SUPPLY_VOLTAGE_MIN_DESIGN=11000000',
      'POWER_SUPPLY_CURRENT_NOW=500000',
      'POWER_SUPPLY_CHARGE_FULL=4000000',
      'POWER_SUPPLY_CHARGE_NOW=2000000',
    ].join('\n');
    expect(parseGauge(chargeBased)).toEqual({ status: 'Discharging', powerW: 6, energyWh: 24, fullWh: 44 });
  });
});

async function fakeTree(
  root: string,
  name: string,
  battery: string | null,
  acOnline: 0 | 1,
): Promise<string> {
  const dir = join(root, name);
  await mkdir(join(dir, 'AC'), { recursive: true });
  await writeFile(join(dir, 'AC', 'online'), `${acOnline}\n`);
  await writeFile(join(dir, 'AC', 'type'), 'Mains\n');
  if (battery !== null) {
    await mkdir(join(dir, 'BAT0'), { recursive: true });
    await writeFile(join(dir, 'BAT0', 'uevent'), `${battery}\n`);
  }
  return dir;
}

/** The monitor in a private mount namespace where the fake tree is /sys/class/power_supply. */
function underFakeSys(dir: string) {
  const child = spawn(
    'unshare',
    [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      `mount --bind "${dir}" /sys/class/power_supply && exec "${process.execPath}" "${PRINT_BATTERY}"`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const out = new LineReader(child.stdout);
  return {
    async read(at: number): Promise<Battery> {
      const from = out.lines.length;
      child.stdin.write(`${at}\n`);
      return JSON.parse(await out.waitFor((l) => l.startsWith('{'), 20_000, from)) as Battery;
    },
    close: () => child.kill(),
  };
}

/** A private mount over /sys/class/power_supply: root, unshare(1) and that folder. */
const describeMounting = describeNeeding(mountNeeds(file('sysfs power_supply', '/sys/class/power_supply')));

describeMounting('BatteryMonitor on a fake /sys/class/power_supply', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pw-power-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads a discharging battery: percent, capacity and the gauge’s own power draw', async () => {
    const sys = underFakeSys(await fakeTree(root, 'discharging', uevent({}), 0));
    try {
      expect(await sys.read(0)).toEqual({
        present: true,
        percent: 73,
        charging: false,
        acConnected: false,
        capacityWh: 52.14,
        dischargeW: 7.42,
        dischargeSource: 'power-meter',
      });
    } finally {
      sys.close();
    }
  });

  it('reads a charging battery on AC: no discharge rate', async () => {
    const tree = await fakeTree(root, 'charging', uevent({ STATUS: 'Charging', POWER_NOW: 30_000_000 }), 1);
    const sys = underFakeSys(tree);
    try {
      expect(await sys.read(0)).toMatchObject({
        present: true,
        charging: true,
        acConnected: true,
        dischargeW: null,
        dischargeSource: null,
      });
    } finally {
      sys.close();
    }
  });

  it('says there is no battery on a desktop', async () => {
    const sys = underFakeSys(await fakeTree(root, 'absent', null, 1));
    try {
      expect(await sys.read(0)).toEqual({
        present: false,
        percent: null,
        charging: false,
        acConnected: true,
        capacityWh: null,
        dischargeW: null,
        dischargeSource: null,
      });
    } finally {
      sys.close();
    }
  });

  it('measures the discharge rate from the falling energy when the gauge has no power meter', async () => {
    const noMeter = (energyNow: number) => uevent({ POWER_NOW: 0, ENERGY_NOW: energyNow });
    const tree = await fakeTree(root, 'no-meter', noMeter(40_000_000), 0);
    const sys = underFakeSys(tree);
    try {
      expect((await sys.read(0)).dischargeW).toBeNull();
      // 0.1 Wh gone in one minute is 6 W.
      await writeFile(join(tree, 'BAT0', 'uevent'), `${noMeter(39_900_000)}\n`);
      expect(await sys.read(60_000)).toMatchObject({ dischargeW: 6, dischargeSource: 'energy-drop' });
      // Plugged in: charging readings never count as discharge.
      await writeFile(join(tree, 'BAT0', 'uevent'), `${uevent({ STATUS: 'Charging', POWER_NOW: 0 })}\n`);
      expect(await sys.read(120_000)).toMatchObject({ dischargeW: null, dischargeSource: null });
    } finally {
      sys.close();
    }
  });
});
