import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import si from 'systeminformation';
import type { Battery } from '../../common/contract.ts';

export interface BatteryMonitorOptions {
  /** Where Linux exposes batteries; systeminformation always reads /sys/class/power_supply itself. */
  powerSupplyDir?: string;
  intervalMs?: number;
  /** Shortest span of energy readings a discharge rate is computed from when the battery has no power meter. */
  minSpanMs?: number;
  now?: () => number;
}

interface BatteryEvents {
  battery: [Battery];
}

/** The battery's own fuel-gauge values from its uevent, converted to W and Wh. */
export interface GaugeReading {
  status: string | undefined;
  powerW: number | undefined;
  energyWh: number | undefined;
  fullWh: number | undefined;
}

function ueventValue(text: string, key: string): number | undefined {
  const match = new RegExp(`^POWER_SUPPLY_${key}=(-?\\d+)$`, 'm').exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Linux power-supply units are µW, µWh, µA, µAh and µV. */
export function parseGauge(uevent: string): GaugeReading {
  const status = /^POWER_SUPPLY_STATUS=(.+)$/m.exec(uevent)?.[1]?.trim();
  const voltageV = (ueventValue(uevent, 'VOLTAGE_NOW') ?? 0) / 1e6;
  const designV = (ueventValue(uevent, 'VOLTAGE_MIN_DESIGN') ?? 0) / 1e6 || voltageV;
  const powerNow = ueventValue(uevent, 'POWER_NOW');
  const currentNow = ueventValue(uevent, 'CURRENT_NOW');
  let powerW: number | undefined;
  if (powerNow !== undefined && powerNow !== 0) powerW = Math.abs(powerNow) / 1e6;
  else if (currentNow !== undefined && currentNow !== 0 && voltageV > 0)
    powerW = (Math.abs(currentNow) / 1e6) * voltageV;
  const energyNow = ueventValue(uevent, 'ENERGY_NOW');
  const chargeNow = ueventValue(uevent, 'CHARGE_NOW');
  const energyFull = ueventValue(uevent, 'ENERGY_FULL');
  const chargeFull = ueventValue(uevent, 'CHARGE_FULL');
  const energyWh =
    energyNow !== undefined
      ? energyNow / 1e6
      : chargeNow !== undefined && voltageV > 0
        ? (chargeNow / 1e6) * voltageV
        : undefined;
  const fullWh =
    energyFull !== undefined
      ? energyFull / 1e6
      : chargeFull !== undefined && designV > 0
        ? (chargeFull / 1e6) * designV
        : undefined;
  return { status, powerW, energyWh, fullWh };
}

const round = (value: number, step: number): number => Math.round(value / step) * step;

/**
 * Battery state for the energy figures: present?, percent, charging, capacity in Wh, and the
 * measured discharge rate of the whole machine, which the dashboard shows beside the radio model's
 * estimate. systeminformation gives the state on every OS; on Linux the battery's own gauge gives
 * the rate (power_now, or current × voltage: `power-meter`), and where it has none the rate is
 * measured from the fall of the stored energy over at least a minute (`energy-drop`; also where
 * systeminformation reports the stored energy in mWh on other systems).
 */
export class BatteryMonitor extends EventEmitter<BatteryEvents> {
  private readonly powerSupplyDir: string;
  private readonly intervalMs: number;
  private readonly minSpanMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private current: Battery = {
    present: false,
    percent: null,
    charging: false,
    acConnected: true,
    capacityWh: null,
    dischargeW: null,
    dischargeSource: null,
  };
  private lastKey = '';
  /** Energy readings while discharging, oldest first; cleared when the battery starts charging. */
  private samples: Array<{ t: number; wh: number }> = [];

  constructor(options: BatteryMonitorOptions = {}) {
    super();
    this.powerSupplyDir = options.powerSupplyDir ?? '/sys/class/power_supply';
    this.intervalMs = options.intervalMs ?? 30_000;
    this.minSpanMs = options.minSpanMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  snapshot(): Battery {
    return this.current;
  }

  /** The latest reading, reading the battery first if it never was. */
  async get(): Promise<Battery> {
    return this.lastKey === '' ? this.refresh() : this.current;
  }

  async refresh(): Promise<Battery> {
    const [data, gauge] = await Promise.all([si.battery(), this.readGauge()]);
    const present = data.hasBattery;
    const t = this.now();
    let capacityWh: number | null = null;
    if (data.capacityUnit === 'mWh' && data.maxCapacity > 0) capacityWh = data.maxCapacity / 1000;
    else if (gauge?.fullWh) capacityWh = gauge.fullWh;
    const discharging = gauge?.status
      ? gauge.status === 'Discharging'
      : present && !data.isCharging && !data.acConnected;
    const energyWh =
      gauge?.energyWh ?? (data.capacityUnit === 'mWh' && present ? data.currentCapacity / 1000 : undefined);
    let dischargeW: number | null = null;
    let dischargeSource: Battery['dischargeSource'] = null;
    if (present && discharging) {
      if (gauge?.powerW !== undefined) {
        dischargeW = gauge.powerW;
        dischargeSource = 'power-meter';
      } else if (energyWh !== undefined) {
        dischargeW = this.rateFromEnergy(t, energyWh);
        if (dischargeW !== null) dischargeSource = 'energy-drop';
      }
    } else {
      this.samples = [];
    }
    const battery: Battery = {
      present,
      percent: present ? Math.round(data.percent * 10) / 10 : null,
      charging: present && data.isCharging,
      acConnected: data.acConnected,
      capacityWh: present && capacityWh !== null ? Math.round(capacityWh * 100) / 100 : null,
      dischargeW: dischargeW === null ? null : Math.round(dischargeW * 100) / 100,
      dischargeSource,
    };
    this.current = battery;
    // Publish when something a user would notice changed, not on every gauge flicker.
    const key = JSON.stringify({
      ...battery,
      percent: battery.percent === null ? null : Math.round(battery.percent),
      dischargeW: battery.dischargeW === null ? null : round(battery.dischargeW, 0.1),
    });
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.emit('battery', battery);
    }
    return battery;
  }

  private rateFromEnergy(t: number, wh: number): number | null {
    const last = this.samples[this.samples.length - 1];
    if (!last || last.wh !== wh) this.samples.push({ t, wh });
    // Keep a quarter of an hour: long enough for coarse gauges, short enough to follow the load.
    const horizon = Math.max(this.minSpanMs, 15 * 60_000);
    while (this.samples.length > 2 && t - (this.samples[1]?.t ?? t) > horizon) this.samples.shift();
    const first = this.samples[0];
    const newest = this.samples[this.samples.length - 1];
    if (!first || !newest || newest.t - first.t < this.minSpanMs || newest.wh >= first.wh) return null;
    return (first.wh - newest.wh) / ((newest.t - first.t) / 3_600_000);
  }

  /** Linux only: the same battery systeminformation picks (BAT1, else BAT0). */
  private async readGauge(): Promise<GaugeReading | undefined> {
    if (process.platform !== 'linux') return undefined;
    for (const name of ['BAT1', 'BAT0']) {
      try {
        return parseGauge(await readFile(join(this.powerSupplyDir, name, 'uevent'), 'utf8'));
      } catch {
        // try the next one
      }
    }
    return undefined;
  }
}
