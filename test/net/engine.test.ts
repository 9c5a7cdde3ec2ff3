import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir, until } from '../support/engineLab.ts';
import { PATHWISE_BIN, runPathwise, testEnv } from '../support/cli.ts';
import { startLabRangeServer } from '../support/labServer.ts';
import { NetLab, SERVER_ADDRESS } from '../support/netns.ts';
import { describeNeeding, netnsNeeds } from '../support/rootOnly.ts';
import { deterministicContent, sha256 } from '../support/rangeServer.ts';

const SIZE = 6_000_000;
const SEED = 5;
const expected = sha256(deterministicContent(SIZE, SEED));
const URL_ = `http://${SERVER_ADDRESS}:8080/file.bin`;

interface Line {
  type?: string;
  status?: string;
  received?: number;
  kind?: string;
  from?: string;
  [key: string]: unknown;
}

/** Runs `pathwise get` in the client namespace, collecting its JSON lines as they come. */
function getInLab(
  lab: NetLab,
  args: string[],
): { lines: Line[]; done: Promise<{ code: number; stderr: string }> } {
  const lines: Line[] = [];
  const child = spawn('ip', ['netns', 'exec', lab.client, PATHWISE_BIN, 'get', URL_, '--json', ...args], {
    env: testEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => {
    buffered += data.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) lines.push(JSON.parse(part) as Line);
  });
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<{ code: number; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code: code ?? 1, stderr })),
  );
  return { lines, done };
}

// Building a lab takes seconds, so the file's describes share one and run in order (the
// handover test waits out what the aggregation test left in wwan0's shaper). When netns is not
// available every describe is skipped, and vitest then runs none of these hooks.
let lab: NetLab;
beforeAll(async () => {
  lab = await NetLab.create([
    { name: 'wlan0', downMbit: 16 },
    { name: 'wwan0', downMbit: 8 },
  ]);
  await startLabRangeServer(lab, SIZE, SEED);
});
afterAll(async () => {
  await lab?.destroy();
});

describeNeeding(netnsNeeds())('pathwise get across network namespaces: both paths up', () => {
  it('aggregates both paths, and each path’s bytes really leave through its interface', async () => {
    const before = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
    const result = await runPathwise(
      ['get', URL_, '-o', join(tempDir(), 'agg.bin'), '--json', '--paths', 'wlan0,wwan0'],
      {
        netns: lab.client,
      },
    );
    expect(result.stderr).toBe('');
    const final = JSON.parse(result.stdout.trim().split('\n').pop() as string) as {
      status: string;
      sha256: string;
      paths: Record<string, { bytes: number }>;
    };
    expect(final).toMatchObject({ status: 'done', sha256: expected });
    const wlan = final.paths['wlan0']!.bytes;
    const wwan = final.paths['wwan0']!.bytes;
    expect(wlan).toBeGreaterThan(0);
    expect(wwan).toBeGreaterThan(0);
    expect(wlan + wwan).toBeGreaterThanOrEqual(SIZE);
    const after = { wlan0: await lab.counters('wlan0'), wwan0: await lab.counters('wwan0') };
    expect(after.wlan0.rx - before.wlan0.rx).toBeGreaterThanOrEqual(wlan);
    expect(after.wwan0.rx - before.wwan0.rx).toBeGreaterThanOrEqual(wwan);
  });

  it('in handover mode sends nothing over cellular while Wi-Fi is healthy', async () => {
    // The previous test's answers may still be draining from wwan0's shaper.
    const before = await lab.settledCounters('wwan0');
    const result = await runPathwise(
      [
        'get',
        URL_,
        '-o',
        join(tempDir(), 'ho.bin'),
        '--json',
        '--mode',
        'handover',
        '--paths',
        'wlan0,wwan0',
      ],
      { netns: lab.client },
    );
    const final = JSON.parse(result.stdout.trim().split('\n').pop() as string) as {
      status: string;
      paths: Record<string, { bytes: number }>;
    };
    expect(final.status).toBe('done');
    expect(final.paths['wwan0']!.bytes).toBe(0);
    const after = await lab.counters('wwan0');
    // Not a single payload packet: at most some neighbour discovery chatter.
    expect(after.rx - before.rx).toBeLessThan(2000);
  });
});

describeNeeding(netnsNeeds())('pathwise get across network namespaces: Wi-Fi lost mid-download', () => {
  it('finishes with the right hash when Wi-Fi is cut mid-download', async () => {
    const run = getInLab(lab, ['-o', join(tempDir(), 'cut.bin'), '--paths', 'wlan0,wwan0']);
    await until(() => run.lines.some((l) => l.type === 'progress' && (l.received ?? 0) > 1_000_000), 30_000);
    await lab.cut('wlan0');
    const { code, stderr } = await run.done;
    await lab.restore('wlan0');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(run.lines.at(-1)).toMatchObject({ status: 'done', sha256: expected });
    expect(
      run.lines.some((l) => l.type === 'continuity' && l.kind === 'path-lost' && l.from === 'wlan0'),
    ).toBe(true);
  });

  it('finishes with the right hash when Wi-Fi silently blackholes mid-download', async () => {
    const run = getInLab(lab, ['-o', join(tempDir(), 'bh.bin'), '--paths', 'wlan0,wwan0']);
    await until(() => run.lines.some((l) => l.type === 'progress' && (l.received ?? 0) > 1_000_000), 30_000);
    await lab.blackhole('wlan0');
    const { code } = await run.done;
    await lab.unblackhole('wlan0');
    expect(code).toBe(0);
    expect(run.lines.at(-1)).toMatchObject({ status: 'done', sha256: expected });
    const failover = run.lines.find((l) => l.type === 'continuity' && l.kind === 'failover');
    expect(failover).toMatchObject({ from: 'wlan0', to: 'wwan0' });
  });
});

describeNeeding(netnsNeeds())('pathwise get across network namespaces: errors', () => {
  it('names a DNS failure', async () => {
    // `ip netns exec` bind-mounts /etc/netns/<ns>/resolv.conf: a resolver on the namespace's own loopback.
    const etc = `/etc/netns/${lab.client}`;
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    try {
      const result = await runPathwise(
        [
          'get',
          'http://files.pathwise-test.invalid/x.bin',
          '-o',
          join(tempDir(), 'dns.bin'),
          '--paths',
          'wlan0',
        ],
        { netns: lab.client },
      );
      expect(result.code).toBe(3); // the network class (main/cli/exitCodes.ts)
      expect(result.stderr).toMatch(
        /Could not look up the server name "files.pathwise-test.invalid".*\[E_DNS\]/,
      );
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  });
});
