/**
 * The proxy the OS is set to, for the app. The environment comes first, as for every command-line
 * tool (proxySettings.ts). Where it names no proxy:
 *
 * - in the desktop app, the shell hands in Chromium's resolver (Electron's `session.resolveProxy`,
 *   main/shell/systemProxy.ts), which reads the setting on every desktop — GNOME, KDE, macOS,
 *   Windows — and runs PAC files; each URL's proxy is asked of it per origin and kept a while
 *   (proxyResolver.ts, its answers read by pacResult.ts). NO_PROXY, if set, still comes first.
 * - without it (`pathwise serve`, a headless host), in a Linux desktop session, GNOME's setting
 *   (`org.gnome.system.proxy`, also used by Cinnamon, Budgie, Unity and GTK apps elsewhere) is
 *   read once with one `gsettings list-recursively` (~20 ms), as GLib's own resolver reads it:
 *   `manual` mode's HTTP proxy for http and https, its HTTPS proxy for https where one is set, the
 *   HTTP proxy's login when `use-authentication` is on, `ignore-hosts` as exemptions. There, `auto`
 *   (a PAC file), a SOCKS-only setting, and KDE's, macOS's and Windows' settings are not read: a
 *   notice says so for the first two (the environment is read everywhere).
 */
import { execFile } from 'node:child_process';
import { parseNoProxy } from './noProxy.ts';
import { ProxyResolver, type ResolveProxy } from './proxyResolver.ts';
import { basic, proxyFromEnv, proxyNotices, type ProxyServer, type ProxySettings } from './proxySettings.ts';

export interface SystemProxy {
  /** The proxies to use; null when none is set (everything goes direct). */
  settings: ProxySettings | null;
  /** What the user should know about the setting (a proxy Pathwise can't use), once, at start. */
  notices: string[];
}

export interface SystemProxyOptions {
  /** Runs `gsettings` with these arguments and resolves with its output; rejects when it can't. */
  gsettings?: (args: string[]) => Promise<string>;
  /** The OS's resolver, per URL (the desktop app's Chromium); GNOME's setting is read without it. */
  resolveProxy?: ResolveProxy;
  /** Told what the user should know of its answers (a SOCKS proxy skipped …), once each. */
  notify?: (message: string) => void;
}

const GNOME = 'the GNOME proxy setting';

/** The app's proxies: the environment's, else the OS's resolver's, else (on Linux) GNOME's. */
export async function readSystemProxy(
  env: NodeJS.ProcessEnv,
  options: SystemProxyOptions = {},
): Promise<SystemProxy> {
  const fromEnv = proxyFromEnv(env);
  if (fromEnv) return { settings: fromEnv, notices: proxyNotices(fromEnv) };
  if (options.resolveProxy) {
    const lookup = new ProxyResolver({
      resolve: options.resolveProxy,
      ...(options.notify ? { notify: options.notify } : {}),
    });
    const noProxy = parseNoProxy(env['no_proxy'] ?? env['NO_PROXY']);
    return { settings: { http: null, https: null, noProxy, lookup }, notices: [] };
  }
  if (process.platform !== 'linux' || !env['XDG_CURRENT_DESKTOP']) return { settings: null, notices: [] };
  const run = options.gsettings ?? ((args: string[]) => runGsettings(args, env));
  let text: string;
  try {
    text = await run(['list-recursively', 'org.gnome.system.proxy']);
  } catch {
    // No gsettings, or no GNOME schema: nothing is set there.
    return { settings: null, notices: [] };
  }
  return gnomeProxy(parseGsettings(text));
}

function runGsettings(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('gsettings', args, { env, timeout: 2000, maxBuffer: 1 << 16 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });
}

/** `gsettings list-recursively` output as "schema key" → the value's text. */
export function parseGsettings(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\S+) (\S+) (.*)$/.exec(line);
    if (match) values.set(`${match[1]} ${match[2]}`, match[3] as string);
  }
  return values;
}

/** A GVariant text string ('…' or "…", with backslash escapes); null for anything else. */
export function variantString(text: string | undefined): string | null {
  const match = /^(['"])((?:\\.|(?!\1).)*)\1$/.exec(text?.trim() ?? '');
  return match ? (match[2] as string).replace(/\\(.)/g, '$1') : null;
}

/** A GVariant text array of strings (`['a', 'b']`, `@as []`). */
export function variantStrings(text: string | undefined): string[] {
  const body = /^(?:@as )?\[(.*)\]$/.exec(text?.trim() ?? '')?.[1] ?? '';
  const items = body.match(/'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*"/g) ?? [];
  return items.map((item) => variantString(item)).filter((s): s is string => s !== null);
}

function server(values: Map<string, string>, schema: string, withLogin: boolean): ProxyServer | null {
  const host = variantString(values.get(`${schema} host`));
  const port = Number(values.get(`${schema} port`));
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) return null;
  const user = variantString(values.get(`${schema} authentication-user`)) ?? '';
  const password = variantString(values.get(`${schema} authentication-password`)) ?? '';
  const login = withLogin && values.get(`${schema} use-authentication`) === 'true' && user !== '';
  return {
    protocol: 'http:',
    hostname: host.replace(/^\[|\]$/g, ''),
    port,
    authorization: login ? basic(user, password) : null,
    source: GNOME,
  };
}

/** GNOME's proxy setting as GLib's resolver reads it (see the file's comment). */
export function gnomeProxy(values: Map<string, string>): SystemProxy {
  const mode = variantString(values.get('org.gnome.system.proxy mode'));
  if (mode === 'auto') {
    return {
      settings: null,
      notices: [
        `${GNOME} is automatic (a PAC file), which Pathwise does not read: downloads go direct. Set the proxy by hand, or set HTTPS_PROXY, to use one.`,
      ],
    };
  }
  if (mode !== 'manual') return { settings: null, notices: [] };
  const http = server(values, 'org.gnome.system.proxy.http', true);
  const https = server(values, 'org.gnome.system.proxy.https', false) ?? http;
  if (!http && !https) {
    const socks = server(values, 'org.gnome.system.proxy.socks', false);
    return {
      settings: null,
      notices: socks
        ? [`${GNOME} names only a SOCKS proxy, which Pathwise does not speak: downloads go direct.`]
        : [],
    };
  }
  // GNOME's "*.example.com" is NO_PROXY's ".example.com" (parseNoProxy reads both).
  const ignore = variantStrings(values.get('org.gnome.system.proxy ignore-hosts'));
  return { settings: { http, https, noProxy: parseNoProxy(ignore.join(',')) }, notices: [] };
}
