import { randomUUID } from 'node:crypto';
import type { StatementSync } from 'node:sqlite';
import type { LedgerSql } from './LedgerSql.ts';

/** A holder that has not beaten its heartbeat for this long has gone (crashed, suspended, killed). */
export const LEASE_MS = 30_000;
/** The holder beats at least this often (its flushes do it). */
export const BEAT_MS = 10_000;

interface LeaseRow {
  owner: string;
  pid: number;
  beat_at: number;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else; ESRCH: it is gone.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Who owns the OS-counter baselines (PRODUCT.md §4, issue 20 case 1). Every process on the
 * database adds its own app bytes, but only one may count the counters and store what they read,
 * or a process holding an old baseline writes it back and the next one counts the same bytes
 * again. The owner is a row in the database with a heartbeat: the first process that reads
 * counters takes it, beats it with its flushes, and gives it up on close; a holder whose process
 * is gone, or whose heartbeat is older than `LEASE_MS`, is replaced. Taking it over is one
 * compare-and-swap statement, so two processes can't both win.
 */
export class CounterLease {
  readonly token = randomUUID();
  private readonly read: StatementSync;
  private readonly take: StatementSync;
  private readonly beatStatement: StatementSync;
  private readonly release: StatementSync;
  private held = false;
  private lastBeat = 0;

  constructor(db: LedgerSql) {
    this.read = db.prepare('SELECT owner, pid, beat_at FROM counter_lease WHERE id = 1');
    // Succeeds only if the row is still what this process saw (or there was none).
    this.take = db.prepare(
      `INSERT INTO counter_lease (id, owner, pid, beat_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, beat_at = excluded.beat_at
       WHERE counter_lease.owner = ? AND counter_lease.beat_at = ?`,
    );
    this.beatStatement = db.prepare('UPDATE counter_lease SET beat_at = ? WHERE id = 1 AND owner = ?');
    this.release = db.prepare('DELETE FROM counter_lease WHERE id = 1 AND owner = ?');
  }

  get holds(): boolean {
    return this.held;
  }

  /**
   * Whether this process may count the counters now; 'taken' when it just became the owner (its
   * baselines must then be read afresh: the last owner stored newer ones).
   */
  acquire(now: number): 'held' | 'taken' | 'other' {
    if (this.held) return 'held';
    let row: LeaseRow | undefined;
    try {
      row = this.read.get() as LeaseRow | undefined;
    } catch {
      return 'other';
    }
    if (row && row.owner !== this.token && alive(row.pid) && Math.abs(now - row.beat_at) <= LEASE_MS) {
      return 'other';
    }
    try {
      const result = this.take.run(this.token, process.pid, now, row?.owner ?? '', row?.beat_at ?? 0);
      if (Number(result.changes) === 0) return 'other';
    } catch {
      // Locked by another process's flush: try again at the next observation.
      return 'other';
    }
    this.held = true;
    this.lastBeat = now;
    return 'taken';
  }

  /** Whether a heartbeat is due (the flush then writes even with no bytes to write). */
  due(now: number): boolean {
    return this.held && Math.abs(now - this.lastBeat) >= BEAT_MS;
  }

  /**
   * Beats the heartbeat inside the flush's transaction. False when another process has taken the
   * lease meanwhile (this one was suspended past `LEASE_MS`): it then stops counting.
   */
  beat(now: number): boolean {
    if (!this.held) return false;
    const result = this.beatStatement.run(now, this.token);
    if (Number(result.changes) === 0) {
      this.held = false;
      return false;
    }
    this.lastBeat = now;
    return true;
  }

  /** Closing: the next process that reads counters takes over at once. */
  give(): void {
    if (!this.held) return;
    this.held = false;
    try {
      this.release.run(this.token);
    } catch {
      // Locked: the lease then runs out by its heartbeat, and this process is gone anyway.
    }
  }
}
