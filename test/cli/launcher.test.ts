import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { launcherSource, type SourceStamp } from '../../scripts/build-cli.ts';
import { REPO_ROOT, runPathwise } from '../support/cli.ts';

const run = promisify(execFile);
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A launcher in a temp dir over a fake bundle and fake sources that say which one ran. */
function fakeBuild(): { dir: string; source: string; launch: () => Promise<string> } {
  const dir = mkdtempSync(join(tmpdir(), 'pw-launcher-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'bundle.js'), "export function main() { process.stdout.write('bundle'); }\n");
  writeFileSync(join(dir, 'sources.js'), "export function main() { process.stdout.write('sources'); }\n");
  const source = join(dir, 'get.ts');
  writeFileSync(source, 'export const x = 1;\n');
  const stat = statSync(source);
  const stamps: SourceStamp[] = [['./get.ts', stat.size, stat.mtimeMs]];
  writeFileSync(join(dir, 'pathwise.js'), launcherSource(stamps, './bundle.js', './sources.js'));
  return {
    dir,
    source,
    launch: async () => (await run(process.execPath, [join(dir, 'pathwise.js')])).stdout,
  };
}

describe('the command-line launcher (out/cli/pathwise.js)', () => {
  it('runs the bundle while every file it was built from is unchanged', async () => {
    const build = fakeBuild();
    expect(await build.launch()).toBe('bundle');
  });

  it('runs the sources once a file the bundle was built from changed or is gone', async () => {
    const build = fakeBuild();
    // Another size too: a rewrite within one tick of the kernel's coarse file clock keeps the mtime.
    writeFileSync(build.source, 'export const x = 22;\n');
    expect(await build.launch()).toBe('sources');
    rmSync(build.source);
    expect(await build.launch()).toBe('sources');
  });

  // `npm test` builds first; a bundle that never matched its sources would silently cost the
  // start-up time it exists to save.
  it.runIf(existsSync(join(REPO_ROOT, 'out', 'cli', 'pathwise.js')))(
    'is what bin/pathwise runs after npm run build',
    async () => {
      const result = await runPathwise(['--version'], { env: { PATHWISE_LAUNCH_DEBUG: '1' } });
      expect(result.code).toBe(0);
      expect(
        result.stderr,
        'bin/pathwise ran the sources: a source changed since the last `npm run build` (npm test builds first)',
      ).toBe('pathwise: bundle\n');
    },
  );
});
