/**
 * The proxy for each URL as the OS's setting gives it, asked of a resolver the shell hands in: in
 * the desktop app, Chromium's own (Electron's `session.resolveProxy`), which reads the setting on
 * every desktop (GNOME, KDE, macOS, Windows) and runs PAC files. Its PAC-style answer is read
 * strictly (pacResult.ts).
 *
 * Answers can differ per host (a PAC file decides by name), so each origin is asked on its own;
 * an answer is kept KEEP_MS, and asked once however many connections wait for it, so a download's
 * requests find it known (a `proxyFor` without waiting). A resolver that fails or does not answer
 * fails the connection that needed it (E_PROXY): going direct might go around a proxy the network
 * needs. It is asked again for the next one.
 */
import { PathwiseError } from '../../common/errors.ts';
import { choosePacEntry, SYSTEM_PROXY_SOURCE } from './pacResult.ts';
import type { ProxyLookup, ProxyServer } from './proxySettings.ts';

/** The shell's resolver: a URL → a PAC-style answer ("PROXY host:port; DIRECT"). */
export type ResolveProxy = (url: string) => Promise<string>;

export interface ProxyResolverOptions {
  resolve: ResolveProxy;
  /** How long an origin's answer is used before it is asked again. */
  keepMs?: number;
  /** How long the resolver may take to answer. */
  timeoutMs?: number;
  /** The clock answers are aged by (epoch ms). */
  now?: () => number;
  /** Told each notice (a SOCKS entry skipped …) once. */
  notify?: (message: string) => void;
  /** How the proxies it names are described to the user. */
  source?: string;
}

/** A minute: a changed setting or PAC answer is followed soon, and a download asks rarely. */
const KEEP_MS = 60_000;
/** Chromium answers at once from its cache, or after fetching and running a PAC file. */
const TIMEOUT_MS = 20_000;
/** Origins whose answers are kept; the oldest go first. */
const MAX_ORIGINS = 256;
/** Different notices told at most. */
const MAX_NOTICES = 32;

type Answer = { server: ProxyServer | null } | { error: PathwiseError };

interface Entry {
  /** Settled: when it was answered, and the answer. */
  at?: number;
  answer?: Answer;
  /** Being asked. */
  asking?: Promise<ProxyServer | null>;
}

export class ProxyResolver implements ProxyLookup {
  private readonly options: ProxyResolverOptions;
  private readonly keepMs: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private readonly told = new Set<string>();

  constructor(options: ProxyResolverOptions) {
    this.options = options;
    this.keepMs = options.keepMs ?? KEEP_MS;
    this.now = options.now ?? Date.now;
  }

  known(protocol: string, hostname: string, port: number): ProxyServer | null | undefined {
    const answer = this.fresh(originOf(protocol, hostname, port))?.answer;
    return answer && 'server' in answer ? answer.server : undefined;
  }

  resolve(protocol: string, hostname: string, port: number): Promise<ProxyServer | null> {
    const origin = originOf(protocol, hostname, port);
    const entry = this.fresh(origin);
    if (entry?.asking) return entry.asking;
    if (entry?.answer)
      return 'server' in entry.answer
        ? Promise.resolve(entry.answer.server)
        : Promise.reject(entry.answer.error);
    const asking = this.ask(origin).then(
      (answer) => {
        this.keep(origin, { at: this.now(), answer });
        if ('error' in answer) throw answer.error;
        return answer.server;
      },
      (error: unknown) => {
        // The resolver itself failed: asked again next time.
        this.entries.delete(origin);
        throw error;
      },
    );
    this.keep(origin, { asking });
    return asking;
  }

  /** The entry for `origin` still in use; an answer older than `keepMs` is dropped. */
  private fresh(origin: string): Entry | undefined {
    const entry = this.entries.get(origin);
    if (entry?.at !== undefined && this.now() - entry.at >= this.keepMs) {
      this.entries.delete(origin);
      return undefined;
    }
    return entry;
  }

  private keep(origin: string, entry: Entry): void {
    this.entries.delete(origin);
    this.entries.set(origin, entry);
    for (const [key, old] of this.entries) {
      if (this.entries.size <= MAX_ORIGINS) break;
      if (!old.asking) this.entries.delete(key);
    }
  }

  private async ask(origin: string): Promise<Answer> {
    const source = this.options.source ?? SYSTEM_PROXY_SOURCE;
    const asked = Promise.resolve().then(() => this.options.resolve(`${origin}/`));
    const text = await withTimeout(asked, this.options.timeoutMs ?? TIMEOUT_MS, origin);
    if (typeof text !== 'string') throw notAsked(origin, 'it gave no answer');
    try {
      const choice = choosePacEntry(text, origin, source);
      for (const notice of choice.notices) this.tell(notice);
      return { server: choice.server };
    } catch (error) {
      if (!(error instanceof PathwiseError)) throw error;
      this.tell(error.message);
      return { error };
    }
  }

  private tell(message: string): void {
    // Once each, and not without end (a PAC file answering SOCKS for every host).
    if (this.told.has(message) || this.told.size >= MAX_NOTICES) return;
    this.told.add(message);
    this.options.notify?.(message);
  }
}

/** `scheme://host:port`, as the resolver is asked (the default port left out, IPv6 in brackets). */
export function originOf(protocol: string, hostname: string, port: number): string {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const host = bare.includes(':') ? `[${bare}]` : bare;
  const standard = (protocol === 'https:' && port === 443) || (protocol === 'http:' && port === 80);
  return `${protocol}//${host}${standard ? '' : `:${port}`}`;
}

function notAsked(origin: string, why: string, cause?: unknown): PathwiseError {
  return new PathwiseError(
    'E_PROXY',
    `Pathwise could not learn from the system's proxy setting how to reach ${origin} (${why}), so it does not connect there. Try again; if it keeps failing, set HTTPS_PROXY and HTTP_PROXY (or NO_PROXY) for Pathwise.`,
    cause === undefined ? undefined : { cause },
  );
}

function withTimeout(answer: Promise<string>, timeoutMs: number, origin: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(notAsked(origin, `no answer in ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    timer.unref();
    answer.then(
      (text) => {
        clearTimeout(timer);
        resolve(text);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(notAsked(origin, error instanceof Error ? error.message : String(error), error));
      },
    );
  });
}
