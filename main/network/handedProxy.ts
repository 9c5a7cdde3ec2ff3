/**
 * A command line's own proxies, handed to the running app with its download (`pathwise get` →
 * main/host/handoffProtocol.ts): the download then goes through the proxies the command's
 * environment names, as it would have run in the command itself, not through the app's. Sent only
 * when the environment names one. A proxy's login travels as its Proxy-Authorization, like the
 * download's other access fields: in memory only, never logged, printed or journaled.
 */
import { z } from 'zod';
import { parseNoProxy } from './noProxy.ts';
import { proxyFromEnv, type ProxyServer, type ProxySettings } from './proxySettings.ts';

/** The variables a command's proxies come from (proxySettings.ts reads them). */
const PROXY_VARIABLES = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
] as const;

/** No control characters, no blanks: what names a host or a rule list arrives intact. */
const HandedProxyServerSchema = z
  .object({
    /** What the URL said, spoken or not: a SOCKS proxy fails the download as it would in the command. */
    protocol: z.string().regex(/^[a-z][a-z0-9+.-]{0,15}:$/),
    hostname: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[^\s/?#@[\]\p{Cc}]+$/u),
    port: z.number().int().min(1).max(65535),
    authorization: z
      .string()
      .max(8192)
      .regex(/^Basic [A-Za-z0-9+/]*={0,2}$/)
      .nullable(),
    source: z.enum(PROXY_VARIABLES),
  })
  .strict();

/** The proxies of the command's environment, and its NO_PROXY as written. */
export const HandedProxySchema = z
  .object({
    http: HandedProxyServerSchema.nullable(),
    https: HandedProxyServerSchema.nullable(),
    noProxy: z
      .string()
      .max(8192)
      .regex(/^\P{Cc}*$/u),
  })
  .strict()
  .refine((p) => p.http !== null || p.https !== null, 'An http or https proxy.');
export type HandedProxy = z.infer<typeof HandedProxySchema>;

/** What the command hands over: its environment's proxies; null when it names none. */
export function handedProxyFromEnv(env: NodeJS.ProcessEnv): HandedProxy | null {
  const settings = proxyFromEnv(env);
  if (!settings) return null;
  return {
    http: settings.http ? wire(settings.http) : null,
    https: settings.https ? wire(settings.https) : null,
    noProxy: env['no_proxy'] ?? env['NO_PROXY'] ?? '',
  };
}

function wire(server: ProxyServer): HandedProxy['https'] {
  const source = PROXY_VARIABLES.find((name) => name === server.source) ?? 'ALL_PROXY';
  return { ...server, source };
}

/** The settings the app's engine uses for the handed download. */
export function proxyFromHanded(handed: HandedProxy): ProxySettings {
  // Named to the user as the command's: "HTTPS_PROXY of the pathwise get command".
  const named = (server: HandedProxy['http']): ProxyServer | null =>
    server ? { ...server, source: `${server.source} of the pathwise get command` } : null;
  return { http: named(handed.http), https: named(handed.https), noProxy: parseNoProxy(handed.noProxy) };
}
