import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { Agent, buildConnector, Client, errors, request } from '../../main/network/undiciCore.ts';
import { REPO_ROOT } from '../support/cli.ts';

// main/network/undiciCore.ts loads these files of undici by path (its index costs ~30 ms of
// `pathwise get`'s start-up). undici has no "exports" map and no promise to keep them where
// they are, so an upgrade that moves one must fail here, by name, not somewhere in the engine.
const INTERNALS = [
  'lib/dispatcher/agent.js',
  'lib/dispatcher/client.js',
  'lib/api/api-request.js',
  'lib/core/connect.js',
  'lib/core/errors.js',
];

const undiciRoot = dirname(createRequire(import.meta.url).resolve('undici/package.json'));

describe('the undici files the engine loads by path', () => {
  it('are all where undiciCore.ts expects them', () => {
    const missing = INTERNALS.filter((file) => !existsSync(join(undiciRoot, file)));
    expect(missing, `undici moved files main/network/undiciCore.ts loads: ${missing.join(', ')}`).toEqual([]);
  });

  it('are the very values undici exports from its index', () => {
    expect(Agent, 'undici/lib/dispatcher/agent.js is no longer undici.Agent').toBe(undici.Agent);
    expect(Client, 'undici/lib/dispatcher/client.js is no longer undici.Client').toBe(undici.Client);
    expect(buildConnector, 'undici/lib/core/connect.js is no longer undici.buildConnector').toBe(
      undici.buildConnector,
    );
    expect(errors.SocketError, 'undici/lib/core/errors.js no longer holds undici.errors').toBe(
      undici.errors.SocketError,
    );
    // undici's index copies lib/api's `request` onto Dispatcher.prototype; undiciCore.ts calls
    // api-request.js itself, so it must still be that function.
    const api = createRequire(import.meta.url)('undici/lib/api/index.js') as { request: unknown };
    expect(api.request, "undici/lib/api/api-request.js is no longer lib/api's request").toBeDefined();
    const viaRequest = createRequire(import.meta.url)('undici/lib/api/api-request.js') as unknown;
    expect(viaRequest).toBe(api.request);
    expect(typeof request).toBe('function');
  });

  it('come from the exact undici version package.json pins, for the reason undiciCore.ts gives', () => {
    const pinned = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies['undici'];
    const installed = (
      JSON.parse(readFileSync(join(undiciRoot, 'package.json'), 'utf8')) as { version: string }
    ).version;
    expect(pinned, 'undici must be pinned to one exact version (no ^ or ~)').toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(pinned);
    expect(readFileSync(join(REPO_ROOT, 'main/network/undiciCore.ts'), 'utf8')).toContain(
      'pins undici to one exact version',
    );
  });
});
