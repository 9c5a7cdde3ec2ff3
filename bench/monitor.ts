/**
 * Path monitor benchmark: how fast `pathwise watch` reports a link going down, and what the
 * monitor costs in CPU while nothing happens; then the health verdict's figures (bench/health.ts:
 * blackholes under traffic and idle, recovery, a path weakened to 1 Mbit, probe bytes per hour).
 *
 *   node bench/monitor.ts [--cuts 20] [--idle-seconds 120] [--modes netlink,poll]
 *                         [--cases links,health] [--health-runs 10] [--idle-interval 30000]
 *
 * Builds a laptop-shaped lab (wlan0, wwan0, usb0, eth0) in network namespaces with a 204 probe
 * endpoint, runs `pathwise watch --json` in it with the default 30 s health-probe interval, and
 * per link-watch mode ('netlink' = the `ip monitor` child, 'poll' = sysfs polling only):
 *  - cuts wlan0 N times (`ip link set down`), timing each cut to the path-down line (p50/p95);
 *  - then leaves it idle and reads the CPU time of the node process and its `ip monitor` child
 *    from /proc, scaled to CPU-seconds per hour.
 * Needs root (network namespaces).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { PATHWISE_BIN, testEnv } from '../test/support/cli.ts';
import { LineReader } from '../test/support/lines.ts';
import { canUseNetns, NetLab, SERVER_ADDRESS } from '../test/support/netns.ts';
import { measureHealth, printHealth } from './health.ts';

const run = promisify(execFile);
const PROBE_SERVER = fileURLToPath(new URL('../test/support/probeServer.ts', import.meta.url));

const { values } = parseArgs({
  options: {
    cuts: { type: 'string', default: '20' },
    'idle-seconds': { type: 'string', default: '120' },
    modes: { type: 'string', default: 'netlink,poll' },
    cases: { type: 'string', default: 'links,health' },
    'health-runs': { type: 'string', default: '10' },
    'idle-interval': { type: 'string', default: '30000' },
  },
});
const cases = new Set(values.cases.split(','));
const cuts = Number(values.cuts);
const idleSeconds = Number(values['idle-seconds']);
const modes = values.modes.split(',') as Array<'netlink' | 'poll'>;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/**
 * CPU time of a process and all its threads (the worker, libuv's pool), in seconds, from the
 * scheduler's nanosecond counters; utime/stime in /proc/<pid>/stat tick at only 10 ms.
 */
function cpuSeconds(pid: number): number {
  let ns = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread ended
      }
    }
  } catch {
    return 0;
  }
  return ns / 1e9;
}

function childrenOf(pid: number): number[] {
  const result: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) result.push(Number(entry));
    } catch {
      // gone
    }
  }
  return result;
}

const isEvent = (type: string, name: string) => (line: string) =>
  line.includes(`"type":"${type}"`) && line.includes(`"name":"${name}"`);

