import type { Dispatcher } from 'undici';
import { Agent } from './undiciCore.ts';
import { createBoundConnect, type BindAddonStatus } from './binding/index.ts';

/** One network path as the engine binds to it: the interface name and the source address to use. */
export interface PathEndpoint {
  name: string;
  address: string;
}

/** Builds the connection pool for one path; the engine asks for a fresh one after a path fails. */
export type PathAgentFactory = (path: PathEndpoint) => Dispatcher;

/**
 * The one place connection pools are made. Each path gets its own undici Agent whose sockets are
 * bound to the path's source address: `localAddress` must be an Agent option — undici silently
 * ignores `connect: { localAddress }`. With the binding addon (`addon`, Linux), sockets are pinned
 * to the path's device (SO_BINDTODEVICE) through undici's `connect` hook instead, which holds
 * without policy routing.
 *
 * Undici's own header and body timeouts are off: the engine's per-connection watchdog decides
 * when a path has stalled, from the rate it measured, long before TCP or undici would notice.
 */
export function createPathAgent(path: PathEndpoint, addon: BindAddonStatus | null = null): Dispatcher {
  const pinned = addon?.available
    ? {
        connect: createBoundConnect({
          device: path.name,
          localAddress: path.address,
          timeoutMs: 15_000,
          addon,
        }),
      }
    : {};
  return new Agent({
    localAddress: path.address,
    ...pinned,
    connectTimeout: 15_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    pipelining: 1,
  });
}
