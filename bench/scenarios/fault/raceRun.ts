/** What one run of a fault race leaves behind, whichever race and tool. */
export interface RaceRun {
  /** The tool's time: from a shell, GNU time's wall clock; already running, the driver's clock. */
  seconds: number;
  /** Why it failed (exit code, time limit, wrong hash); null when it did not. */
  failure: string | null;
  /** From its start (spawn, or the request) to its first payload byte, by the client's counters. */
  firstByteMs: number;
}

/** Pathwise's run from a shell, with what its `--json` lines said about the failover. */
export interface PathwiseShellRun extends RaceRun {
  /** Each failover's stall (the failed path's last byte to its work's first byte elsewhere). */
  stalls: number[];
  /** The engine's own duration (start-up left out). */
  engineSeconds: number;
  wlan0Bytes: number;
}

/**
 * The races: from a shell, already running, running after one earlier download, and `pathwise get`
 * typed while the app runs (handed to it; aria2's side of that race is its shell run).
 */
export type RaceName = 'shell' | 'warm' | 'used' | 'handed';

export const RACES: RaceName[] = ['shell', 'warm', 'used', 'handed'];
