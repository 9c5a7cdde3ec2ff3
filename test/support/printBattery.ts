/**
 * Runs the real BatteryMonitor (systeminformation + the battery's gauge) and prints one JSON
 * reading per stdin line. Each line is the clock in ms the reading is taken at, so a test can
 * step time without waiting. Used under a private mount namespace whose
 * /sys/class/power_supply is a fake tree.
 */
import { createInterface } from 'node:readline';
import { BatteryMonitor } from '../../main/monitor/BatteryMonitor.ts';

let now = 0;
const monitor = new BatteryMonitor({ minSpanMs: 60_000, now: () => now });
for await (const line of createInterface({ input: process.stdin })) {
  now = Number(line);
  process.stdout.write(`${JSON.stringify(await monitor.refresh())}\n`);
}
