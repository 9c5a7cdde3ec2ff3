import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContinuityEvent, TransferInfo } from '../../common/contract.ts';
import { createPathwise, type Pathwise } from '../../main/core/createPathwise.ts';
import type { PathBytesEvent } from '../../main/base/budget.ts';
import { tempDir, until } from '../support/engineLab.ts';
import { LinkEmulator } from '../support/linkEmulator.ts';
import { deterministicContent, sha256, startRangeServer, type RangeServer } from '../support/rangeServer.ts';

const SIZE = 2_500_000;
const content = deterministicContent(SIZE, 51);
let server: RangeServer;
let link: LinkEmulator;
let app: Pathwise;
let downloads: string;
let published: TransferInfo[][];
let continuity: ContinuityEvent[];

beforeEach(async () => {
  server = await startRangeServer(content);
  link = await LinkEmulator.start({ host: '127.0.0.1', port: server.port });
  downloads = tempDir();
  app = await createPathwise({
    shell: 'headless',
    dataDir: tempDir(),
    env: { XDG_DOWNLOAD_DIR: downloads, PATHWISE_PROBE_URL: 'http://127.0.0.1:9/' },
  });
  published = [];
  continuity = [];
  app.service.subscribe((channel, payload) => {
    if (channel === 'transfers') published.push(payload as TransferInfo[]);
    if (channel === 'continuity') continuity.push(payload as ContinuityEvent);
  });
  await app.service.start();
});

afterEach(async () => {
  await app.service.stop();
  await link.close();
  await server.close();
});

const latest = (): TransferInfo | undefined => published.at(-1)?.[0];

describe('transfers through the core service: starting, finishing and refusing', () => {
  it('downloads into the download folder and publishes progress and the result', async () => {
    const bytes: PathBytesEvent[] = [];
    app.transfers.on('bytes', (e) => bytes.push(e));
    const started = (await app.service.invoke('transfers.start', [
      { url: server.url, paths: ['lo'] },
    ])) as TransferInfo;
    expect(started.url).toBe(server.url);
    expect(started.allowedPaths).toEqual(['lo']);
    await until(() => latest()?.state === 'done', 30_000, 'done published');
    const info = latest() as TransferInfo;
    expect(info).toMatchObject({
      size: SIZE,
      received: SIZE,
      sha256: sha256(content),
      file: join(downloads, 'file.bin'),
    });
    expect(readFileSync(join(downloads, 'file.bin')).equals(content)).toBe(true);
    expect(bytes.filter((e) => e.path === 'lo').reduce((n, e) => n + e.bytes, 0)).toBe(SIZE);
    const listed = (await app.service.invoke('transfers.list', [])) as TransferInfo[];
    expect(listed.map((t) => t.state)).toEqual(['done']);
  });

  it('answers a start once its first request is on the wire', async () => {
    // Answering first (checking the answer against the contract and sending it) would hold the
    // request back by that long in a process that has just started.
    const order: string[] = [];
    const sent = (): void => {
      order.push('request sent');
    };
    subscribe('undici:client:sendHeaders', sent);
    try {
      const started = app.service
        .invoke('transfers.start', [{ url: server.url, paths: ['lo'] }])
        .then(() => order.push('answered'));
      const listed = new Promise<void>((resolve) => {
        const off = app.service.subscribe((channel) => {
          if (channel !== 'transfers') return;
          order.push('listed');
          off();
          resolve();
        });
      });
      await Promise.all([started, listed]);
      expect(order[0]).toBe('request sent');
      expect(order).toContain('answered');
      await until(() => latest()?.state === 'done', 30_000, 'done');
    } finally {
      unsubscribe('undici:client:sendHeaders', sent);
    }
  });

  it('answers reveal with E_UNSUPPORTED in the core and lists continuity events', async () => {
    await expect(app.service.invoke('transfers.reveal', ['x'])).rejects.toMatchObject({
      code: 'E_UNSUPPORTED',
    });
    await expect(app.service.invoke('transfers.pause', ['nope'])).rejects.toMatchObject({
      code: 'E_NOT_FOUND',
    });
    expect(await app.service.invoke('continuity.list', [])).toEqual([]);
    await app.service.invoke('transfers.start', [
      { url: server.url.replace('file.bin', 'gone'), paths: ['lo'] },
    ]);
    await until(() => latest()?.state === 'failed', 30_000, 'failed published');
    expect(latest()?.error).toMatchObject({ code: 'E_HTTP_STATUS' });
    expect(continuity).toEqual([]);
  });
});

describe('transfers through the core service: pausing, cancelling and the next download', () => {
  it('pauses, resumes and cancels by id', async () => {
    link.set('127.0.0.1', { rateBps: 500_000 });
    const { id } = (await app.service.invoke('transfers.start', [
      { url: link.url('/file.bin'), paths: ['lo'], fileName: 'slow.bin' },
    ])) as TransferInfo;
    await until(() => (latest()?.received ?? 0) > 300_000, 30_000, 'progress');
    const paused = (await app.service.invoke('transfers.pause', [id])) as TransferInfo;
    expect(paused.state).toBe('paused');
    expect(existsSync(join(downloads, 'slow.bin.part'))).toBe(true);
    link.set('127.0.0.1', { rateBps: null });
    await app.service.invoke('transfers.resume', [id]);
    await until(() => latest()?.state === 'done', 30_000, 'done after resume');
    expect(readFileSync(join(downloads, 'slow.bin')).equals(content)).toBe(true);

    const second = (await app.service.invoke('transfers.start', [
      { url: link.url('/file.bin'), paths: ['lo'], fileName: 'slow.bin' },
    ])) as TransferInfo;
    link.set('127.0.0.1', { rateBps: 300_000 });
    await until(
      () => published.at(-1)?.find((t) => t.id === second.id)?.state === 'running',
      30_000,
      'running',
    );
    const cancelled = (await app.service.invoke('transfers.cancel', [second.id])) as TransferInfo;
    expect(cancelled.state).toBe('cancelled');
    // The existing file was not touched; the second download went to a new name and is gone.
    expect(cancelled.file).toBe(join(downloads, 'slow (1).bin'));
    expect(existsSync(join(downloads, 'slow (1).bin.part'))).toBe(false);
    expect(readFileSync(join(downloads, 'slow.bin')).equals(content)).toBe(true);
  });

  it('starts the next download from the same server on the connections the last one kept alive', async () => {
    const download = async (fileName: string): Promise<void> => {
      const { id } = (await app.service.invoke('transfers.start', [
        { url: server.url, paths: ['lo'], fileName },
      ])) as TransferInfo;
      await until(
        () => published.at(-1)?.find((t) => t.id === id)?.state === 'done',
        30_000,
        `${fileName} done`,
      );
    };
    await download('first.bin');
    const opened = server.connections.length;
    const asked = server.requests.length;
    await download('second.bin');
    expect(readFileSync(join(downloads, 'second.bin')).equals(content)).toBe(true);
    expect(server.requests.length).toBeGreaterThan(asked);
    // No handshake for the second download: every request went over a kept-alive connection.
    expect(server.connections.length).toBe(opened);
  });
});
