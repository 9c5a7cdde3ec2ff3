import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPathwise } from '../../main/core/createPathwise.ts';
import { PathwiseService } from '../../main/core/PathwiseService.ts';

async function core() {
  const dataDir = await mkdtemp(join(tmpdir(), 'pw-core-'));
  return createPathwise({ shell: 'electron', dataDir, env: {}, monitor: { pollIntervalMs: 60_000 } });
}

describe('PathwiseService', () => {
  it('rejects channels outside the contract with a stable code', async () => {
    const { service } = await core();
    await expect(service.invoke('fs.readFile', ['/etc/shadow'])).rejects.toMatchObject({
      code: 'E_BAD_CHANNEL',
    });
    await expect(service.invoke('__proto__', [])).rejects.toMatchObject({ code: 'E_BAD_CHANNEL' });
    await expect(service.invoke('toString', [])).rejects.toMatchObject({ code: 'E_BAD_CHANNEL' });
    await expect(service.invoke(42, [])).rejects.toMatchObject({ code: 'E_BAD_CHANNEL' });
  });

  it('rejects arguments that do not match the contract, saying which', async () => {
    const { service } = await core();
    await expect(service.invoke('paths.list', 'not-an-array')).rejects.toMatchObject({
      code: 'E_BAD_REQUEST',
    });
    await expect(service.invoke('paths.list', [1, 2])).rejects.toMatchObject({ code: 'E_BAD_REQUEST' });
    await expect(service.invoke('paths.setPreference', ['wlan0', 'sometimes'])).rejects.toThrow(
      /Invalid request/,
    );
  });

  it('answers a known channel nobody registered with E_UNAVAILABLE, not a crash', async () => {
    const service = new PathwiseService({ shell: 'headless' });
    await expect(service.invoke('paths.list', [])).rejects.toMatchObject({ code: 'E_UNAVAILABLE' });
  });

  it('answers valid requests and pushes path changes to subscribers', async () => {
    const { service } = await core();
    const pushed: string[] = [];
    service.subscribe((channel) => pushed.push(channel));
    await service.start();
    expect(await service.invoke('app.info', [])).toMatchObject({ shell: 'electron' });
    const paths = (await service.invoke('paths.list', [])) as Array<{ name: string }>;
    expect(paths.map((p) => p.name)).toContain('lo');
    expect(pushed).toContain('paths');
    await service.stop();
  });

  it('remembers a path preference and reports it on the path', async () => {
    const { service, settings } = await core();
    await service.start();
    const paths = (await service.invoke('paths.setPreference', ['lo', 'never'])) as Array<{
      name: string;
      preference: string;
    }>;
    expect(paths.find((p) => p.name === 'lo')?.preference).toBe('never');
    expect(settings.get().preferences).toEqual({ lo: 'never' });
    await service.stop();
  });
});
