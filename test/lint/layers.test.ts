import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.ts';

// The rules `npm run lint` runs, read from the project's own config.
const config = createRequire(import.meta.url)(join(REPO_ROOT, '.dependency-cruiser.cjs')) as {
  forbidden: NonNullable<Parameters<typeof cruise>[1]>['ruleSet'] extends infer R
    ? R extends { forbidden?: infer F }
      ? F
      : never
    : never;
};

let tree: string | undefined;
afterEach(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
  tree = undefined;
});

/** Lays out `files` (path → imports) in a scratch tree shaped like the repository and cruises it. */
async function violations(files: Record<string, string[]>): Promise<string[]> {
  tree = mkdtempSync(join(tmpdir(), 'pw-layers-'));
  for (const [path, imports] of Object.entries(files)) {
    mkdirSync(join(tree, dirname(path)), { recursive: true });
    const lines = imports.map(
      (target, i) => `import * as m${i} from '${target}';\nexport const u${i} = m${i};`,
    );
    writeFileSync(join(tree, path), `${lines.join('\n')}\nexport const here = 1;\n`);
  }
  const cwd = process.cwd();
  process.chdir(tree);
  try {
    const result = await cruise(Object.keys(files), {
      ruleSet: { forbidden: config.forbidden },
      validate: true,
      tsPreCompilationDeps: true,
    });
    const output = result.output as ICruiseResult;
    return output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
  } finally {
    process.chdir(cwd);
  }
}

describe('the layer rule', () => {
  it.each([
    ['main/engine/Transfer.ts', '../core/createPathwise.ts', 'main/core/createPathwise.ts', 'layer-engine'],
    ['main/network/HealthProber.ts', '../engine/pathAgent.ts', 'main/engine/pathAgent.ts', 'layer-network'],
    ['main/monitor/PathMonitor.ts', '../engine/Transfer.ts', 'main/engine/Transfer.ts', 'layer-monitor'],
    ['main/ledger/Ledger.ts', '../sync/SyncJob.ts', 'main/sync/SyncJob.ts', 'layer-ledger'],
    ['main/base/atomicWrite.ts', '../network/undiciCore.ts', 'main/network/undiciCore.ts', 'layer-base'],
    ['common/format.ts', '../main/base/version.ts', 'main/base/version.ts', 'layer-common'],
    ['main/core/createPathwise.ts', '../cli/get.ts', 'main/cli/get.ts', 'layer-core'],
    ['main/host/HeadlessHost.ts', '../shell/tray.ts', 'main/shell/tray.ts', 'layer-host'],
    ['main/cli/get.ts', '../shell/tray.ts', 'main/shell/tray.ts', 'layer-cli'],
    ['main/shell/tray.ts', '../cli/get.ts', 'main/cli/get.ts', 'layer-shell'],
    ['main/sync/SyncRunner.ts', '../core/createPathwise.ts', 'main/core/createPathwise.ts', 'layer-sync'],
    ['renderer/src/App.tsx', '../../main/base/version.ts', 'main/base/version.ts', 'renderer-only-common'],
    [
      'preload/index.ts',
      '../main/core/PathwiseService.ts',
      'main/core/PathwiseService.ts',
      'preload-only-common',
    ],
    [
      'main/engine/Transfer.ts',
      '../../test/support/rangeServer.ts',
      'test/support/rangeServer.ts',
      'product-not-tests',
    ],
  ])('%s may not import %s', async (from, specifier, target, rule) => {
    const found = await violations({ [from]: [specifier], [target]: [] });
    expect(found).toContain(`${rule}: ${from} → ${target}`);
  });

  it('lets every layer import from below and the renderer from common/', async () => {
    const found = await violations({
      'main/cli/get.ts': ['../core/createPathwise.ts', '../host/HeadlessHost.ts'],
      'main/core/createPathwise.ts': ['../ledger/Ledger.ts', '../monitor/PathMonitor.ts'],
      'main/ledger/Ledger.ts': ['../engine/Transfer.ts', '../../common/format.ts'],
      'main/engine/Transfer.ts': ['../network/undiciCore.ts', '../monitor/classify.ts', '../base/budget.ts'],
      'main/monitor/PathMonitor.ts': ['../network/HealthProber.ts'],
      'main/network/HealthProber.ts': ['../base/version.ts', '../../common/contract.ts'],
      'renderer/src/App.tsx': ['../../common/status.ts'],
      'main/host/HeadlessHost.ts': [],
      'main/network/undiciCore.ts': [],
      'main/monitor/classify.ts': [],
      'main/base/budget.ts': [],
      'main/base/version.ts': [],
      'common/format.ts': [],
      'common/status.ts': [],
      'common/contract.ts': [],
    });
    expect(found).toEqual([]);
  });

  it('finds an import cycle, even within one layer', async () => {
    const found = await violations({
      'main/engine/a.ts': ['./b.ts'],
      'main/engine/b.ts': ['./a.ts'],
    });
    expect(found).toContain('no-circular: main/engine/a.ts → main/engine/b.ts');
  });

  it('finds a relative import of a file that is not there', async () => {
    const found = await violations({ 'main/engine/a.ts': ['./gone.ts'] });
    expect(found).toContain('not-to-unresolvable: main/engine/a.ts → ./gone.ts');
  });
});
