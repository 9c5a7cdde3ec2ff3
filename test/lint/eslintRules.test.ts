import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';

// `npm run lint` runs ESLint with the project's config: these plant what the config must refuse.
const eslint = new ESLint({ cwd: REPO_ROOT });

async function rulesHit(path: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: join(REPO_ROOT, path) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('the lint config', () => {
  it('keeps the renderer out of main/ and node:', async () => {
    expect(
      await rulesHit('renderer/src/x.ts', "export { APP_VERSION } from '../../main/base/version.ts';\n"),
    ).toContain('no-restricted-imports');
    expect(await rulesHit('renderer/src/x.ts', "export { readFile } from 'node:fs';\n")).toContain(
      'no-restricted-imports',
    );
    expect(
      await rulesHit('renderer/src/x.ts', "export { formatBytes } from '../../common/format.ts';\n"),
    ).toEqual([]);
  });

  it('keeps electron in the shell', async () => {
    const text = "export { app } from 'electron';\n";
    expect(await rulesHit('main/engine/x.ts', text)).toContain('no-restricted-imports');
    expect(await rulesHit('main/shell/x.ts', text)).toEqual([]);
  });

  it('refuses a file over 600 lines and a function over 80, tests and bench included', async () => {
    const body = Array.from({ length: 80 }, (_, i) => `  total += ${i};`).join('\n');
    const longFunction = `export function f(): number {\n  let total = 0;\n${body}\n  return total;\n}\n`;
    expect(await rulesHit('main/engine/x.ts', longFunction)).toContain('max-lines-per-function');
    expect(await rulesHit('bench/x.ts', longFunction)).toContain('max-lines-per-function');
    const longFile = Array.from({ length: 601 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect(await rulesHit('test/x.test.ts', longFile)).toContain('max-lines');
    expect(await rulesHit('main/engine/x.ts', longFile.split('\n').slice(0, 590).join('\n') + '\n')).toEqual(
      [],
    );
  });
});
