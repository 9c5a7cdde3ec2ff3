import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { createPathwise } from '../../main/core/createPathwise.ts';
import { PathwiseService } from '../../main/core/PathwiseService.ts';
import type { Alert, Plan, UsagePeriod, UsageSummary } from '../../common/contract.ts';

async function core() {
  const dataDir = await mkdtemp(join(tmpdir(), 'pw-core-'));
  return createPathwise({ shell: 'electron', dataDir, env: {}, monitor: { pollIntervalMs: 60_000 } });
}

describe('PathwiseService', () => {
  it('rejects channels outside the contract with a stable code', async () => {
    const { service } = await core();
    await expect(service.invoke('fs.readFile', ['/etc/shadow'])).rejects.toMatchObject({
      code: 'E_BAD_CHANNEL',
    });
    await expect(service.invoke('__proto__', [])).rejects.toMatchObject({ code: 'E_BAD_CHANNEL' });
    await expect(service.invoke('toString', [])).rejects.toMatchObject({ code: 'E_BAD_CHANNEL' });
    await expect(service.invoke(42, [])).rejects.toMatchObject({ code: 'E_BAD_CHANNEL' });
  });

  it('rejects arguments that do not match the contract, saying which', async () => {
    const { service } = await core();
    await expect(service.invoke('paths.list', 'not-an-array')).rejects.toMatchObject({
      code: 'E_BAD_REQUEST',
    });
    await expect(service.invoke('paths.list', [1, 2])).rejects.toMatchObject({ code: 'E_BAD_REQUEST' });
    await expect(service.invoke('paths.setPreference', ['wlan0', 'sometimes'])).rejects.toThrow(
      /Invalid request/,
    );
  });

  it('answers a known channel nobody registered with E_UNAVAILABLE, not a crash', async () => {
    const service = new PathwiseService({ shell: 'headless' });
    await expect(service.invoke('paths.list', [])).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
  });

  it('answers valid requests and pushes path changes to subscribers', async () => {
    const { service } = await core();
    const pushed: string[] = [];
    service.subscribe((channel) => pushed.push(channel));
    await service.start();
    expect(await service.invoke('app.info', [])).toMatchObject({ shell: 'electron' });
    const paths = (await service.invoke('paths.list', [])) as Array<{ name: string }>;
    expect(paths.map((p) => p.name)).toContain('lo');
    expect(pushed).toContain('paths');
    await service.stop();
  });

  it('remembers a path preference and reports it on the path', async () => {
    const { service, settings } = await core();
    await service.start();
    const paths = (await service.invoke('paths.setPreference', ['lo', 'never'])) as Array<{
      name: string;
      preference: string;
    }>;
    expect(paths.find((p) => p.name === 'lo')?.preference).toBe('never');
    expect(settings.get().preferences).toEqual({ lo: 'never' });
    await service.stop();
  });
});

describe('PathwiseService: alerts name their download (issue 24)', () => {
  it('answers and pushes an alert about a download with its id, and others with none', async () => {
    const { service, ledger } = await core();
    if (!ledger) throw new Error('the ledger did not open');
    try {
      const pushed: Alert[] = [];
      service.subscribe((channel, payload) => {
        if (channel === 'alert') pushed.push(payload as Alert);
      });
      ledger.recordEvent({ kind: 'transfer-done', transferId: 't-42', file: 'a.iso', bytes: 1e6 });
      ledger.recordEvent({ kind: 'captive-portal', path: 'wlan1' });
      const listed = (await service.invoke('alerts.list', [])) as Alert[];
      expect(listed.map((a) => [a.kind, a.transferId]).sort()).toEqual([
        ['captive-portal', null],
        ['transfer-done', 't-42'],
      ]);
      expect(pushed.find((a) => a.kind === 'transfer-done')?.transferId).toBe('t-42');
    } finally {
      ledger.close();
    }
  });
});

const plan: Plan = {
  capBytes: 10e9,
  cycle: { kind: 'monthly', startDay: 31 },
  pricePerGb: 2,
  overagePricePerGb: 5,
  atCap: 'allow',
  rateLimitBps: null,
  currency: 'EUR',
  monthlyFee: 10,
};
type Adjustment = { change: number; usage: UsageSummary };
const wwan = (u: UsageSummary) => u.paths.find((p) => p.name === 'wwan0');
const sum = (rows: UsagePeriod[], key: 'appBytes' | 'allBytes' | 'adjustedBytes') =>
  rows.reduce((n, r) => n + r[key], 0);

