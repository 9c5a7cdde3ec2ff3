import { isIP, type Socket } from 'node:net';
import type { buildConnector } from 'undici';
import type { PathHealth } from '../../common/contract.ts';
import { APP_VERSION } from '../base/version.ts';
import type { BindAddonStatus } from './bindAddon.ts';
import { createBoundConnect } from './boundConnect.ts';
import { forwardedRequest } from './proxyConnect.ts';
import { proxyPending, type ProxySettings } from './proxySettings.ts';
import { Client, request } from './undiciCore.ts';

export interface HealthProberOptions {
  /** The probe URL, read on every probe so a settings change applies at once. */
  url: () => string;
  /** Deadline for one attempt (connect + answer). */
  timeoutMs?: number;
  /** Pause before the one retry after a failed attempt. */
  retryDelayMs?: number;
  /** A TCP handshake slower than this marks the path degraded. */
  degradedRttMs?: number;
  /**
   * The interface's own transmit counter, to check that the probe really left through it (on
   * Linux a socket bound to an address still follows the main routing table). Undefined skips it.
   */
  txBytes?: (name: string) => number | undefined;
  /** How long to wait for slow NIC drivers to refresh counters before calling a probe unverified. */
  counterSettleMs?: number;
  /** The device-binding addon to use; loadBindAddon() when absent (tests pass their own). */
  addon?: BindAddonStatus;
  /**
   * The proxies downloads go through: a probe goes the same way, so a network that reaches the
   * internet only through its proxy is not called offline (nor one that can't reach it usable).
   */
  proxy?: ProxySettings | null;
}

export interface ProbeTarget {
  name: string;
  addresses: string[];
}

export interface ProbeResult {
  health: PathHealth;
  /** TCP payload bytes the probe sent (request) and received (response), all attempts together. */
  bytesSent: number;
  bytesReceived: number;
}

type Attempt =
  | {
      ok: true;
      status: number;
      location: string | undefined;
      bodyBytes: number;
      connectMs: number;
      totalMs: number;
      sent: number;
      received: number;
    }
  | { ok: false; timedOut: boolean; message: string; sent: number; received: number };

/**
 * A portal's sign-in page is proven by its first bytes: the body is read no further, so a probe
 * behind a portal costs a few kB at most (its socket's reads), not the whole page.
 */
const MAX_BODY = 4 * 1024;

/** What one probe may be asked: a retry after a failed attempt (default yes), a shorter deadline. */
export interface ProbeCall {
  retry?: boolean;
  /** Deadline for each attempt; the prober's own `timeoutMs` when absent. */
  timeoutMs?: number;
}

function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** The path address to bind: the URL's family when it is a literal, else IPv4 first. */
export function pickLocalAddress(url: URL, addresses: string[]): { address: string; family: 4 | 6 } | null {
  const literal = isIP(hostOf(url));
  const families: Array<4 | 6> = literal === 4 ? [4] : literal === 6 ? [6] : [4, 6];
  for (const family of families) {
    const address = addresses.find((a) => isIP(a) === family);
    if (address) return { address, family };
  }
  return null;
}

// Ref'd timers: a one-shot `pathwise interfaces` must wait for its probes to finish.
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One small HTTP GET bound to a path (to its device where the addon allows, else its address),
 * answering: does this path reach the internet, how far away is it (TCP handshake time), and is
 * something in between (a captive portal answering with a redirect or a sign-in page instead of
 * the expected empty 204)? A blackhole (associated Wi-Fi, no internet) shows as no answer: two
 * short attempts, so it is called offline within a few seconds.
 */
export class HealthProber {
  private readonly url: () => string;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly degradedRttMs: number;
  private readonly txBytes: ((name: string) => number | undefined) | undefined;
  private readonly counterSettleMs: number;
  private readonly addon: BindAddonStatus | undefined;
  private readonly proxy: ProxySettings | null;

  constructor(options: HealthProberOptions) {
    this.url = options.url;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.retryDelayMs = options.retryDelayMs ?? 300;
    this.degradedRttMs = options.degradedRttMs ?? 800;
    this.txBytes = options.txBytes;
    this.counterSettleMs = options.counterSettleMs ?? 2500;
    this.addon = options.addon;
    this.proxy = options.proxy ?? null;
  }

