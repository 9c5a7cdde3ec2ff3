/**
 * The first words on the command lines' socket (HandoffServer.ts): each end proves it can read the
 * key the running app wrote into the user's private data home before anything else is said.
 *
 * Why a key as well as a private socket: on Linux and macOS the socket is 0600 in a 0700 folder,
 * but a Windows named pipe is created with the default DACL — everyone may open it for reading —
 * and any user may create a pipe of the same name before the app does. The key file sits in the
 * data home (only this user can read it on every OS), so a client that can't read it is closed
 * before it is answered, and a pipe someone else created can't prove itself: the command line
 * then sends it nothing (no URL, no password) and runs its download itself.
 *
 * The exchange (one JSON line each; nonces are 32 random bytes in hex, proofs HMAC-SHA256 with
 * the key over both nonces and the speaker's role, so neither proof can be replayed or reflected):
 *   client → { kind: 'hello', nonce: C }
 *   server → { kind: 'hello', nonce: S, proof: HMAC(key, 'server', C, S) }
 *   client → { kind: 'auth', proof: HMAC(key, 'client', C, S) }
 * after which the protocol of handoffProtocol.ts runs. The app writes a fresh key each start.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../base/atomicWrite.ts';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const ClientHelloSchema = z.object({ kind: z.literal('hello'), nonce: hex64 }).strict();
export const ServerHelloSchema = z.object({ kind: z.literal('hello'), nonce: hex64, proof: hex64 }).strict();
export const ClientAuthSchema = z.object({ kind: z.literal('auth'), proof: hex64 }).strict();

/** Where the app keeps the key of this data home. */
export function handoffKeyPath(dataDir: string): string {
  return join(dataDir, 'handoff.key');
}

/** A fresh key for this start, written 0600 (atomically: a reader never sees half of one). */
export async function writeHandoffKey(file: string): Promise<Buffer> {
  const key = randomBytes(32);
  await writeFileAtomic(file, `${key.toString('hex')}\n`);
  return key;
}

/**
 * The running app's key, or null when there is none this user may trust: missing, not a plain file
 * (a link planted in its place), another user's, readable by others, or not a key.
 */
export async function readHandoffKey(file: string): Promise<Buffer | null> {
  const stat = await lstat(file).catch(() => null);
  if (!stat?.isFile()) return null;
  if (process.platform !== 'win32' && (stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0))
    return null;
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  return hex64.safeParse(text).success ? Buffer.from(text, 'hex') : null;
}

export function helloNonce(): string {
  return randomBytes(32).toString('hex');
}

export function helloProof(key: Buffer, role: 'server' | 'client', client: string, server: string): string {
  return createHmac('sha256', key).update(`pathwise-handoff\n${role}\n${client}\n${server}`).digest('hex');
}

/** Whether `proof` is the one `role` would give (compared in constant time). */
export function provesKey(
  proof: string,
  key: Buffer,
  role: 'server' | 'client',
  client: string,
  server: string,
): boolean {
  const expected = Buffer.from(helloProof(key, role, client, server), 'hex');
  const given = Buffer.from(proof, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * The server's half for one connection: `take` each line until `open`. It answers the client's
 * hello (the line to send back) and checks its proof; anything else, or a wrong proof, is 'refused'
 * (the connection is closed without an answer: nothing is said to whoever can't read the key).
 */
export class HelloGate {
  private readonly key: Buffer;
  private client: string | null = null;
  private server: string | null = null;
  open = false;

  constructor(key: Buffer) {
    this.key = key;
  }

  take(line: string): { reply: string } | 'accepted' | 'refused' {
    const raw = parseLine(line);
    if (this.client === null) {
      const hello = ClientHelloSchema.safeParse(raw);
      if (!hello.success) return 'refused';
      this.client = hello.data.nonce;
      this.server = helloNonce();
      const proof = helloProof(this.key, 'server', this.client, this.server);
      return { reply: JSON.stringify({ kind: 'hello', nonce: this.server, proof }) };
    }
    const auth = ClientAuthSchema.safeParse(raw);
    if (!auth.success || !provesKey(auth.data.proof, this.key, 'client', this.client, this.server ?? ''))
      return 'refused';
    this.open = true;
    return 'accepted';
  }
}

/**
 * The client's check of the server's hello: the auth line to send when the server proved the key,
 * null when it did not (then it is not this user's Pathwise, and nothing more is sent).
 */
export function answerServerHello(line: string, key: Buffer, client: string): string | null {
  const hello = ServerHelloSchema.safeParse(parseLine(line));
  if (!hello.success || !provesKey(hello.data.proof, key, 'server', client, hello.data.nonce)) return null;
  return JSON.stringify({ kind: 'auth', proof: helloProof(key, 'client', client, hello.data.nonce) });
}
