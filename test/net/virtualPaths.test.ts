import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PathInfo, UsageSummary } from '../../common/contract.ts';
import { REPO_ROOT, testEnv } from '../support/cli.ts';
import { startLabRangeServer } from '../support/labServer.ts';
import { LineReader } from '../support/lines.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, file, netnsNeeds } from '../support/rootOnly.ts';

const run = promisify(execFile);
const MB = 1_000_000;
const SIZE = 6 * MB;
const FILE_URL = `http://${SERVER_ADDRESS}:8080/file.bin`;
const PYTHON = ['/usr/bin/python3', '/bin/python3'].find((p) => existsSync(p));

/**
 * A userspace VPN, as OpenVPN is one: a tun device whose packets travel as UDP datagrams between
 * two relays, the client's bound to wlan0's address, so every byte through tun0 crosses wlan0
 * again, wrapped. The device goes when the relay does.
 */
const RELAY = `
import fcntl, os, select, socket, struct, sys
name, local, remote = sys.argv[1:4]
fd = os.open('/dev/net/tun', os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', name.encode(), 0x0001 | 0x1000))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((local, 51820))
peer = (remote, 51820)
print('ready', flush=True)
while True:
    ready, _, _ = select.select([fd, s], [], [])
    if fd in ready:
        s.sendto(os.read(fd, 65536), peer)
    if s in ready:
        os.write(fd, s.recv(65536))
`;

/**
 * The app's core (monitor, engine, ledger, as createPathwise composes them) in the lab's client
 * namespace, on the platform given: one JSON line per counters tick with the monitor's counters,
 * and on "report" one with the paths and the usage summary.
 */
const APP = `
import { createInterface } from 'node:readline';
const { createPathwise } = await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'main/core/createPathwise.ts')).href)});
const [dataDir, platform] = process.argv.slice(2);
const app = await createPathwise({
  shell: 'headless',
  dataDir,
  monitor: { platform, osCountersIntervalMs: 2000, ...(platform === 'linux' ? {} : { linkWatch: 'poll' }) },
});
app.service.subscribe((channel) => {
  if (channel !== 'throughput') return;
  const totals = Object.fromEntries(app.monitor.counterTotals());
  process.stdout.write(JSON.stringify({ totals }) + '\\n');
});
await app.service.start();
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'report') {
    const paths = await app.service.invoke('paths.list', []);
    const usage = await app.service.invoke('usage.summary', []);
    process.stdout.write(JSON.stringify({ paths, usage }) + '\\n');
  } else if (line === 'quit') {
    await app.service.stop();
    process.exit(0);
  }
}
`;

type Counters = Record<string, { rx: number; tx: number }>;
type Tick = { totals: Record<string, { rxBytes: number; txBytes: number }> };

let lab: NetLab;
/** A container's namespace behind docker0, named so NetLab's sweep removes it after a crash. */
let container: string;

async function sh(args: string[]): Promise<string> {
  return (await run(args[0] as string, args.slice(1))).stdout;
}

/** tun0 (198.18.200.2 ↔ 198.18.200.1, inside the lab's range) over wlan0, by the relays above. */
async function startVpn(): Promise<void> {
  const relay = (ns: 'client' | 'server', name: string, local: string, remote: string) => {
    const child = lab.spawnIn(ns, PYTHON as string, ['-c', RELAY, name, local, remote]);
    return new LineReader(child.stdout).waitFor((l) => l === 'ready', 30_000);
  };
  const wlan0 = lab.path('wlan0');
  await relay('server', 'tun-s', wlan0.gateway, wlan0.clientAddress);
  await relay('client', 'tun0', wlan0.clientAddress, wlan0.gateway);
  await lab.inServer(['ip', 'addr', 'add', '198.18.200.1', 'peer', '198.18.200.2', 'dev', 'tun-s']);
  await lab.inServer(['ip', 'link', 'set', 'tun-s', 'up', 'mtu', '1400']);
  await lab.inClient(['ip', 'addr', 'add', '198.18.200.2', 'peer', '198.18.200.1', 'dev', 'tun0']);
  await lab.inClient(['ip', 'link', 'set', 'tun0', 'up', 'mtu', '1400']);
  // What leaves from the VPN's address goes through it (as a VPN's own routes would send it).
  await lab.inClient(['ip', 'route', 'add', 'default', 'dev', 'tun0', 'table', '250']);
  await lab.inClient(['ip', 'rule', 'add', 'from', '198.18.200.2', 'table', '250', 'priority', '1100']);
}

