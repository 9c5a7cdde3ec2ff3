import type { Readable } from 'node:stream';

/**
 * Collects a child's output lines and waits for one that matches, for tests that follow a
 * long-running process (`pathwise watch`, a lab server). Never a fixed sleep: poll for the line.
 */
export class LineReader {
  readonly lines: string[] = [];
  private buffer = '';
  private waiters: Array<() => void> = [];

  constructor(stream: Readable | null | undefined) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        this.lines.push(this.buffer.slice(0, newline));
        this.buffer = this.buffer.slice(newline + 1);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves with the first line from index `from` on that matches; rejects after the timeout. */
  async waitFor(match: (line: string) => boolean, timeoutMs = 30_000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no matching line within ${timeoutMs} ms; got:\n${this.lines.slice(-20).join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Parsed JSON lines (others skipped). */
  json<T>(from = 0): T[] {
    return this.lines.slice(from).flatMap((line) => {
      try {
        return [JSON.parse(line) as T];
      } catch {
        return [];
      }
    });
  }
}
