import { PassThrough } from 'node:stream';
import { exitCodeFor } from '../../main/cli/exitCodes.ts';
import { errorReport, runCli } from '../../main/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the command line in this process as bin/pathwise would (its output, and the exit code
 * main() would set), for commands that need no separate process: faster than the binary.
 */
export async function cli(argv: string[]): Promise<CliRun> {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  let code: number;
  try {
    code = await runCli(argv, { stdout, stderr });
  } catch (error) {
    err.push(errorReport(error));
    code = exitCodeFor(error);
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}