/** Docker's shape: a bridge, a veth into a container, the container's traffic routed out over wlan0. */
async function startContainer(): Promise<void> {
  container = `pwc-${process.pid}-${9000 + Math.floor(Math.random() * 999)}`;
  await sh(['ip', 'netns', 'add', container]);
  const inContainer = (args: string[]) => sh(['ip', 'netns', 'exec', container, ...args]);
  await sh([
    'ip',
    '-n',
    lab.client,
    'link',
    'add',
    'vethk0',
    'type',
    'veth',
    'peer',
    'name',
    'eth0',
    'netns',
    container,
  ]);
  await lab.inClient(['ip', 'link', 'add', 'docker0', 'type', 'bridge']);
  await lab.inClient(['ip', 'addr', 'add', '198.18.50.1/24', 'dev', 'docker0']);
  await lab.inClient(['ip', 'link', 'set', 'docker0', 'up']);
  await lab.inClient(['ip', 'link', 'set', 'vethk0', 'master', 'docker0', 'up']);
  await lab.inClient(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  await inContainer(['ip', 'link', 'set', 'lo', 'up']);
  await inContainer(['ip', 'addr', 'add', '198.18.50.2/24', 'dev', 'eth0']);
  await inContainer(['ip', 'link', 'set', 'eth0', 'up']);
  await inContainer(['ip', 'route', 'add', 'default', 'via', '198.18.50.1']);
  await lab.inServer(['ip', 'route', 'add', '198.18.50.0/24', 'via', lab.path('wlan0').clientAddress]);
}

async function counters(names: string[]): Promise<Counters> {
  const entries = await Promise.all(names.map(async (n) => [n, await lab.settledCounters(n)] as const));
  return Object.fromEntries(entries);
}

const delta = (a: Counters, b: Counters, name: string): number =>
  (b[name]?.rx ?? 0) - (a[name]?.rx ?? 0) + ((b[name]?.tx ?? 0) - (a[name]?.tx ?? 0));

/** The app in the client namespace; resolves once its monitor has read counters of `names`. */
async function startApp(platform: NodeJS.Platform, names: string[]) {
  const dataDir = await mkdtemp(join(tmpdir(), 'pw-virt-net-'));
  // A file, not -e: --input-type would reach systeminformation's worker, whose source is CommonJS.
  const script = join(dataDir, 'app.mjs');
  await writeFile(script, APP);
  const child = lab.spawnIn(
    'client',
    process.execPath,
    ['--disable-warning=ExperimentalWarning', script, dataDir, platform],
    { cwd: REPO_ROOT, env: testEnv({ PATHWISE_DATA_DIR: dataDir }) },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const out = new LineReader(child.stdout);
  const ticks = (): Tick[] => out.json<Tick>().filter((l) => l.totals);
  const seen = (target: Counters) => (line: string) => {
    const tick = JSON.parse(line) as Partial<Tick>;
    return Object.entries(target).every(([n, c]) => {
      const t = tick.totals?.[n];
      return t !== undefined && t.rxBytes >= c.rx && t.txBytes >= c.tx;
    });
  };
  const zero = Object.fromEntries(names.map((n) => [n, { rx: 0, tx: 0 }]));
  await out.waitFor(seen(zero), 60_000).catch((e: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n${stderr}`);
  });
  return {
    ticks,
    /** Waits until the monitor (and so the ledger, which it feeds first) has read these counters. */
    caughtUp: (target: Counters) => out.waitFor(seen(target), 60_000, 0),
    report: async (): Promise<{ paths: PathInfo[]; usage: UsageSummary }> => {
      const from = out.lines.length;
      child.stdin?.write('report\n');
      const line = await out.waitFor((l) => l.startsWith('{"paths"'), 30_000, from);
      return JSON.parse(line) as { paths: PathInfo[]; usage: UsageSummary };
    },
    quit: async (): Promise<void> => {
      child.stdin?.write('quit\n');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
    },
  };
}

const curl = (args: string[]): Promise<string> =>
  lab.inClient(['curl', '-sf', '-o', '/dev/null', ...args, FILE_URL]);

describeNeeding([
  ...netnsNeeds(),
  file('python3', '/usr/bin/python3', '/bin/python3'),
  file('TUN device', '/dev/net/tun'),
])(
  'virtual paths on real counters: a VPN over Wi-Fi, Docker’s bridge, cellular (issue 20 cases 12, 10)',
  () => {
    beforeAll(async () => {
      lab = await NetLab.create([{ name: 'wlan0' }, { name: 'wwan0' }]);
      for (const ns of ['inClient', 'inServer'] as const) {
        await lab[ns](['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
        await lab[ns](['sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']);
      }
      await startLabRangeServer(lab, SIZE, 12);
      await startVpn();
      await startContainer();
    });
    afterAll(async () => {
      if (container) await sh(['ip', 'netns', 'del', container]).catch(() => undefined);
      await lab?.destroy();
    });

    it(
      'counts each byte once: the VPN under its own name, riding on wlan0; bridges nowhere',
      countsEachByteOnce,
    );

    it(
      'off Linux (systeminformation’s counters, read every few seconds): all bytes, energy, totals',
      offLinux,
    );
  },
);

/** Case 12: a download through the VPN, one over cellular, one from a container. */
async function countsEachByteOnce(): Promise<void> {
  const names = ['wlan0', 'wwan0', 'tun0', 'docker0', 'vethk0'];
  const app = await startApp('linux', ['wlan0', 'wwan0', 'tun0']);
  const before = await counters(names);
  await curl(['--interface', 'tun0']);
  await curl(['--interface', 'wwan0']);
  await sh(['ip', 'netns', 'exec', container, 'curl', '-sf', '-o', '/dev/null', FILE_URL]);
  const after = await counters(names);
  // The monitor leaves bridges out of its counters: wait for the paths'.
  const { docker0: _d, vethk0: _v, ...paths_ } = after;
  await app.caughtUp(paths_);
  const { paths, usage } = await app.report();
  await app.quit();

  const byName = Object.fromEntries(paths.map((p) => [p.name, p]));
  expect(byName['tun0']).toMatchObject({ type: 'vpn', ridesOn: 'wlan0', metered: false });
  expect(byName['docker0']).toMatchObject({ type: 'virtual', preference: 'never' });
  expect(byName['vethk0']).toMatchObject({ type: 'virtual', preference: 'never' });
  expect(byName['wlan0']?.ridesOn).toBeUndefined();

  const link = Object.fromEntries(names.map((n) => [n, delta(before, after, n)]));
  const used = Object.fromEntries(usage.paths.map((p) => [p.name, p]));
  const physical = link['wlan0']! + link['wwan0']!;
  const naive = names.reduce((sum, n) => sum + link[n]!, 0);
  console.log(
    `case 12: links ${JSON.stringify(link)}; ledger total ${usage.totalBytes} vs physical ${physical} ` +
      `(${((usage.totalBytes ?? 0) / physical).toFixed(4)}); listed paths summed (VPN again): ` +
      `${usage.paths.reduce((s, p) => s + p.allBytes, 0)}; every interface summed, as before the fix: ${naive}`,
  );
  // The VPN carried a whole download, which crossed wlan0 again, wrapped.
  expect(link['tun0']).toBeGreaterThan(SIZE);
  expect(link['wlan0']).toBeGreaterThan(2 * SIZE);
  expect(used['tun0']).toMatchObject({ ridesOn: 'wlan0' });
  expect(used['tun0']?.allBytes).toBeGreaterThan(link['tun0']! * 0.98);
  expect(used['tun0']?.allBytes).toBeLessThan(link['tun0']! * 1.02);
  expect(Object.keys(used)).not.toContain('docker0');
  expect(Object.keys(used)).not.toContain('vethk0');
  // Each byte once: the physical paths' counters, neither the VPN's nor the bridge's again.
  expect(usage.totalBytes).toBeGreaterThan(physical * 0.98);
  expect(usage.totalBytes).toBeLessThan(physical * 1.02);
}

/** Case 10: the same on the monitor's non-Linux way (systeminformation's counters). */
async function offLinux(): Promise<void> {
  const names = ['wlan0', 'wwan0', 'tun0'];
  const app = await startApp('darwin', names);
  const before = await counters(names);
  await curl(['--interface', 'wlan0']);
  await curl(['--interface', 'wwan0']);
  await curl(['--interface', 'tun0']);
  const after = await counters(names);
  await app.caughtUp(after);
  const { paths, usage } = await app.report();
  await app.quit();

  const byName = Object.fromEntries(paths.map((p) => [p.name, p]));
  expect(byName['wwan0']).toMatchObject({ type: 'cellular', up: true });
  expect(byName['tun0']?.type).toBe('vpn');
  const used = Object.fromEntries(usage.paths.map((p) => [p.name, p]));
  const link = Object.fromEntries(names.map((n) => [n, delta(before, after, n)]));
  console.log(
    `case 10 (platform darwin on Linux): links ${JSON.stringify(link)}; ledger ` +
      names.map((n) => `${n} ${used[n]?.allBytes}`).join(', ') +
      `; total ${usage.totalBytes}; wwan0 energy ${used['wwan0']?.energyWh.toFixed(5)} Wh; ` +
      `${app.ticks().length} ticks`,
  );
  for (const name of names) {
    expect(link[name], name).toBeGreaterThan(SIZE);
    expect(used[name]?.allBytes, name).toBeGreaterThan(link[name]! * 0.98);
    expect(used[name]?.allBytes, name).toBeLessThan(link[name]! * 1.02);
  }
  expect(used['wwan0']?.energyWh).toBeGreaterThan(0);
  const physical = link['wlan0']! + link['wwan0']!;
  expect(usage.totalBytes).toBeGreaterThan(physical * 0.98);
  expect(usage.totalBytes).toBeLessThan(physical * 1.02);
}
