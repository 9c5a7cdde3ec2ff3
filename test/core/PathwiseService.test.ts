import { describe, expect, it } from 'vitest';
import { PathwiseService } from '../../main/core/PathwiseService.ts';
import { PathMonitor } from '../../main/monitor/PathMonitor.ts';

const quietMonitor = () => new PathMonitor({ pollIntervalMs: 60_000 });

describe('PathwiseService', () => {
  it('rejects channels outside the contract with a stable code', async () => {
    const service = new PathwiseService({ shell: 'headless', monitor: quietMonitor() });
    await expect(service.invoke('fs.readFile', ['/etc/shadow'])).rejects.toMatchObject({
      code: 'E_BAD_CHANNEL',
    });
    await expect(service.invoke('__proto__', [])).rejects.toMatchObject({ code: 'E_BAD_CHANNEL' });
    await expect(service.invoke(42, [])).rejects.toMatchObject({ code: 'E_BAD_CHANNEL' });
  });

  it('rejects arguments that do not match the contract', async () => {
    const service = new PathwiseService({ shell: 'headless', monitor: quietMonitor() });
    await expect(service.invoke('paths.list', 'not-an-array')).rejects.toMatchObject({
      code: 'E_BAD_REQUEST',
    });
    await expect(service.invoke('paths.list', [1, 2])).rejects.toMatchObject({ code: 'E_BAD_REQUEST' });
  });

  it('answers valid requests and pushes path changes to subscribers', async () => {
    const monitor = quietMonitor();
    const service = new PathwiseService({ shell: 'electron', monitor });
    const pushed: string[] = [];
    service.subscribe((channel) => pushed.push(channel));
    await service.start();
    expect(await service.invoke('app.info', [])).toMatchObject({ shell: 'electron' });
    const paths = (await service.invoke('paths.list', [])) as Array<{ name: string }>;
    expect(paths.map((p) => p.name)).toContain('lo');
    expect(pushed).toContain('paths');
    await service.stop();
  });
});
