import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PathEvent, PathInfo } from '../../common/contract.ts';
import { PATHWISE_BIN, runPathwise, SYSTEM_PATH, testEnv } from '../support/cli.ts';
import { LineReader } from '../support/lines.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

const PROBE_SERVER = fileURLToPath(new URL('../support/probeServer.ts', import.meta.url));
const PROBE_URL = `http://${SERVER_ADDRESS}:8204/generate_204`;

/** Interface names as real laptops have them; the index decides each path's 198.18.<i>.2 address. */
const LAPTOP = [
  'wlan0',
  'wwan0',
  'wwp0s20f0u6',
  'ppp0',
  'usb0',
  'enx0c5b8f279a64',
  'eth0',
  'enp3s0',
  'tun0',
  'wg0',
];

async function dataDirWith(settings: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pw-mon-'));
  await writeFile(join(dir, 'settings.json'), JSON.stringify(settings));
  return dir;
}

const isEvent =
  (type: PathEvent['type'], name: string, extra: (e: PathEvent) => boolean = () => true) =>
  (line: string): boolean => {
    try {
      const e = JSON.parse(line) as PathEvent;
      return e.type === type && e.name === name && extra(e);
    } catch {
      return false;
    }
  };

/** Type, state and metered of each path as the lab builds them (eth0 blackholed, enp3s0 cut). */
const LAPTOP_PATHS = {
  lo: ['loopback', true, false],
  wlan0: ['wifi', true, false],
  wlan1: ['wifi', true, false],
  wwan0: ['cellular', true, true],
  wwp0s20f0u6: ['cellular', true, true],
  ppp0: ['cellular', true, true],
  usb0: ['tether', true, true],
  enx0c5b8f279a64: ['tether', true, true],
  eth0: ['ethernet', true, false],
  enp3s0: ['ethernet', false, false],
  tun0: ['vpn', true, false],
  wg0: ['vpn', true, false],
  corpvpn0: ['vpn', false, false],
};

let lab: NetLab;
let probeLog: LineReader;

