/**
 * The local socket between a command line and the running app (HandoffServer.ts): one JSON
 * object a line each way. A client asks the contract (`invoke`, as the dashboard's WebSocket
 * does), hands a download over (`get`) and stops it (`stop`), or follows the app's paths (`watch`);
 * the app answers each request once (`result`), streams a handed download (`get-event`) until it
 * ends (`get-end`), and a watch's path events (`path-event`) until the connection closes. Both
 * ends validate what they read against these schemas.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import {
  ContinuityEventSchema,
  ErrorInfoSchema,
  PathBindingSchema,
  PathEventSchema,
  TransferInfoSchema,
  TransferModeSchema,
  TransferSourceSchema,
  WireRequestSchema,
} from '../../common/contract.ts';
import { MirrorOptionsSchema } from '../engine/MirrorSource.ts';
import { cookieProblem } from '../engine/cookieFile.ts';
import { headerProblem } from '../engine/requestAuth.ts';
import { HandedProxySchema } from '../network/handedProxy.ts';

/** The longest line either end reads; a longer one is refused (and the connection closed). */
export const MAX_LINE_BYTES = 256 * 1024;

const absolute = z.string().min(1).max(4096).refine(isAbsolute, 'Give a full path.');

/** No control characters: what travels in a header must arrive there intact. */
const NO_CONTROL = /^\P{Cc}*$/u;

const LoginSchema = z.object({
  user: z
    .string()
    .min(1)
    .max(1024)
    .regex(NO_CONTROL)
    .refine((u) => !u.includes(':'), 'No colon.'),
  password: z.string().max(4096).regex(NO_CONTROL),
});

/**
 * What a handed download sends to be allowed (engine/requestAuth.ts), checked as the command line
 * checked it. Refusals name the field, never its value (the answer goes back on the socket).
 */
export const AccessSchema = z.object({
  headers: z
    .array(
      z
        .object({ name: z.string().max(256), value: z.string().max(8192) })
        .refine((h) => headerProblem(h.name, h.value) === null, 'A header Pathwise can send.'),
    )
    .max(64),
  basic: LoginSchema.nullable(),
  cookies: z
    .array(
      z
        .object({
          domain: z.string().max(255),
          subdomains: z.boolean(),
          path: z.string().max(4096),
          secure: z.boolean(),
          expires: z.number().int().nonnegative(),
          name: z.string().max(4096),
          value: z.string().max(4096),
        })
        .refine((c) => cookieProblem(c) === null, 'A cookie Pathwise can send.'),
    )
    .max(4096),
  /** Each mirror the user typed: its origin and its own login (requestAuth.ts). */
  mirrorSites: z
    .array(
      z.object({
        origin: z
          .string()
          .max(2048)
          .refine((o) => URL.canParse(o) && new URL(o).origin === o, 'An origin (scheme://host:port).'),
        basic: LoginSchema.nullable(),
      }),
    )
    .max(256)
    .optional(),
});

/** Everything `pathwise get` would ask of its own engine (main/core/HandedTransfers.ts). */
export const HandedRequestSchema = z
  .object({
    url: z
      .string()
      .max(8192)
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'An http(s) URL.'),
    file: absolute.optional(),
    directory: absolute.optional(),
    mode: TransferModeSchema,
    paths: z
      .array(z.string().regex(/^[\w.:@-]{1,64}(=[0-9A-Fa-f.:]{2,45})?$/))
      .min(1)
      .max(32)
      .nullable(),
    caps: z.record(z.string().min(1).max(64), z.number().int().nonnegative()),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    connections: z.number().int().min(1).max(16).optional(),
    access: AccessSchema.optional(),
    /** More URLs of the file (and a Metalink's size and piece hashes), and a Metalink's name for it. */
    mirrors: MirrorOptionsSchema.optional(),
    fileName: z.string().min(1).max(1024).optional(),
    /**
     * Follow a Metalink 4 the URL's server names by its Content-Type (TransferOptions.followMetalink).
     * Only `true` travels; an app that predates it drops the field and downloads the URL as it is.
     */
    followMetalink: z.literal(true).optional(),
    /** The command's own proxies (its environment's), for this download only; its login in memory only. */
    proxy: HandedProxySchema.optional(),
  })
  .refine((r) => (r.file === undefined) !== (r.directory === undefined), 'Give a file or a folder.');