async function measure(lab: NetLab, mode: 'netlink' | 'poll') {
  const dataDir = await mkdtemp(join(tmpdir(), 'pw-bench-mon-'));
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ probeIntervalMs: 30_000 }));
  const watch = lab.spawnIn('client', PATHWISE_BIN, ['watch', '--json'], {
    env: testEnv({
      PATHWISE_DATA_DIR: dataDir,
      PATHWISE_PROBE_URL: `http://${SERVER_ADDRESS}:8204/generate_204`,
      PATHWISE_LINK_WATCH: mode,
    }),
  });
  const out = new LineReader(watch.stdout);
  await out.waitFor(isEvent('path-added', 'wwan0'));
  await out.waitFor((l) => l.includes('"type":"health-changed"') && l.includes('"good"'), 30_000);

  const fromStart: number[] = [];
  const fromDone: number[] = [];
  for (let i = 0; i < cuts; i++) {
    const from = out.lines.length;
    const started = performance.now();
    let done = 0;
    const cut = run('ip', ['-n', lab.client, 'link', 'set', 'wlan0', 'down']).then(() => {
      done = performance.now();
    });
    await out.waitFor(isEvent('path-down', 'wlan0'), 10_000, from);
    const seen = performance.now();
    await cut;
    fromStart.push(seen - started);
    fromDone.push(Math.max(0, seen - done));
    const back = out.lines.length;
    await lab.restore('wlan0');
    await out.waitFor(isEvent('path-up', 'wlan0'), 10_000, back);
    // Let the re-probe after path-up finish so each cut starts from a quiet monitor.
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 200));
  }

  // Idle: nothing changes; what remains is the link tick, counters and 30 s health probes.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const pid = watch.pid as number;
  const helpers = childrenOf(pid);
  const before = cpuSeconds(pid) + helpers.reduce((n, p) => n + cpuSeconds(p), 0);
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const after = cpuSeconds(pid) + helpers.reduce((n, p) => n + cpuSeconds(p), 0);
  const elapsed = (performance.now() - t0) / 1000;
  watch.kill('SIGTERM');

  const sortedStart = [...fromStart].sort((a, b) => a - b);
  const sortedDone = [...fromDone].sort((a, b) => a - b);
  const cpuPerHour = ((after - before) / elapsed) * 3600;
  return {
    mode,
    cuts,
    downP50Ms: percentile(sortedStart, 50),
    downP95Ms: percentile(sortedStart, 95),
    downMaxMs: sortedStart.at(-1) ?? NaN,
    afterCutP50Ms: percentile(sortedDone, 50),
    afterCutP95Ms: percentile(sortedDone, 95),
    idleSeconds: Math.round(elapsed),
    idleCpuSecondsPerHour: cpuPerHour,
    idleCpuPercent: (cpuPerHour / 3600) * 100,
    idleCpuMsPerSecond: cpuPerHour / 3.6,
    helperProcesses: helpers.length,
  };
}

async function main(): Promise<void> {
  if (!canUseNetns()) {
    console.error('bench/monitor.ts needs root and iproute2 (network namespaces).');
    process.exitCode = 1;
    return;
  }
  if (cases.has('links')) await links();
  if (cases.has('health')) {
    const figures = await measureHealth(Number(values['health-runs']), Number(values['idle-interval']));
    printHealth(figures);
    console.log(`\n${JSON.stringify(figures)}`);
  }
}

async function links(): Promise<void> {
  const lab = await NetLab.create([{ name: 'wlan0' }, { name: 'wwan0' }, { name: 'usb0' }, { name: 'eth0' }]);
  try {
    const server = lab.spawnIn('server', process.execPath, [PROBE_SERVER, SERVER_ADDRESS, '8204', '{}']);
    await new LineReader(server.stdout).waitFor((l) => l === 'ready');
    const results = [];
    for (const mode of modes) results.push(await measure(lab, mode));
    console.log(
      `\nPath monitor: link-down → "path-down" line of \`pathwise watch --json\` (${cuts} cuts of wlan0), ` +
        `and idle CPU of the watch process (+ its ip-monitor child) over ${idleSeconds} s, 4 paths, probes every 30 s.\n`,
    );
    console.log(
      'mode     down p50   down p95   down max   (from cut done p50/p95)   idle CPU s/h   idle CPU %',
    );
    for (const r of results) {
      console.log(
        `${r.mode.padEnd(8)} ${r.downP50Ms.toFixed(0).padStart(5)} ms   ${r.downP95Ms.toFixed(0).padStart(5)} ms   ` +
          `${r.downMaxMs.toFixed(0).padStart(5)} ms   (${r.afterCutP50Ms.toFixed(0)} / ${r.afterCutP95Ms.toFixed(0)} ms)` +
          `${''.padStart(18)}${r.idleCpuSecondsPerHour.toFixed(2).padStart(8)}       ${r.idleCpuPercent.toFixed(3)}`,
      );
    }
    console.log(`\n${JSON.stringify(results)}`);
  } finally {
    await lab.destroy();
  }
}

await main();