  async probe(target: ProbeTarget, options: ProbeCall = {}): Promise<ProbeResult> {
    const url = new URL(this.url());
    const checkedAt = Date.now();
    const local = pickLocalAddress(url, target.addresses);
    if (!local) {
      const detail = target.addresses.length
        ? `No IPv${isIP(hostOf(url)) === 6 ? 6 : 4} address to probe ${url.host} from.`
        : 'No address yet.';
      return {
        health: { status: 'offline', rttMs: null, checkedAt, detail },
        bytesSent: 0,
        bytesReceived: 0,
      };
    }
    const txBefore = this.txBytes?.(target.name);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const attempts: Attempt[] = [await this.attempt(url, target.name, local.address, timeoutMs)];
    if (!attempts[0]?.ok && options.retry !== false) {
      await sleep(this.retryDelayMs);
      attempts.push(await this.attempt(url, target.name, local.address, timeoutMs));
    }
    const bytesSent = attempts.reduce((n, a) => n + a.sent, 0);
    const bytesReceived = attempts.reduce((n, a) => n + a.received, 0);
    let health = this.judge(url, attempts, checkedAt, timeoutMs);
    if (txBefore !== undefined && !(await this.leftThrough(target.name, txBefore, bytesSent))) {
      health = {
        status: 'unknown',
        rttMs: null,
        checkedAt,
        detail: `The probe to ${url.host} left through another interface, not ${target.name} (binding to ${local.address} alone doesn't pick the interface without policy routing), so its health is unknown.`,
      };
    }
    return { health, bytesSent, bytesReceived };
  }

  /** Did the interface transmit at least what the probe wrote (or anything, if nothing got written)? */
  private async leftThrough(name: string, before: number, sent: number): Promise<boolean> {
    const need = Math.max(1, sent);
    const delta = (): number => (this.txBytes?.(name) ?? before) - before;
    if (delta() >= need) return true;
    // Some NIC drivers refresh their counters every second or two.
    await sleep(this.counterSettleMs);
    return delta() >= need;
  }

  private judge(url: URL, attempts: Attempt[], checkedAt: number, timeoutMs: number): PathHealth {
    const last = attempts[attempts.length - 1];
    if (!last) return { status: 'unknown', rttMs: null, checkedAt };
    if (!last.ok) {
      const tries = attempts.length === 1 ? '1 try' : `${attempts.length} tries`;
      const detail = last.timedOut
        ? `No answer from ${url.host} within ${timeoutMs / 1000} s (${tries}).`
        : `Could not reach ${url.host}: ${last.message}.`;
      return { status: 'offline', rttMs: null, checkedAt, detail };
    }
    const rttMs = Math.round(last.connectMs * 10) / 10;
    const { status } = last;
    if (status >= 300 && status < 400) {
      const where = last.location ? ` to ${safeHost(last.location, url)}` : '';
      const portalUrl = portalPage(last.location, url);
      return {
        status: 'captive',
        rttMs,
        checkedAt,
        detail: `Redirected${where}: a sign-in page is likely.`,
        ...(portalUrl ? { portalUrl } : {}),
      };
    }
    if (status === 511 || (status >= 200 && status < 300 && status !== 204 && last.bodyBytes > 0)) {
      // The portal served its page in place of the probe's answer: the probe URL shows it again.
      const portalUrl = portalPage(undefined, url);
      return {
        status: 'captive',
        rttMs,
        checkedAt,
        detail: `Answered HTTP ${status} with a page instead of an empty 204: a sign-in page is likely.`,
        ...(portalUrl ? { portalUrl } : {}),
      };
    }
    if (status >= 400) {
      return {
        status: 'degraded',
        rttMs,
        checkedAt,
        detail:
          status === 407
            ? 'The proxy asks for a login (407 Proxy Authentication Required).'
            : `The probe URL answered HTTP ${status}; check the probe URL in settings.`,
      };
    }
    if (attempts.length > 1) {
      return {
        status: 'degraded',
        rttMs,
        checkedAt,
        detail: 'The first probe got no answer; the retry did.',
      };
    }
    if (last.connectMs > this.degradedRttMs) {
      return {
        status: 'degraded',
        rttMs,
        checkedAt,
        detail: `Slow: ${Math.round(last.connectMs)} ms round trip.`,
      };
    }
    return { status: 'good', rttMs, checkedAt };
  }

