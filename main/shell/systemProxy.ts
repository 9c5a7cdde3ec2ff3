/**
 * The OS's proxy setting as the desktop app reads it: Chromium's own resolver (Electron's
 * `session.resolveProxy`), which reads GNOME's, KDE's, macOS's and Windows' setting, fetches and
 * runs PAC files (WPAD too), and answers each URL PAC-style ("PROXY host:port; DIRECT"). The core
 * reads the answer (main/network/proxyResolver.ts) and keeps it per origin; this is only the seam.
 */
import { session } from 'electron';
import type { ResolveProxy } from '../network/proxyResolver.ts';

/** Asks the app's default session, which exists once the app is ready. */
export function chromiumProxyResolver(): ResolveProxy {
  return (url) => session.defaultSession.resolveProxy(url);
}
