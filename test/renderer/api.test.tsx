import { describe, expect, it, vi } from 'vitest';
import { createSocketApi } from '../../renderer/src/api.ts';

/** A WebSocket stand-in the test drives by hand: open, deliver, close. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readonly sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
    FakeSocket.all.push(this);
  }
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(): void {
    this.onclose?.();
  }
  deliver(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

describe('the browser transport (WebSocket to pathwise serve)', () => {
  it('matches answers to requests and turns error answers into coded errors', async () => {
    FakeSocket.all = [];
    const api = createSocketApi('ws://127.0.0.1:1/ws', FakeSocket as unknown as typeof WebSocket);
    const info = api.invoke('app.info');
    const socket = FakeSocket.all[0] as FakeSocket;
    socket.onopen?.();
    await vi.waitFor(() => expect(socket.sent).toHaveLength(1));
    expect(socket.sent[0]).toEqual({ kind: 'invoke', id: 1, channel: 'app.info', args: [] });
    socket.deliver({
      kind: 'result',
      id: 1,
      ok: true,
      value: { version: '1', shell: 'headless', dataDir: '/d' },
    });
    await expect(info).resolves.toMatchObject({ shell: 'headless' });
    const list = api.invoke('transfers.list');
    await vi.waitFor(() => expect(socket.sent).toHaveLength(2));
    socket.deliver({
      kind: 'result',
      id: 2,
      ok: false,
      error: { code: 'E_UNAVAILABLE', message: 'No engine.' },
    });
    await expect(list).rejects.toMatchObject({ code: 'E_UNAVAILABLE', message: 'No engine.' });
  });

  it('delivers pushes to listeners and reconnects after the host goes away', async () => {
    vi.useFakeTimers();
    try {
      FakeSocket.all = [];
      const api = createSocketApi('ws://127.0.0.1:1/ws', FakeSocket as unknown as typeof WebSocket);
      const seen: unknown[] = [];
      api.on('paths', (paths) => seen.push(paths));
      const first = FakeSocket.all[0] as FakeSocket;
      first.onopen?.();
      first.deliver({ kind: 'event', channel: 'paths', payload: [] });
      const pending = api.invoke('paths.list');
      await vi.advanceTimersByTimeAsync(0);
      first.close();
      await expect(pending).rejects.toMatchObject({ code: 'E_DISCONNECTED' });
      await vi.advanceTimersByTimeAsync(300);
      const second = FakeSocket.all[1] as FakeSocket;
      expect(second).toBeDefined();
      second.onopen?.();
      second.deliver({ kind: 'event', channel: 'paths', payload: [{ name: 'wlan0' }] });
      expect(seen).toEqual([[], [{ name: 'wlan0' }]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
