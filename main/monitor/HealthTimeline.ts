import { randomUUID } from 'node:crypto';
import type { ContinuityEvent, HealthStep, PathEvent } from '../../common/contract.ts';

/**
 * A path in trouble again this soon after it was `up` again is the same trouble (a path that
 * flaps is one entry, not one per flap); as long as the engine merges failovers of one path.
 */
export const HEALTH_MERGE_MS = 30_000;
/** Steps one entry keeps: its first, and the latest after it. */
export const HEALTH_STEPS_KEPT = 24;
/** Entries kept for `continuity.list`, as many as the engine keeps of its own. */
const ENTRIES_KEPT = 500;

/** A path's trouble: its entry, and when it ended (null while it goes on). */
interface Trouble {
  entry: ContinuityEvent;
  endedAt: number | null;
}

/**
 * The monitor's health verdicts on the continuity timeline (issue 23): a path's trouble is one
 * entry, from its first step off `up` (suspect, degraded, portal, offline) to its return, told
 * again under the same id at each step (suspect → offline → up), as the engine tells a cut
 * (ContinuityTracker); listeners replace an entry by id. Each step keeps its reason; the entry's
 * `detail` is the reason of the latest step that was trouble. `unknown` (not probed yet, e.g. a
 * link just back) and a link down are no steps. A path the user never uses opens no entry.
 */
export class HealthTimeline {
  private readonly emit: (entry: ContinuityEvent) => void;
  private readonly troubles = new Map<string, Trouble>();
  private readonly entries: ContinuityEvent[] = [];

  constructor(emit: (entry: ContinuityEvent) => void) {
    this.emit = emit;
  }

  /** The entries so far, oldest first, each as last told. */
  continuity(): ContinuityEvent[] {
    return [...this.entries];
  }

  observe(event: PathEvent): void {
    if (event.type === 'path-removed') {
      this.troubles.delete(event.name);
      return;
    }
    if (event.type !== 'health-changed' || !event.state || event.state === 'unknown') return;
    // A link down is no verdict (the engine tells what it cost a download: path-lost, failover).
    if (event.path && !event.path.up) return;
    const step: HealthStep = { state: event.state, at: Date.parse(event.at), reason: event.reason ?? '' };
    const trouble = this.troubles.get(event.name);
    const going = trouble !== undefined && trouble.endedAt === null;
    if (step.state === 'up') {
      if (trouble && going) this.tell(event.name, trouble, step);
      return;
    }
    const again = trouble?.endedAt != null && step.at - trouble.endedAt <= HEALTH_MERGE_MS;
    if (trouble && (going || again)) return this.tell(event.name, trouble, step);
    if (event.path?.preference === 'never') return;
    this.open(event.name, step);
  }

  private open(name: string, step: HealthStep): void {
    const entry: ContinuityEvent = {
      id: randomUUID(),
      at: step.at,
      kind: 'health',
      transferId: null,
      from: name,
      to: null,
      bytesLost: 0,
      stallMs: 0,
      detail: step.reason,
      steps: [step],
    };
    this.troubles.set(name, { entry, endedAt: null });
    this.record(entry);
  }

  /** The trouble's next step: its entry told again, ended when the step is `up`. */
  private tell(name: string, trouble: Trouble, step: HealthStep): void {
    const before = trouble.entry.steps ?? [];
    const last = before.at(-1);
    if (last && last.state === step.state && last.reason === step.reason) return;
    let steps = [...before, step];
    if (steps.length > HEALTH_STEPS_KEPT)
      steps = [...steps.slice(0, 1), ...steps.slice(-(HEALTH_STEPS_KEPT - 1))];
    const entry: ContinuityEvent = { ...trouble.entry, steps };
    if (step.state !== 'up') entry.detail = step.reason;
    this.troubles.set(name, { entry, endedAt: step.state === 'up' ? step.at : null });
    this.record(entry);
  }

  private record(entry: ContinuityEvent): void {
    const told = this.entries.findIndex((e) => e.id === entry.id);
    if (told >= 0) this.entries[told] = entry;
    else if (this.entries.push(entry) > ENTRIES_KEPT) this.entries.shift();
    this.emit(entry);
  }
}
