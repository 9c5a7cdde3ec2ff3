import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../main/ledger/Ledger.ts';

const WRITER = fileURLToPath(new URL('../support/ledgerWriter.ts', import.meta.url));

describe('a ledger killed mid-write', () => {
  it('reopens consistent: integrity ok, minute/hour/day totals agree, nothing flushed is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-ledger-kill-'));
    let before = 0;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', WRITER, dir], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let durable = 0;
      let flushes = 0;
      child.stdout.on('data', (data: Buffer) => {
        for (const m of data.toString().matchAll(/flushed (\d+)/g)) {
          durable = Number(m[1]);
          flushes++;
        }
      });
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (flushes >= 15 + round * 7) {
            clearInterval(check);
            resolve();
          }
        }, 5);
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
      try {
        expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
        const sum = (table: string): number =>
          (db.prepare(`SELECT COALESCE(SUM(app_rx), 0) AS n FROM ${table}`).get() as { n: number }).n;
        const minutes = sum('usage_minute');
        expect(sum('usage_hour')).toBe(minutes);
        expect(sum('usage_day')).toBe(minutes);
        // Every flush the writer reported is there (the rounds add up), and no half flush.
        expect(minutes % 65_536).toBe(0);
        expect(minutes).toBeGreaterThanOrEqual(before + durable);
        before = minutes;
      } finally {
        db.close();
      }
    }
    // And the ledger itself opens it without a warning.
    const { ledger, warning } = Ledger.open({ dataDir: dir });
    expect(warning).toBeUndefined();
    ledger.close();
  });
});
