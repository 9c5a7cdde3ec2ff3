import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor'; execution: 'sync' }) => void;

/** How many received bytes between two young-generation collections. */
const EVERY = 8 << 20;

let collect: Collect | null | undefined;
let since = 0;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collect = typeof gc === 'function' ? (gc as Collect) : null;
  } catch {
    collect = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/**
 * Keeps memory flat at high throughput. Every socket read allocates a fresh buffer outside the JS
 * heap; V8 frees them only when it collects, and it counts the young heap (small JS objects), not
 * those buffers, when deciding to — so at hundreds of MB/s tens of MB of dead buffers pile up
 * before a collection runs. A young-generation collection every few MB (≈0.05 ms each) frees
 * them as they die. Measured on 1 GiB over loopback: peak RSS 190 → 130 MB, and less CPU.
 * Without a way to trigger it (some embedders forbid it) this does nothing.
 */
export function noteReceived(bytes: number): void {
  since += bytes;
  if (since < EVERY) return;
  since = 0;
  collector()?.({ type: 'minor', execution: 'sync' });
}
