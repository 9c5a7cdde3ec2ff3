/**
 * The parts of undici the engine uses, loaded without undici's index. The index loads all of
 * undici (fetch, WebSocket, caches, mocks, proxies): ~30 ms before `pathwise get` could send its
 * first request, and in a download whose fast path fails early every start-up millisecond costs
 * about three at the end. undici has no "exports" map, so its files can be required directly, but
 * nothing promises they stay where they are: package.json pins undici to one exact version for
 * that reason, and test/network/undiciCore.test.ts names the file that moved when an upgrade
 * breaks one (the engine and binding tests run through this module too).
 *
 * The index also copies the request API onto Dispatcher.prototype; without it, requests go
 * through `request()` here, which is the same function bound to the given dispatcher.
 */
import type { Dispatcher } from 'undici';
import agentModule from 'undici/lib/dispatcher/agent.js';
import clientModule from 'undici/lib/dispatcher/client.js';
import requestModule from 'undici/lib/api/api-request.js';
import connectModule from 'undici/lib/core/connect.js';
import errorsModule from 'undici/lib/core/errors.js';

export const Agent = agentModule;
export const Client = clientModule;
export const buildConnector = connectModule;
export const errors = errorsModule;

/** `dispatcher.request(options)`, whether or not undici's index has decorated the prototype. */
export function request(
  dispatcher: Dispatcher,
  options: Dispatcher.RequestOptions,
): Promise<Dispatcher.ResponseData> {
  return requestModule.call(dispatcher, options);
}
