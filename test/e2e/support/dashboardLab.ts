/**
 * The dashboard on a laptop-shaped lab: `pathwise serve` and Chromium inside the client namespace
 * (wlan0 40 Mbit/s + wwan0 20 Mbit/s), a range server in the server namespace. Shared by the lab's
 * e2e files; `sent` records what the page asked the core over its WebSocket.
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../../support/browser.ts';
import { NetLab, SERVER_ADDRESS } from '../../support/netns.ts';
import { startServe, type Served } from '../../support/serve.ts';

const RANGE_SERVER = new URL('./rangeServer.ts', import.meta.url).pathname;
export const FILE_URL = `http://${SERVER_ADDRESS}:8080/file.bin`;

export interface Lab {
  lab: NetLab;
  served: Served;
  browser: Browser;
  page: Page;
  /** Console errors, page errors: a test ends expecting none (CSP violations included). */
  problems: string[];
  /** Requests the page sent the core, as `{ channel, args }`. */
  sent: Array<{ channel: string; args: unknown[] }>;
}

/** Records a page's console errors and the requests it sends over the core's WebSocket. */
export function watchPage(page: Page, problems: string[], sent?: Lab['sent']): void {
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  if (!sent) return;
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      try {
        const message = JSON.parse(String(payload)) as { kind?: string; channel: string; args: unknown[] };
        if (message.kind === 'invoke') sent.push({ channel: message.channel, args: message.args });
      } catch {
        // Not a request of ours.
      }
    }),
  );
}

async function startRangeServer(lab: NetLab, sizeBytes: number): Promise<void> {
  const server = lab.spawnIn('server', process.execPath, [
    RANGE_SERVER,
    '--host',
    SERVER_ADDRESS,
    '--port',
    '8080',
    '--size',
    String(sizeBytes),
  ]);
  await new Promise<void>((resolve, reject) => {
    server.stdout?.once('data', () => resolve());
    server.once('exit', (code) => reject(new Error(`range server exited ${code}`)));
  });
}

export async function startLab(sizeBytes = 300 * 1024 * 1024): Promise<Lab> {
  const lab = await NetLab.create([
    { name: 'wlan0', downMbit: 40 },
    { name: 'wwan0', downMbit: 20 },
  ]);
  try {
    await startRangeServer(lab, sizeBytes);
    const dataDir = await mkdtemp(join(tmpdir(), 'pw-netns-e2e-'));
    const served = await startServe({
      netns: lab.client,
      env: {
        PATHWISE_DATA_DIR: dataDir,
        XDG_DOWNLOAD_DIR: join(dataDir, 'downloads'),
        PATHWISE_PROBE_URL: `http://${SERVER_ADDRESS}:8080/generate_204`,
      },
    });
    const browser = await launchChromium({ netns: lab.client });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const sent: Lab['sent'] = [];
    watchPage(page, problems, sent);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.goto(served.url);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    return { lab, served, browser, page, problems, sent };
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}

export async function stopLab(env: Lab | undefined): Promise<void> {
  await env?.browser.close();
  await env?.served.stop();
  await env?.lab.destroy();
}

/** Opens a view from the sidebar and waits for its heading. */
export async function go(page: Page, view: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('link', { name: new RegExp(`^${view.replace('&', '.')}`) })
    .click();
  await page.getByRole('heading', { name: view, level: 1 }).waitFor();
}
