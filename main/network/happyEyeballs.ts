/**
 * Happy Eyeballs (RFC 8305) for one path: the server's addresses in the families the path has,
 * families taking turns, a new attempt every 250 ms while the earlier ones are still out (or at
 * once when one fails), the first connection to open wins and the others are closed. A server
 * whose IPv6 is broken on this network then costs a quarter second, not a connect timeout, and a
 * path with only one family never tries the other.
 *
 * Node's own `autoSelectFamily` does this only for sockets it creates from a host name, and not
 * with a `localAddress`: a path's sockets are made per address (pinned to the device, or bound to
 * the path's address of the target's family), so the race is run here.
 */
import { lookup } from 'node:dns/promises';
import { reachable } from './hostRules.ts';
import { isIP, type Socket } from 'node:net';

export interface Target {
  address: string;
  family: 4 | 6;
}

/** RFC 8305's recommended Connection Attempt Delay. */
export const ATTEMPT_DELAY_MS = 250;

/**
 * The addresses to try for `hostname`, in turn by family starting with `first`, only in
 * `families` when given (a path that has no IPv6 never tries it). A hostname with addresses only
 * in families the path lacks is ENETUNREACH, said in words.
 */
export async function resolveTargets(
  hostname: string,
  families: ReadonlySet<4 | 6> | null,
  first: 4 | 6,
  via: string,
): Promise<Target[]> {
  const literal = isIP(hostname);
  const found: Target[] =
    literal === 4 || literal === 6
      ? [{ address: hostname, family: literal }]
      : ((await lookup(hostname, { all: true })) as Array<{ address: string; family: number }>).filter(
          (a): a is Target => a.family === 4 || a.family === 6,
        );
  // A name a redirect guard cleared reaches only what it cleared (hostRules.ts).
  const allowed = literal ? found : reachable(hostname, found);
  const usable = families ? allowed.filter((t) => families.has(t.family)) : allowed;
  if (usable.length === 0 && allowed.length > 0) {
    const has = [...(families ?? [])].map((f) => `IPv${f}`).join(' and ');
    throw Object.assign(
      new Error(`${hostname} has no address that ${via} can reach (${via} has ${has || 'no address'} only)`),
      { code: 'ENETUNREACH' },
    );
  }
  return interleave(usable, first);
}

/** first-family, other, first-family, … (RFC 8305 §4). */
export function interleave(targets: readonly Target[], first: 4 | 6): Target[] {
  const preferred = targets.filter((t) => t.family === first);
  const others = targets.filter((t) => t.family !== first);
  const order: Target[] = [];
  for (let i = 0; i < Math.max(preferred.length, others.length); i++) {
    if (preferred[i]) order.push(preferred[i] as Target);
    if (others[i]) order.push(others[i] as Target);
  }
  return order;
}

/** One connection attempt; it ends (and closes what it opened) when `signal` aborts. */
export type Attempt = (target: Target, signal: AbortSignal) => Promise<Socket>;

/**
 * Races `attempt` over `targets`, each started `delayMs` after the one before or as soon as it
 * failed. Resolves with the first socket to connect (every other attempt is aborted, a late
 * winner closed); rejects when all failed (one error, or an AggregateError carrying the first
 * one's code), when `signal` aborts, or at once on an error `final` says every address would meet.
 */
export function raceConnects(
  targets: readonly Target[],
  attempt: Attempt,
  options: { delayMs?: number; signal?: AbortSignal; final?: (error: Error) => boolean } = {},
): Promise<Socket> {
  const delayMs = options.delayMs ?? ATTEMPT_DELAY_MS;
  return new Promise<Socket>((resolve, reject) => {
    const controller = new AbortController();
    const failures: Error[] = [];
    let started = 0;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: Error | null, socket?: Socket): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      controller.abort();
      if (error) reject(error);
      else resolve(socket as Socket);
    };
    const onAbort = (): void => finish(abortReason(options.signal));
    const next = (): void => {
      clearTimeout(timer);
      const target = targets[started++];
      if (!target) return;
      timer = setTimeout(next, delayMs);
      // A pending attempt must not hold a finished process open; its caller holds it.
      timer.unref();
      attempt(target, controller.signal).then(
        (socket) => {
          if (settled) socket.destroy();
          else finish(null, socket);
        },
        (error: Error) => {
          if (settled) return;
          failures.push(error);
          if (options.final?.(error)) finish(error);
          else if (failures.length === targets.length) finish(combined(failures));
          else if (started === failures.length) next();
        },
      );
    };
    if (targets.length === 0) {
      reject(Object.assign(new Error('no address to connect to'), { code: 'ENOTFOUND' }));
      return;
    }
    if (options.signal?.aborted) {
      reject(abortReason(options.signal));
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    next();
  });
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('The connection attempt was aborted.');
}

function combined(failures: Error[]): Error {
  if (failures.length === 1) return failures[0] as Error;
  const first = failures[0] as Error & { code?: string };
  return Object.assign(new AggregateError(failures, failures.map((f) => f.message).join('; ')), {
    code: first.code,
  });
}
