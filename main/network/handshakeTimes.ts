import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/** Each client socket's TCP handshake: when it began (after any DNS lookup) and how long it took. */
const handshakes = new WeakMap<Socket, { began: number; ms: number | null }>();
let watching = false;

/**
 * How long `socket`'s TCP handshake took (ms, from its SYN to the connection, a DNS lookup not
 * counted), or null when it was not seen (opened before the first call here, or not connected).
 * The time is taken from Node's `net.client.socket` diagnostics channel, which announces every
 * client socket as its connect starts, so it times the handshake alone, whichever connector
 * (bound by device or by address, undici's or ours) made the socket: what the engine's pools
 * report as the RTT they see on a path (pathAgent.ts).
 */
export function handshakeMs(socket: Socket): number | null {
  return handshakes.get(socket)?.ms ?? null;
}

/** Starts timing client handshakes; later calls do nothing. Call before the sockets to time are made. */
export function timeHandshakes(): void {
  if (watching) return;
  watching = true;
  subscribe('net.client.socket', (message) => {
    const socket = (message as { socket?: Socket }).socket;
    if (!socket) return;
    const timing = { began: performance.now(), ms: null as number | null };
    handshakes.set(socket, timing);
    socket.once('lookup', () => (timing.began = performance.now()));
    socket.once('connect', () => (timing.ms = performance.now() - timing.began));
  });
}
