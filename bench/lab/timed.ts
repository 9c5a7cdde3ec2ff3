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
}

/** Runs a command in the client namespace under GNU time (wall, CPU, peak RSS). */
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
    const child = spawn(
      'ip',
      ['netns', 'exec', lab.client, '/usr/bin/time', '-f', 'BENCHTIME %e %U %S %M', command, ...args],
      { env: testEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
    );
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
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(readTime(code ?? 1, stdout, stderr, started));
    });
  });
}

/** GNU time's line on stderr, taken out of it; the wall clock from here if time printed none. */
function readTime(code: number, stdout: string, stderr: string, started: number): Timed {
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
