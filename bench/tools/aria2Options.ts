/**
 * aria2c's options as an expert would set them for one download over several flaky interfaces,
 * given to every aria2 run the bench makes (from a shell, as the RPC daemon of bench/warm.ts, in
 * the kill scenario), so Pathwise is compared with aria2 at its best rather than at its defaults.
 * The values were checked against aria2 1.36 (Debian 12's; `aria2c --help=#all`) and its source:
 * AbstractCommand.cc (timeouts and retries), BitfieldMan.cc (how ranges are split).
 */

/** aria2 opens at most 16 connections to one server (-x). */
export const ARIA2_MAX_CONNECTIONS = 16;

/**
 * `connections` in all, to the one server. --multiple-interface binds each new socket to the next
 * interface in its list, round-robin, so two paths and 2n connections are n per path.
 */
export function aria2ConnectionArgs(connections: number): string[] {
  const n = Math.min(ARIA2_MAX_CONNECTIONS, Math.max(1, connections));
  return [
    `--max-connection-per-server=${n}`,
    `--split=${n}`,
    // aria2 splits a range only when what it would hand over is at least this big (default 20M):
    // at the default a 20 MiB file gets one connection whatever -x says, and a connection that
    // runs out of work can't take over the last 40 MiB of a slow path's range. 1M, the least
    // aria2 accepts, is its own work stealing at its finest.
    '--min-split-size=1M',
  ];
}

/** How aria2 notices a dead path and keeps going, each value with its reason. */
export const ARIA2_RESILIENCE: readonly string[] = [
  // A working path answers a SYN within one round trip (here well under a millisecond; on a
  // cellular link a few hundred). 2 s leaves room for one lost SYN (Linux sends it again after
  // 1 s) and gives up on a dead path's connect 58 s sooner than the default 60.
  '--connect-timeout=2',
  // A connection that receives nothing for this long is dropped and its range handed back (then
  // retried at once, the new socket bound to the next interface): the only way aria2 notices a
  // path that went silent (a blackhole). Every path here delivers data every few milliseconds,
  // so 2 s (aria2 counts whole seconds) never trips on a healthy one; it is about Pathwise's own
  // limit for a silent path (no bytes for max(1 s, 8× the usual gap, 4× RTT)). Default 60.
  '--timeout=2',
  // Never give up: a path that comes and goes must not end the download (default 5 tries).
  '--max-tries=0',
  // In 1.36 timeouts and network errors are retried at once whatever this says; it matters for
  // a 502/503 (a busy server, a proxy on a flapping path), which with 0 ends the download and with
  // a wait is retried after it. 1 s: soon, without hammering a busy server.
  '--retry-wait=1',
  // --lowest-speed-limit is left off. It can't find a silent path sooner than --timeout: it is
  // checked only after a connection's first 10 s, on a speed averaged over seconds. And a
  // connection it judges too slow is aborted, not retried (its URI is dropped): a healthy but
  // slow path would be lost for the rest of the download.
];