describe('PathwiseService: usage history and corrections (issue 20)', () => {
  it('answers history by day and cycle, corrects and resets through the ledger the CLI uses', async () => {
    const { service, ledger } = await core();
    if (!ledger) throw new Error('the ledger did not open');
    try {
      await service.invoke('settings.update', [{ plans: { wwan0: plan } }]);
      ledger.recordPathBytes({
        transferId: 't1',
        path: 'wwan0',
        direction: 'down',
        bytes: 300e6,
        at: Date.now(),
      });
      const days = (await service.invoke('usage.periods', [{ kind: 'day' }])) as UsagePeriod[];
      // The CLI's 30 days by default, each a local date, and the bytes on them.
      expect(days).toHaveLength(30);
      expect(days.every((d) => d.path === 'wwan0' && /^\d{4}-\d{2}-\d{2}$/.test(d.label))).toBe(true);
      expect(sum(days, 'appBytes')).toBe(300e6);
      const cycles = (await service.invoke('usage.periods', [{ kind: 'cycle', count: 2 }])) as UsagePeriod[];
      expect(cycles).toHaveLength(2);
      // This cycle's price: the fixed fee plus 0.3 GB at 2 EUR.
      expect(cycles.at(-1)).toMatchObject({ allBytes: 300e6, cost: 10.6, currency: 'EUR' });

      const pushed: UsageSummary[] = [];
      service.subscribe((channel, payload) => {
        if (channel === 'usage') pushed.push(payload as UsageSummary);
      });
      const corrected = (await service.invoke('usage.correct', [
        { path: 'wwan0', bytes: 1e9 },
      ])) as Adjustment;
      expect(corrected.change).toBe(700e6);
      expect(wwan(corrected.usage)).toMatchObject({ allBytes: 1e9, adjustedBytes: 700e6, feeCost: 10 });
      expect(wwan(pushed.at(-1) as UsageSummary)?.allBytes).toBe(1e9);
      const after = (await service.invoke('usage.periods', [{ kind: 'cycle', count: 1 }])) as UsagePeriod[];
      expect(after[0]).toMatchObject({ appBytes: 300e6, allBytes: 1e9, adjustedBytes: 700e6 });

      const reset = (await service.invoke('usage.reset', [{ path: 'wwan0' }])) as Adjustment;
      expect(reset.change).toBe(-1e9);
      expect(wwan(reset.usage)?.allBytes).toBe(0);
      // The measured rows are kept: the reset is an adjustment of its own.
      const month = (await service.invoke('usage.periods', [{ kind: 'cycle', count: 1 }])) as UsagePeriod[];
      expect(month[0]).toMatchObject({ appBytes: 300e6, allBytes: 0, adjustedBytes: -300e6 });
    } finally {
      ledger.close();
    }
  });

  it('refuses a history or correction the contract does not allow', async () => {
    const { service, ledger } = await core();
    try {
      for (const [channel, args] of [
        ['usage.periods', [{ kind: 'week' }]],
        ['usage.periods', [{ kind: 'day', count: 0 }]],
        ['usage.correct', [{ path: 'wwan0', bytes: -1 }]],
        ['usage.correct', [{ path: 'wwan0', bytes: 1.5 }]],
        ['usage.reset', [{ path: '' }]],
      ] as const) {
        await expect(service.invoke(channel, args)).rejects.toMatchObject({ code: 'E_BAD_REQUEST' });
      }
    } finally {
      ledger?.close();
    }
  });
});

describe('PathwiseService: usage history and corrections without a ledger', () => {
  it('answers E_UNAVAILABLE for history and corrections when the ledger could not open', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pw-core-'));
    // A usage database from a newer Pathwise is never moved aside: usage tracking stays off.
    const db = new DatabaseSync(join(dataDir, 'ledger.sqlite'));
    db.exec('PRAGMA user_version = 9999');
    db.close();
    const app = await createPathwise({
      shell: 'headless',
      dataDir,
      env: {},
      monitor: { pollIntervalMs: 60_000 },
    });
    expect(app.ledger).toBeNull();
    expect(app.warnings.join('\n')).toMatch(/Usage tracking is off/);
    for (const [channel, args] of [
      ['usage.periods', [{ kind: 'day' }]],
      ['usage.correct', [{ path: 'wwan0', bytes: 1e9 }]],
      ['usage.reset', [{ path: 'wwan0' }]],
    ] as const) {
      await expect(app.service.invoke(channel, args)).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
    }
  });
});
