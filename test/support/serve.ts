import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { PATHWISE_BIN, testEnv } from './cli.ts';

export interface Served {
  url: string;
  origin: string;
  token: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Start `pathwise serve` (optionally inside a namespace) and wait for the printed URL. */
export async function startServe(
  options: { netns?: string; args?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<Served> {
  const argv = ['serve', '--port', '0', ...(options.args ?? [])];
  const child = options.netns
    ? spawn('ip', ['netns', 'exec', options.netns, PATHWISE_BIN, ...argv], {
        env: testEnv(options.env),
      })
    : spawn(PATHWISE_BIN, argv, { env: testEnv(options.env) });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`pathwise serve printed no URL: ${stderr}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /(http:\/\/\S+\?token=\w+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pathwise serve exited ${code}: ${stderr}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