  /**
   * One GET over a fresh connection pinned to the path (the engine's own binding: the device where
   * the addon allows, else the address) and undici, as downloads use: so a probe leaves through
   * the path it judges even without policy routing, and the first download after start finds
   * the HTTP stack warm.
   */
  private async attempt(url: URL, device: string, localAddress: string, timeoutMs: number): Promise<Attempt> {
    const started = performance.now();
    let socket: Socket | undefined;
    let connectMs: number | undefined;
    // Before the handshake completes, bytesWritten counts a request that never left the machine.
    const counts = (): { sent: number; received: number } => ({
      sent: connectMs === undefined ? 0 : (socket?.bytesWritten ?? 0),
      received: socket?.bytesRead ?? 0,
    });
    const bound = createBoundConnect({
      device,
      localAddress,
      // The attempt's own deadline (below) ends a connect that hangs; this one only backs it up.
      timeoutMs: 2 * timeoutMs,
      ...(this.addon ? { addon: this.addon } : {}),
      proxy: this.proxy,
    });
    const connect: buildConnector.connector = (options, callback) =>
      bound(options, (...result) => {
        const [, opened] = result;
        if (opened) {
          socket = opened as Socket;
          connectMs = performance.now() - started;
        }
        callback(...result);
      });
    const client = new Client(url.origin, { connect, headersTimeout: 0, bodyTimeout: 0 });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      // A proxy chosen per URL (the app's OS setting) is known before the request is written.
      await proxyPending(this.proxy, url.protocol, url.hostname, Number(url.port) || defaultPort(url));
      const response = await request(
        client,
        forwardedRequest(this.proxy, {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers: {
            'user-agent': `Pathwise/${APP_VERSION} health probe`,
            'cache-control': 'no-cache',
            connection: 'close',
          },
          signal: controller.signal,
        }),
      );
      let bodyBytes = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        bodyBytes += chunk.length;
        // A portal page is proof enough; don't download a whole site over a metered path.
        if (bodyBytes >= MAX_BODY) break;
      }
      const location = response.headers['location'];
      return {
        ok: true,
        status: response.statusCode,
        location: Array.isArray(location) ? location[0] : location,
        bodyBytes,
        connectMs: connectMs ?? performance.now() - started,
        totalMs: performance.now() - started,
        ...counts(),
      };
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: string };
      return {
        ok: false,
        timedOut: controller.signal.aborted || code === 'UND_ERR_CONNECT_TIMEOUT',
        // errno codes (ECONNREFUSED …) say it best; undici's own (UND_ERR_…) and ours (a proxy
        // it can't reach: E_PROXY …) in words.
        message: typeof code === 'string' && !/^(UND_|E_)/.test(code) ? code : String(message ?? error),
        ...counts(),
      };
    } finally {
      clearTimeout(timer);
      await client.destroy().catch(() => undefined);
    }
  }
}

/**
 * The page "Open login page" opens: the redirect's target (resolved against the probe URL), else
 * the probe URL itself; only http(s) and never with credentials in it, so a portal can't make the
 * app open a file, a custom scheme or a URL that logs in somewhere by itself.
 */
export function portalPage(location: string | undefined, base: URL): string | undefined {
  let url: URL;
  try {
    url = location ? new URL(location, base) : new URL(base.href);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username || url.password || !url.hostname) return undefined;
  return url.href;
}

function safeHost(location: string, base: URL): string {
  try {
    return new URL(location, base).host;
  } catch {
    return 'another page';
  }
}

function defaultPort(url: URL): number {
  return url.protocol === 'https:' ? 443 : 80;
}
