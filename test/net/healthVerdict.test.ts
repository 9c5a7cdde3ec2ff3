/**
 * One health verdict per path, shared by the engine and the monitor (issue 23), in a laptop-shaped
 * namespace lab (test/support/healthLab.ts). Detection times are measured and printed here; how
 * fast they must be is `npm run bench:monitor`'s business (median and worst of 10): the
 * assertions only wait, generously, for each state to come.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Alert } from '../../common/contract.ts';
import { createHealthLab, FILE_URL, HealthApp, weaken, type AppLine } from '../support/healthLab.ts';
import type { NetLab } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';

let lab: NetLab;
let app: HealthApp | undefined;

const ms = (n: number): string => `${Math.round(n)} ms`;

describeNeeding(netnsNeeds())('health verdict in a namespace lab', () => {
  beforeAll(async () => {
    lab = await createHealthLab();
  });
  afterAll(async () => {
    await app?.stop();
    await lab?.destroy();
  });
  it(
    'a blackhole under traffic: suspect from the engine, offline by a probe, work onto the metered backup with an alert, up again without flapping',
    blackholeUnderTraffic,
  );
  it(
    'a blackhole while idle: offline within one probe interval, up again at once when it answers',
    blackholeWhileIdle,
  );
  it(
    'a path shaped from 40 to 1 Mbit is degraded, and in handover mode the secondary takes the next requests',
    weakenedPath,
  );
  it(
    'a captive portal: portal with its sign-in page, the page to open, and no payload over it',
    captivePortal,
  );
  it(
    'a path slow to answer between two probes: the download’s own connections call it degraded, and the timeline says so',
    slowToConnect,
  );
});

async function blackholeUnderTraffic(): Promise<void> {
  app = await HealthApp.start(lab, {
    probeIntervalMs: 30_000,
    preferences: { wlan0: 'always', wwan0: 'backup', eth0: 'never', usb0: 'never' },
  });
  await app.state('wlan0', 'up', 0);
  await app.state('wwan0', 'up', 0);
  const id = await app.download({ mode: 'aggregate' });
  await app.until(id, (t) => (t.paths['wlan0']?.bytes ?? 0) > 8_000_000);

  const from = app.mark;
  // Timed from before the command: its first rule already takes effect (conservative).
  const blackholedAt = Date.now();
  await lab.blackhole('wlan0');
  const suspect = await app.state('wlan0', 'suspect', from);
  const offline = await app.state('wlan0', 'offline', from);
  const lastByte =
    app.lastByteAt(id, 'wlan0', app.out.lines.indexOf(JSON.stringify(offline))) ?? blackholedAt;
  console.log(
    `health: wlan0 blackholed under traffic → suspect ${ms(suspect.t - blackholedAt)}, offline ${ms(offline.t - blackholedAt)} after the blackhole (${ms(offline.t - Math.max(lastByte, blackholedAt))} after the last byte seen)`,
  );
  // The engine's word came first (its stall), and a probe confirmed it.
  expect(suspect.reason).toMatch(/wlan0/);
  expect(offline.reason).toMatch(/No answer|Could not reach/);
  // Work went to the metered backup, and the user hears of it.
  await app.continuity((e) => e.kind === 'failover' && e.from === 'wlan0' && e.to === 'wwan0', from);
  const alert = await app.out.waitFor(
    (l) => l.includes('"ev":"alert"') && l.includes('metered-fallback'),
    30_000,
    from,
  );
  expect((JSON.parse(alert) as Alert).path).toBe('wwan0');

  const back = app.mark;
  // Timed from before the command: its first rule already takes effect (conservative).
  const restoredAt = Date.now();
  await lab.unblackhole('wlan0');
  const up = await app.state('wlan0', 'up', back);
  console.log(`health: wlan0 back → up ${ms(up.t - restoredAt)} after the blackhole was lifted`);
  const done = await app.until(id, (t) => t.state === 'done' || t.state === 'failed', 120_000);
  expect(done.state).toBe('done');
  // No flapping: once up, wlan0 stayed up for the rest of the download.
  expect(app.states('wlan0', app.out.lines.indexOf(JSON.stringify(up)) + 1)).toEqual([]);
  await app.stop();
  app = undefined;
}

async function blackholeWhileIdle(): Promise<void> {
  app = await HealthApp.start(lab, { probeIntervalMs: 3000 });
  await app.state('eth0', 'up', 0);
  const from = app.mark;
  // Timed from before the command: its first rule already takes effect (conservative).
  const blackholedAt = Date.now();
  await lab.blackhole('eth0');
  const offline = await app.state('eth0', 'offline', from);
  const states = app.states('eth0', from);
  console.log(
    `health: eth0 blackholed while idle (probes every 3 s) → offline ${ms(offline.t - blackholedAt)} (${states.join(' → ')})`,
  );
  expect(states).toEqual(['suspect', 'offline']);
  const back = app.mark;
  // Timed from before the command: its first rule already takes effect (conservative).
  const restoredAt = Date.now();
  await lab.unblackhole('eth0');
  const up = await app.state('eth0', 'up', back);
  console.log(`health: eth0 back while idle → up ${ms(up.t - restoredAt)}`);
  expect(app.states('eth0', back)).toEqual(['up']);
  await app.stop();
  app = undefined;
}

async function weakenedPath(): Promise<void> {
  app = await HealthApp.start(lab, {
    probeIntervalMs: 30_000,
    preferences: { wlan0: 'always', eth0: 'secondary', wwan0: 'never', usb0: 'never' },
  });
  await app.state('wlan0', 'up', 0);
  await app.state('eth0', 'up', 0);
  const id = await app.download({ mode: 'handover' });
  await app.until(id, (t) => (t.paths['wlan0']?.bytes ?? 0) > 10_000_000);
  expect(app.transfer(id)?.paths['eth0']?.bytes ?? 0).toBe(0);
  const from = app.mark;
  // Timed from before the command (conservative).
  const shapedAt = Date.now();
  await weaken(lab, 'wlan0', 1);
  try {
    const degraded = await app.state('wlan0', 'degraded', from);
    console.log(`health: wlan0 40 → 1 Mbit → degraded ${ms(degraded.t - shapedAt)} (${degraded.reason})`);
    expect(degraded.reason).toMatch(
      /^Slow: a download gets .* over wlan0, under 1\/8 of the .* it got in the last minute\.$/,
    );
    const handover = await app.continuity((e) => e.kind === 'handover' && e.from === 'wlan0', from);
    expect(handover.to).toBe('eth0');
    console.log(`health: handover wlan0 → eth0 ${ms(handover.t - shapedAt)} after the shaping`);
    // The next requests go to eth0: it carries the download from here.
    const onEth0 = app.transfer(id)?.paths['eth0']?.bytes ?? 0;
    await app.until(id, (t) => (t.paths['eth0']?.bytes ?? 0) > onEth0 + 10_000_000);
    expect(app.states('wlan0', from)).not.toContain('offline');
  } finally {
    console.log(`health: wlan0 while weak: ${app.states('wlan0', from).join(' → ')}`);
    await lab.shape('wlan0', 40);
  }
  await app.stop();
  app = undefined;
}

async function captivePortal(): Promise<void> {
  app = await HealthApp.start(lab, {
    probeIntervalMs: 30_000,
    preferences: { usb0: 'always', eth0: 'always', wlan0: 'never', wwan0: 'never' },
  });
  const portal = await app.state('usb0', 'portal', 0);
  expect(portal.health?.portalUrl).toBe('http://portal.lab/login?continue=generate_204');
  expect(portal.reason).toMatch(/Redirected to portal\.lab/);
  const opened = await app.invoke('paths.openPortal', ['usb0']);
  // The core names the page; it opens nothing itself (the desktop shell or the browser tab does).
  expect(opened).toMatchObject({ ok: true, value: { url: portal.health?.portalUrl, opened: false } });
  expect((await app.invoke('paths.openPortal', ['eth0'])).error?.code).toBe('E_NOT_FOUND');
  await app.state('eth0', 'up', 0);
  const id = await app.download({ mode: 'aggregate' });
  const done = await app.until(id, (t) => t.state === 'done' || t.state === 'failed', 120_000);
  expect(done.state).toBe('done');
  expect(done.paths['usb0']?.bytes ?? 0).toBe(0);
  expect(done.paths['eth0']?.bytes).toBeGreaterThan(0);
  const events = app.lines().filter((l: AppLine) => l.ev === 'continuity' && l['from'] === 'usb0');
  // The engine never touched it; the timeline has the portal itself, with its reason.
  expect(events.filter((e) => e['kind'] !== 'health')).toEqual([]);
  const steps = events.at(-1)?.['steps'] as Array<{ state: string; reason: string }> | undefined;
  expect(steps?.[0]).toMatchObject({ state: 'portal', reason: portal.reason });
  await app.stop();
  app = undefined;
}

/** Resolves once `check` holds, asking every 200 ms; throws after `timeoutMs`. */
async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function slowToConnect(): Promise<void> {
  // Routine probes 10 min apart: only the download's connections can see what happens next.
  app = await HealthApp.start(lab, {
    probeIntervalMs: 600_000,
    preferences: { wlan0: 'always', eth0: 'never', wwan0: 'never', usb0: 'never' },
  });
  await app.state('wlan0', 'up', 0);
  const from = app.mark;
  // The Wi-Fi weakens between two probes: 1 Mbit behind a 2 s queue, which another program's
  // download keeps full, so every packet to the laptop waits there (a SYN-ACK too).
  await weaken(lab, 'wlan0', 1);
  const other = lab.spawnIn('client', 'curl', ['-s', '-o', '/dev/null', '--interface', 'wlan0', FILE_URL]);
  try {
    const { rx } = await lab.counters('wlan0');
    await waitUntil(async () => (await lab.counters('wlan0')).rx - rx > 400_000, 60_000, 'a full queue');
    const startedAt = Date.now();
    await app.download({ mode: 'aggregate' });
    const degraded = await app.state('wlan0', 'degraded', from);
    console.log(
      `health: wlan0 behind a full 2 s queue → degraded ${ms(degraded.t - startedAt)} after the download started (${degraded.reason})`,
    );
    expect(degraded.reason).toMatch(
      /^Slow: downloads' connections took \d+ ms to open \(over 800 ms on \d+ in a row\)\.$/,
    );
    // The dashboard's continuity timeline has it too, with the reason.
    const entry = await app.continuity((e) => e.kind === 'health' && e.from === 'wlan0', from);
    expect(entry.steps?.[0]).toMatchObject({ state: 'degraded', reason: degraded.reason });
  } finally {
    other.kill();
    await lab.shape('wlan0', 40);
  }
  await app.stop();
  app = undefined;
}
