import type { App, Shell, WebContents } from 'electron';

/**
 * Only https URLs with a host and no credentials may be handed to the OS browser; with `http`,
 * plain http too (a captive portal's sign-in page, which portals serve over http: see ipc.ts).
 */
export function isSafeExternalUrl(raw: string, options: { http?: boolean } = {}): boolean {
  try {
    const url = new URL(raw);
    const scheme = url.protocol === 'https:' || (options.http === true && url.protocol === 'http:');
    return scheme && url.hostname !== '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

/**
 * Denies new windows, navigation away from the app, webviews and permission requests for every
 * web contents the app creates; external https links open in the user's browser instead.
 */
export function hardenWebContents(app: App, shell: Shell, isAppUrl: (url: string) => boolean): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  });
}
