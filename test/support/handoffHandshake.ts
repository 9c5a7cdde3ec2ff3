import { once } from 'node:events';
import type { Socket } from 'node:net';
import { helloNonce, helloProof, readHandoffKey, handoffKeyPath } from '../../main/host/handoffHello.ts';

/**
 * Proves the app's key on a raw connection to its command-line socket, as `AppConnection.open`
 * does (main/host/handoffHello.ts), so a test can then speak the protocol by hand.
 */
export async function proveKey(socket: Socket, dataDir: string): Promise<void> {
  const key = await readHandoffKey(handoffKeyPath(dataDir));
  if (!key) throw new Error(`no handoff key in ${dataDir}`);
  const nonce = helloNonce();
  socket.write(`${JSON.stringify({ kind: 'hello', nonce })}\n`);
  let buffered = '';
  while (!buffered.includes('\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer | string];
    buffered += chunk.toString();
  }
  const hello = JSON.parse(buffered.slice(0, buffered.indexOf('\n'))) as { nonce: string };
  socket.write(`${JSON.stringify({ kind: 'auth', proof: helloProof(key, 'client', nonce, hello.nonce) })}\n`);
}
