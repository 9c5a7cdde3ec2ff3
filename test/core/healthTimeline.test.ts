import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContinuityEvent, PathEvent, PathState } from '../../common/contract.ts';
import { createPathwise } from '../../main/core/createPathwise.ts';

const T0 = Date.UTC(2026, 2, 10, 12);
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function core() {
  const dataDir = await mkdtemp(join(tmpdir(), 'pw-health-timeline-'));
  dirs.push(dataDir);
  return createPathwise({ shell: 'headless', dataDir, env: {}, monitor: { pollIntervalMs: 60_000 } });
}

/** What PathMonitor emits when wlan0's verdict changes (pathEvents.ts), `ms` after T0. */
function changed(state: PathState, reason: string, ms: number): PathEvent {
  return {
    type: 'health-changed',
    name: 'wlan0',
    at: new Date(T0 + ms).toISOString(),
    state,
    reason,
    path: {
      name: 'wlan0',
      type: 'wifi',
      addresses: ['198.18.1.2'],
      up: true,
      metered: false,
      preference: 'always',
    },
  };
}

describe('the core puts health changes on the continuity timeline', () => {
  it('pushes a path’s trouble as one entry told again, and lists it with the engine’s entries', async () => {
    const { service, monitor, ledger } = await core();
    const pushed: ContinuityEvent[] = [];
    service.subscribe((channel, payload) => {
      if (channel === 'continuity') pushed.push(payload as ContinuityEvent);
    });
    monitor.emit('event', changed('suspect', 'No data arrived over wlan0 for 1.1 s.', 0));
    monitor.emit('event', changed('offline', 'No data arrived over wlan0 for 1.1 s. Then: no answer.', 900));
    monitor.emit('event', changed('up', 'Probes reach the internet over this path.', 2100));
    // A change that is not about health is no entry.
    monitor.emit('event', { type: 'path-down', name: 'eth0', at: new Date(T0 + 3000).toISOString() });

    expect(pushed.map((e) => [e.kind, e.from, e.steps?.at(-1)?.state])).toEqual([
      ['health', 'wlan0', 'suspect'],
      ['health', 'wlan0', 'offline'],
      ['health', 'wlan0', 'up'],
    ]);
    expect(new Set(pushed.map((e) => e.id)).size).toBe(1);
    const listed = (await service.invoke('continuity.list', [])) as ContinuityEvent[];
    expect(listed).toEqual([pushed.at(-1)]);
    expect(listed[0]).toMatchObject({
      at: T0,
      transferId: null,
      detail: 'No data arrived over wlan0 for 1.1 s. Then: no answer.',
    });
    expect(listed[0]?.steps?.map((s) => s.state)).toEqual(['suspect', 'offline', 'up']);
    ledger?.close();
  });
});
