import type { BrowserWindowConstructorOptions } from 'electron';

/** The electron-vite dev server's address, which the app loads instead of its own file in development. */
export const DEV_SERVER_ENV = 'ELECTRON_RENDERER_URL';

/**
 * The dev server the dashboard loads from, or null for the app's own file. Only an app that is not
 * packaged may use one: the URL it names is trusted for IPC like the app's own page, so in a
 * packaged app an environment variable would hand the whole contract to any page (the fuses keep
 * the binary from being run as Node for the same reason). Null too for a URL that is not http(s).
 */
export function devServerUrl(isPackaged: boolean, env: NodeJS.ProcessEnv = process.env): URL | null {
  const value = env[DEV_SERVER_ENV];
  if (isPackaged || !value || !URL.canParse(value)) return null;
  const url = new URL(value);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
}

/** The dashboard window's options: the security settings here are asserted by tests. */
export function dashboardWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1180,
    height: 820,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Pathwise',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}
