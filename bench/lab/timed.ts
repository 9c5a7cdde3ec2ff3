/** Running a tool in the lab's client namespace: timed under GNU time, or bare to be killed. */
import { spawn, type ChildProcess } from 'node:child_process';
import { testEnv } from '../../test/support/cli.ts';
import type { NetLab } from '../../test/support/netns.ts';

export interface Timed {
  code: number;
  wallS: number;
  cpuS: number;
  userS: number;
  sysS: number;
  maxRssMb: number;
  stdout: string;
  stderr: string;
  /** It ran past its time limit and was stopped (`code` is then 124, or 137 if it ignored TERM). */
  timedOut: boolean;
}

/** A run's limit unless told otherwise: far past any healthy run here, short of a hung bench. */
const DEFAULT_LIMIT_MS = 600_000;

/**
 * Runs a command in the client namespace under GNU time (wall, CPU, peak RSS), with a time limit
 * (`timeoutMs`): coreutils' timeout between the two sends the command TERM, then KILL 5 s later,
 * so a tool that hangs ends as a failed run with its own exit code and time instead of being
 * left running. --foreground keeps it in the bench's process group (a Ctrl-C still reaches it).
 * Every tool runs under the same two wrappers, so their cost (about a millisecond) is the same
 * in every figure.
 */
export function timed(
  lab: NetLab,
  command: string,
  args: string[],
  options: {
    onLine?: (line: string, child: ChildProcess) => void;
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<Timed> {
  return new Promise((resolve) => {
    const started = performance.now();
    const limitMs = options.timeoutMs ?? DEFAULT_LIMIT_MS;
    const wrappers = [
      ...['/usr/bin/time', '-f', 'BENCHTIME %e %U %S %M'],
      ...['timeout', '--foreground', '-k', '5', `${Math.ceil(limitMs / 1000)}s`],
    ];
    const child = spawn('ip', ['netns', 'exec', lab.client, ...wrappers, command, ...args], {
      env: testEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      partial += data.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line, child);
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    // A backstop only: timeout(1) has ended the command well before this.
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs + 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const t = readTime(code ?? 1, stdout, stderr, started);
      resolve({ ...t, timedOut: (t.code === 124 || t.code === 137) && t.wallS >= limitMs / 1000 - 1 });
    });
  });
}

/** GNU time's line on stderr, taken out of it; the wall clock from here if time printed none. */
function readTime(code: number, stdout: string, stderr: string, started: number): Omit<Timed, 'timedOut'> {
  const match = /BENCHTIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  return {
    code,
    wallS: match ? Number(match[1]) : (performance.now() - started) / 1000,
    cpuS: match ? Number(match[2]) + Number(match[3]) : Number.NaN,
    userS: match ? Number(match[2]) : Number.NaN,
    sysS: match ? Number(match[3]) : Number.NaN,
    maxRssMb: match ? Number(match[4]) / 1024 : Number.NaN,
    stdout,
    stderr: stderr.replace(/BENCHTIME.*\n?/, ''),
  };
}

/** Runs a command in the client namespace without a wrapper, so SIGKILL hits the client itself. */
export function bare(lab: NetLab, command: string, args: string[]): ChildProcess {
  return spawn('ip', ['netns', 'exec', lab.client, command, ...args], {
    env: testEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Why a run failed, in a few words (null when it didn't): past its time limit, a non-zero exit,
 * or a copy without the right bytes. A failed yardstick run decides no comparison.
 */
export function runFailure(t: Timed, rightBytes: boolean): string | null {
  if (t.timedOut) return `timed out after ${t.wallS.toFixed(0)} s`;
  if (t.code !== 0) return `exit ${t.code}`;
  return rightBytes ? null : 'wrong hash';
}
