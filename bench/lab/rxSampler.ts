import { spawn } from 'node:child_process';
import type { NetLab } from '../../test/support/netns.ts';

export interface RxSampler {
  /** Milliseconds from `epochMs` to the first sample with more than 1 kB received; stops sampling. */
  firstByteAfter: (epochMs: number) => Promise<number>;
}

/**
 * Samples the client's receive counters every 5 ms from inside its namespace, for the time to a
 * tool's first payload byte: where a race against a fault at 3 s is won or lost.
 */
export async function rxSampler(lab: NetLab): Promise<RxSampler> {
  const script = `const fs = require('node:fs');
const names = fs.readdirSync('/sys/class/net').filter((n) => n !== 'lo');
const read = () => names.reduce((n, name) => n + Number(fs.readFileSync('/sys/class/net/' + name + '/statistics/rx_bytes', 'utf8')), 0);
setInterval(() => process.stdout.write(Date.now() + ' ' + read() + '\\n'), 5);`;
  const child = spawn('ip', ['netns', 'exec', lab.client, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const samples: Array<[number, number]> = [];
  let partial = '';
  child.stdout.on('data', (data: Buffer) => {
    const lines = (partial + data.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const [at, rx] = line.split(' ').map(Number);
      if (Number.isFinite(at) && Number.isFinite(rx)) samples.push([at as number, rx as number]);
    }
  });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  return {
    firstByteAfter: async (epochMs) => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      const base = [...samples].reverse().find(([at]) => at <= epochMs)?.[1] ?? samples[0]?.[1] ?? 0;
      const first = samples.find(([at, rx]) => at > epochMs && rx - base > 1000);
      return first ? first[0] - epochMs : Number.NaN;
    },
  };
}
