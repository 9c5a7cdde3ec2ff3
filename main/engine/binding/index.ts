/** Path binding (PRODUCT.md §2a): what the engine needs to pin each path's sockets and check them. */
export { loadBindAddon, warnAddressBindingOnce, DISABLE_ENV, type BindAddonStatus } from './bindAddon.ts';
export {
  createBoundConnect,
  type BindingMode,
  type BoundConnect,
  type BoundConnectOptions,
} from './boundConnect.ts';
export {
  judgeWindow,
  PathVerifier,
  DEFAULT_THRESHOLDS,
  type PathVerification,
  type Verdict,
} from './PathVerifier.ts';
export { defaultInterfaceCounters, type InterfaceCounters } from './interfaceCounters.ts';