export type HandedRequestMessage = z.infer<typeof HandedRequestSchema>;

const id = z.number().int().nonnegative();

export const ClientMessageSchema = z.discriminatedUnion('kind', [
  WireRequestSchema,
  z.object({ kind: z.literal('get'), id, request: HandedRequestSchema, detach: z.boolean() }),
  /** Ctrl-C: the handed download `id` started is paused (its part kept), as the CLI's own would be. */
  z.object({ kind: z.literal('stop'), id }),
  /**
   * `pathwise watch`: the app's path events (its monitor hears the engine's stalls) from now on;
   * answered with the paths as they are, each event then sent as a `path-event` under this id.
   */
  z.object({ kind: z.literal('watch'), id }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const VerificationSchema = z.object({
  path: z.string(),
  device: z.string(),
  verified: z.boolean().nullable(),
  payloadBytes: z.number(),
  interfaceBytes: z.number(),
  at: z.number(),
});

export const WireOutcomeSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('done'),
    file: z.string(),
    bytes: z.number(),
    sha256: z.string(),
    durationMs: z.number(),
    resumedBytes: z.number(),
    paths: z.record(z.string(), z.object({ bytes: z.number() })),
    sources: z.array(TransferSourceSchema.omit({ state: true }).extend({ state: z.string() })).optional(),
  }),
  z.object({ status: z.literal('failed'), error: ErrorInfoSchema }),
  z.object({ status: z.literal('paused') }),
  z.object({ status: z.literal('cancelled') }),
]);
export type WireOutcome = z.infer<typeof WireOutcomeSchema>;

export const GetEventSchema = z.discriminatedUnion('type', [
  /** State, paths or name changed. */
  z.object({ type: z.literal('change'), info: TransferInfoSchema }),
  /** A progress tick (no change to tell). */
  z.object({ type: z.literal('info'), info: TransferInfoSchema }),
  z.object({ type: z.literal('continuity'), event: ContinuityEventSchema }),
  z.object({
    type: z.literal('binding'),
    verification: VerificationSchema,
    mode: PathBindingSchema.shape.mode,
  }),
]);
export type GetEvent = z.infer<typeof GetEventSchema>;

export const ServerMessageSchema = z.union([
  z.object({ kind: z.literal('result'), id: z.number(), ok: z.literal(true), value: z.unknown() }),
  z.object({ kind: z.literal('result'), id: z.number(), ok: z.literal(false), error: ErrorInfoSchema }),
  z.object({ kind: z.literal('get-event'), id, event: GetEventSchema }),
  z.object({
    kind: z.literal('get-end'),
    id,
    outcome: WireOutcomeSchema,
    info: TransferInfoSchema,
    bindings: z.record(z.string(), PathBindingSchema),
  }),
  z.object({ kind: z.literal('path-event'), id, event: PathEventSchema }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** A Unix socket's path may be at most this long (sun_path: 104 bytes on macOS, 108 on Linux). */
const MAX_SOCKET_PATH = 100;

/**
 * Where the running app listens for command lines of this data home: a Unix socket in the data
 * home itself (a private folder; the socket is 0600 too), or a named pipe on Windows. A data home
 * whose path is too long for a socket gets one in the user's runtime folder instead, named by a
 * hash of it (the client checks such a socket is the user's own before it trusts it).
 */
export function handoffSocketPath(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  if (platform === 'win32') {
    // Pipes share one namespace on the machine: the user's name and the home's hash keep them apart.
    const user = (env['USERNAME'] ?? 'user').replace(/[^\w.-]/g, '_').slice(0, 32);
    return `\\\\.\\pipe\\pathwise-${user}-${hash}`;
  }
  const inHome = join(dataDir, 'pathwise.sock');
  if (Buffer.byteLength(inHome) <= MAX_SOCKET_PATH) return inHome;
  const uid = process.getuid?.() ?? 0;
  return join(env['XDG_RUNTIME_DIR'] ?? tmpdir(), `pathwise-${uid}-${hash}.sock`);
}