/** The laptop's interfaces, a second Wi-Fi, a tun device with no telling name, and a probe server. */
async function createLab(): Promise<void> {
  lab = await NetLab.create([
    ...LAPTOP.map((name) => ({ name })),
    // A second Wi-Fi without policy routing, only a NetworkManager-style default of its own: a
    // socket bound to its address alone would leave through wlan0; the probe is pinned to it.
    { name: 'wlan1', policyRouting: false, metric: 650 },
  ]);
  // No IPv6 chatter (router solicitations) muddying the per-interface counters.
  await lab.inClient(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']);
  // A real tun device with no conventional name: only sysfs (tun_flags) says it is a VPN.
  await lab.inClient(['ip', 'tuntap', 'add', 'corpvpn0', 'mode', 'tun']);
  // usb0 (198.18.5.x) sits behind a portal that redirects; enx… (198.18.6.x) serves a sign-in page.
  const server = lab.spawnIn('server', process.execPath, [
    PROBE_SERVER,
    SERVER_ADDRESS,
    '8204',
    JSON.stringify({ '198.18.5.': 'redirect', '198.18.6.': 'page' }),
  ]);
  probeLog = new LineReader(server.stdout);
  await probeLog.waitFor((l) => l === 'ready');
}

describeNeeding(netnsNeeds())('path monitor in a laptop-shaped namespace', () => {
  beforeAll(createLab);
  afterAll(async () => {
    await lab?.destroy();
  });

  interfacesCommandTests();
  watchCommandTests();
  meteredTests();
});

function interfacesCommandTests(): void {
  it('interfaces --json: types, state, metered, health and probe bytes for every path', async () => {
    await lab.blackhole('eth0');
    await lab.cut('enp3s0');
    const logFrom = probeLog.lines.length;
    try {
      const result = await runPathwise(['interfaces', '--json'], {
        netns: lab.client,
        env: { PATHWISE_PROBE_URL: PROBE_URL },
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const paths = JSON.parse(result.stdout) as PathInfo[];
      expectLaptopPaths(paths);
      expectHealthVerdicts(paths);
      await expectProbesCounted(paths, logFrom);
    } finally {
      await lab.unblackhole('eth0');
      await lab.restore('enp3s0');
    }
  });

  it('interfaces: the table names each path and says why one is not healthy', async () => {
    const result = await runPathwise(['interfaces'], {
      netns: lab.client,
      env: { PATHWISE_PROBE_URL: PROBE_URL },
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+STATE\s+METERED\s+HEALTH\s+RTT/);
    expect(lines.find((l) => l.startsWith('wwp0s20f0u6 '))).toMatch(/cellular\s+up\s+yes\s+good\s+\d+ ms/);
    expect(result.stdout).toMatch(/^usb0: Redirected to portal\.lab/m);
  });
}

function expectLaptopPaths(paths: PathInfo[]): void {
  const byName = new Map(paths.map((p) => [p.name, p]));
  const summary = Object.fromEntries(paths.map((p) => [p.name, [p.type, p.up, p.metered]]));
  expect(summary).toEqual(LAPTOP_PATHS);
  expect(byName.get('wwan0')).toMatchObject({ addresses: ['198.18.2.2'], meteredSource: 'type' });
  expect(byName.get('wwan0')?.preference).toBe('backup');
  expect(byName.get('wlan0')?.preference).toBe('always');
  expect(byName.get('wlan0')?.gateway).toBe('198.18.1.1');
}

function expectHealthVerdicts(paths: PathInfo[]): void {
  const byName = new Map(paths.map((p) => [p.name, p]));
  const health = Object.fromEntries(paths.filter((p) => p.health).map((p) => [p.name, p.health?.status]));
  expect(health).toMatchObject({
    wlan0: 'good',
    wwan0: 'good',
    tun0: 'good',
    usb0: 'captive',
    enx0c5b8f279a64: 'captive',
    eth0: 'offline',
    enp3s0: 'offline',
    wlan1: 'good',
  });
  expect(byName.get('lo')?.health).toBeUndefined();
  expect(byName.get('usb0')?.health?.detail).toMatch(/Redirected to portal\.lab/);
}

/** Each probe left through its own path, and the bytes counted are the bytes the server saw. */
async function expectProbesCounted(paths: PathInfo[], logFrom: number): Promise<void> {
  const byName = new Map(paths.map((p) => [p.name, p]));
  // wlan1's probe went out through wlan1 itself, without policy routing (PRODUCT.md §2a).
  const wlan1 = lab.path('wlan1').clientAddress;
  await probeLog.waitFor((l) => l.includes(`"${wlan1}"`), 10_000, logFrom);
  expect(byName.get('wlan0')?.health?.rttMs).toBeGreaterThanOrEqual(0);

  // Probe bytes: what the monitor counted equals what the server read and wrote.
  await probeLog.waitFor((l) => l.includes('"198.18.1.2"'), 10_000, logFrom);
  const served = probeLog
    .json<{ from: string; read: number; written: number }>(logFrom)
    .filter((c) => c.from === '198.18.1.2');
  const serverBytes = served.reduce((n, c) => n + c.read + c.written, 0);
  expect(serverBytes).toBeGreaterThan(100);
  expect(byName.get('wlan0')?.probeBytes).toBe(serverBytes);
  expect(byName.get('enp3s0')?.probeBytes).toBeUndefined();
}

function watchCommandTests(): void {
  it('watch --json: path-down within a second or so, then up, address and add/remove events', async () => {
    const dataDir = await dataDirWith({ probeIntervalMs: 2000 });
    const watch = lab.spawnIn('client', PATHWISE_BIN, ['watch', '--json'], {
      env: testEnv({ PATHWISE_DATA_DIR: dataDir, PATHWISE_PROBE_URL: PROBE_URL }),
    });
    const out = new LineReader(watch.stdout);
    // The first lines describe what exists; the probe then reports each path's health.
    await out.waitFor(isEvent('path-added', 'wg0'));
    await out.waitFor(isEvent('health-changed', 'wlan0', (e) => e.health?.status === 'good'));
    await out.waitFor(isEvent('health-changed', 'usb0', (e) => e.health?.status === 'captive'));
    await expectCutAndRestore(out);
    await expectAddressEvents(out);
    await expectPlugAndUnplug(out);
    await expectBlackholeOffline(out);
    watch.kill('SIGTERM');
  });

  it('watch: traffic that gets no answer triggers a probe long before the next interval', async () => {
    const dataDir = await dataDirWith({ probeIntervalMs: 600_000 });
    const watch = lab.spawnIn('client', PATHWISE_BIN, ['watch', '--json'], {
      env: testEnv({ PATHWISE_DATA_DIR: dataDir, PATHWISE_PROBE_URL: PROBE_URL }),
    });
    const out = new LineReader(watch.stdout);
    await out.waitFor(isEvent('health-changed', 'enp3s0', (e) => e.health?.status === 'good'));
    const from = out.lines.length;
    await lab.blackhole('enp3s0');
    // Datagrams that get no answer, five a second, as an app would keep trying over dead Wi-Fi.
    const ping = lab.spawnIn('client', process.execPath, [
      '-e',
      `const s = require('node:dgram').createSocket('udp4');
       s.bind(0, ${JSON.stringify(lab.path('enp3s0').clientAddress)}, () =>
         setInterval(() => s.send('hello?', 9, ${JSON.stringify(SERVER_ADDRESS)}), 200));`,
    ]);
    const startedAt = performance.now();
    try {
      await out.waitFor(
        isEvent('health-changed', 'enp3s0', (e) => e.health?.status === 'offline'),
        30_000,
        from,
      );
      console.log(
        `watch: enp3s0 blackholed under traffic → offline in ${(performance.now() - startedAt).toFixed(0)} ms`,
      );
    } finally {
      ping.kill('SIGKILL');
      await lab.unblackhole('enp3s0');
      watch.kill('SIGTERM');
    }
  });
}

/** wwan0 cut: path-down within seconds; restored: path-up, and its probe calls it good again. */
async function expectCutAndRestore(out: LineReader): Promise<void> {
  let from = out.lines.length;
  const cutAt = performance.now();
  await lab.cut('wwan0');
  const down = JSON.parse(await out.waitFor(isEvent('path-down', 'wwan0'), 10_000, from)) as PathEvent;
  const latency = performance.now() - cutAt;
  // How fast is for bench:monitor to measure; here only that it comes.
  console.log(`watch: wwan0 cut → path-down line in ${latency.toFixed(0)} ms`);
  expect(down.at).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);
  expect(down.path).toMatchObject({ name: 'wwan0', type: 'cellular', up: false });

  from = out.lines.length;
  await lab.restore('wwan0');
  await out.waitFor(isEvent('path-up', 'wwan0'), 10_000, from);
  await out.waitFor(
    isEvent('health-changed', 'wwan0', (e) => e.health?.status === 'good'),
    20_000,
    from,
  );
}

/** An address added to wwan0 and removed again: one address-changed event each way. */
async function expectAddressEvents(out: LineReader): Promise<void> {
  let from = out.lines.length;
  await lab.inClient(['ip', 'addr', 'add', '198.18.2.3/24', 'dev', 'wwan0']);
  const added = JSON.parse(await out.waitFor(isEvent('address-changed', 'wwan0'), 10_000, from)) as PathEvent;
  expect(added.addresses).toEqual(['198.18.2.2', '198.18.2.3']);
  from = out.lines.length;
  await lab.inClient(['ip', 'addr', 'del', '198.18.2.3/24', 'dev', 'wwan0']);
  const removed = JSON.parse(
    await out.waitFor(isEvent('address-changed', 'wwan0'), 10_000, from),
  ) as PathEvent;
  expect(removed.addresses).toEqual(['198.18.2.2']);
}

/** A phone plugged in: a new device appears (a tap stands in; its name says tether), then goes. */
async function expectPlugAndUnplug(out: LineReader): Promise<void> {
  const from = out.lines.length;
  await lab.inClient(['ip', 'tuntap', 'add', 'usb1', 'mode', 'tap']);
  const plugged = JSON.parse(await out.waitFor(isEvent('path-added', 'usb1'), 10_000, from)) as PathEvent;
  expect(plugged.path).toMatchObject({ type: 'tether', up: false, metered: true });
  await lab.inClient(['ip', 'link', 'del', 'usb1']);
  await out.waitFor(isEvent('path-removed', 'usb1'), 10_000, from);
}

/** Associated but no internet: the next probe (2 s interval here) calls it offline within seconds. */
async function expectBlackholeOffline(out: LineReader): Promise<void> {
  const from = out.lines.length;
  const blackholedAt = performance.now();
  await lab.blackhole('wlan0');
  try {
    const offline = JSON.parse(
      await out.waitFor(
        isEvent('health-changed', 'wlan0', (e) => e.health?.status === 'offline'),
        30_000,
        from,
      ),
    ) as PathEvent;
    console.log(`watch: wlan0 blackholed → offline in ${(performance.now() - blackholedAt).toFixed(0)} ms`);
    expect(offline.health?.detail).toMatch(/No answer/);
  } finally {
    await lab.unblackhole('wlan0');
  }
  await out.waitFor(
    isEvent('health-changed', 'wlan0', (e) => e.health?.status === 'good'),
    30_000,
    from,
  );
}

function meteredTests(): void {
  it('metered: NetworkManager says so where it knows (nmcli), the type rule otherwise, the user always wins', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'pw-nmcli-'));
    // A stand-in nmcli answering the one query Pathwise makes, as NetworkManager 1.42 prints it.
    await writeFile(
      join(bin, 'nmcli'),
      [
        '#!/bin/sh',
        'test "$*" = "-t -f GENERAL.DEVICE,GENERAL.METERED device show" || exit 2',
        'printf "GENERAL.DEVICE:wlan0\\nGENERAL.METERED:yes\\n\\n"',
        'printf "GENERAL.DEVICE:usb0\\nGENERAL.METERED:no\\n\\n"',
        'printf "GENERAL.DEVICE:wwan0\\nGENERAL.METERED:no (guessed)\\n\\n"',
        'printf "GENERAL.DEVICE:eth0\\nGENERAL.METERED:yes (guessed)\\n"',
      ].join('\n'),
    );
    await chmod(join(bin, 'nmcli'), 0o755);
    const dataDir = await dataDirWith({
      overrides: { eth0: { metered: false }, wg0: { type: 'cellular' }, enp3s0: { metered: true } },
    });
    const result = await runPathwise(['interfaces', '--json', '--no-probe'], {
      netns: lab.client,
      env: { PATH: `${bin}:${SYSTEM_PATH}`, PATHWISE_DATA_DIR: dataDir },
    });
    expect(result.code).toBe(0);
    const paths = JSON.parse(result.stdout) as PathInfo[];
    const metered = Object.fromEntries(
      paths.map((p) => [p.name, [p.type, p.metered, p.meteredSource, p.preference]]),
    );
    expect(metered).toMatchObject({
      wlan0: ['wifi', true, 'os', 'backup'],
      usb0: ['tether', false, 'os', 'always'],
      wwan0: ['cellular', true, 'type', 'backup'],
      eth0: ['ethernet', false, 'user', 'always'],
      enp3s0: ['ethernet', true, 'user', 'backup'],
      wg0: ['cellular', true, 'type', 'backup'],
    });
    expect(paths.every((p) => p.health === undefined)).toBe(true);
  });
}
