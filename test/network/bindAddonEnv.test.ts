import { describe, expect, it } from 'vitest';
import {
  ADDON_PATH_ENV,
  addonCandidates,
  envOverrideAllowed,
  type ProcessFacts,
} from '../../main/network/bindAddon.ts';

/*
 * PATHWISE_BIND_ADDON names a .node file to load: fine in plain Node and while developing the
 * app, never in a packaged app (it would load any native code the environment names, which the
 * app's fuses exist to prevent).
 */
const env = { [ADDON_PATH_ENV]: '/tmp/evil/pathwise_bind.node' };
const here = process.cwd();

const plainNode: ProcessFacts = { execPath: '/usr/bin/node', versions: {} };
const developing: ProcessFacts = {
  execPath: '/work/node_modules/electron/dist/electron',
  versions: { electron: '45.4.1' },
  defaultApp: true,
};
const packaged: ProcessFacts = {
  execPath: '/opt/Pathwise/pathwise',
  versions: { electron: '45.4.1' },
};

function fromEnv(proc: ProcessFacts): string[] {
  return addonCandidates(env, here, proc)
    .filter((c) => c.source === 'env')
    .map((c) => c.file);
}

describe('PATHWISE_BIND_ADDON', () => {
  it('is tried first in plain Node (the CLI, pathwise serve) and in Electron while developing', () => {
    expect(fromEnv(plainNode)).toEqual([env[ADDON_PATH_ENV]]);
    expect(fromEnv(developing)).toEqual([env[ADDON_PATH_ENV]]);
    expect(addonCandidates(env, here, developing)[0]?.source).toBe('env');
  });

  it('is ignored by a packaged app, which loads only its own prebuild or build', () => {
    expect(fromEnv(packaged)).toEqual([]);
    expect(addonCandidates(env, here, packaged).every((c) => c.source !== 'env')).toBe(true);
  });

  it('counts as packaged whenever either sign says so: no app folder given, or a renamed binary', () => {
    expect(envOverrideAllowed({ ...packaged, execPath: '/usr/lib/electron/electron' })).toBe(false);
    expect(envOverrideAllowed({ ...developing, execPath: '/opt/Pathwise/pathwise' })).toBe(false);
    expect(envOverrideAllowed({ ...developing, execPath: 'C:\\dev\\electron.exe' })).toBe(true);
  });
});
