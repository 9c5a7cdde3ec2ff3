// `pathwise usage` as a user reads it: dates in the local zone, money in cents.
process.env.TZ = 'Europe/Berlin';

import { afterEach, describe, expect, it } from 'vitest';
import type { PathUsage, UsagePeriod } from '../../common/contract.ts';
import { formatUsage, runUsageArgs } from '../../main/cli/usage.ts';
import { Books, GB, MB, plan } from '../support/ledgerBooks.ts';

let books: Books | undefined;
afterEach(() => {
  books?.ledger.close();
  books = undefined;
});

function usage(over: Partial<PathUsage> = {}): PathUsage {
  return {
    name: 'wwan0',
    appBytes: 0,
    allBytes: 0,
    capBytes: null,
    cost: 0,
    forecastBytes: 0,
    forecastCost: 0,
    energyWh: 0,
    energyBatteryPct: null,
    currency: 'EUR',
    cycle: { start: '2026-11-30T23:00:00.000Z', end: '2026-12-31T23:00:00.000Z' },
    ...over,
  };
}

describe('16: small things in `pathwise usage`', () => {
  it('prints the reset date in local time (Berlin: 1 January, not 31 December)', () => {
    const text = formatUsage({ paths: [usage()], cycle: usage().cycle, battery: null });
    expect(text).toMatch(/2027-01-01/);
    expect(text).not.toMatch(/2026-12-31/);
  });

  it('gives cost and forecast in cents', () => {
    books = new Books();
    books.plans = { wwan0: plan({ capBytes: null, pricePerGb: 9.99 }) };
    books.down('wwan0', 1.23456789 * GB);
    const u = books.usage('wwan0')!;
    expect(u.cost).toBe(12.33);
    expect(u.forecastCost).toBe(12.33);
  });
});

describe('pathwise usage: history, export, corrections', () => {
  const run = async (dir: string, args: string[]): Promise<{ code: number; out: string }> => {
    let out = '';
    const sink = { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream;
    const code = await runUsageArgs([...args, '--data-dir', dir], { stdout: sink, stderr: sink });
    return { code, out };
  };

  it('lists days, exports CSV and JSON, corrects to the carrier and resets', async () => {
    books = new Books();
    books.t = Date.now();
    books.down('wwan0', 300 * MB);
    books.ledger.close();
    const dir = books.dir;
    books = undefined;
    const days = await run(dir, ['--days']);
    expect(days.code).toBe(0);
    expect(days.out).toMatch(/wwan0\s+\d{4}-\d{2}-\d{2}\s+300 MB\s+300 MB/);
    const csv = (await run(dir, ['--months', '--export', 'csv'])).out.trim().split('\n');
    expect(csv[0]).toBe('path,label,start,end,appBytes,allBytes,estimatedBytes,adjustedBytes,cost,currency');
    expect(csv.at(-1)).toMatch(/^wwan0,\d{4}-\d{2},.*,300000000,300000000,0,0,,$/);
    const json = JSON.parse((await run(dir, ['--cycles', '--json'])).out) as UsagePeriod[];
    expect(json.at(-1)).toMatchObject({ path: 'wwan0', allBytes: 300 * MB, adjustedBytes: 0 });
    expect((await run(dir, ['--correct', 'wwan0=3.2GB'])).out).toMatch(/now 3\.2 GB .*\+2\.9 GB/);
    expect(JSON.parse((await run(dir, ['--json'])).out).paths[0]).toMatchObject({
      allBytes: 3.2 * GB,
      adjustedBytes: 2.9 * GB,
    });
    await run(dir, ['--reset', 'wwan0']);
    expect(JSON.parse((await run(dir, ['--json'])).out).paths[0]).toMatchObject({ allBytes: 0 });
    await expect(run(dir, ['--correct', 'wwan0'])).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
