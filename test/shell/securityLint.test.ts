import { describe, expect, it } from 'vitest';
import { collectSources, cspProblems, scanSources } from '../../scripts/security-lint.ts';
import { REPO_ROOT } from '../support/cli.ts';

const rulesIn = (path: string, text: string): string[] => scanSources([{ path, text }]).map((f) => f.rule);

describe('security lint (npm run lint)', () => {
  it('finds nothing in the app as it is, and does look at the CSPs', () => {
    const sources = collectSources(REPO_ROOT);
    expect(sources.map((s) => s.path)).toEqual(
      expect.arrayContaining([
        'main/index.ts',
        'preload/index.ts',
        'renderer/index.html',
        'main/host/HeadlessHost.ts',
      ]),
    );
    expect(scanSources(sources)).toEqual([]);
    const host = sources.find((s) => s.path === 'main/host/HeadlessHost.ts');
    const weakened = host?.text.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'") ?? '';
    expect(rulesIn('main/host/HeadlessHost.ts', weakened)).toContain('CSP');
  });

  it.each([
    ['nodeIntegration: true,', 'NODE_INTEGRATION'],
    ['webPreferences: { contextIsolation: false }', 'CONTEXT_ISOLATION'],
    ['sandbox: false,', 'SANDBOX'],
    ['webSecurity: false,', 'WEB_SECURITY'],
    ['allowRunningInsecureContent: true,', 'INSECURE_CONTENT'],
    ['webviewTag: true', 'WEBVIEW'],
    ["import remote from '@electron/remote';", 'REMOTE_MODULE'],
    ['void shell.openExternal(url);', 'OPEN_EXTERNAL'],
    ["contextBridge.exposeInMainWorld('ipc', ipcRenderer);", 'RAW_IPC_EXPOSED'],
    ["win.webContents.executeJavaScript('x')", 'EXECUTE_JAVASCRIPT'],
    ["void win.loadURL('https://example.com/');", 'REMOTE_CONTENT'],
    ['const w = new BrowserWindow({ width: 10 });', 'BROWSER_WINDOW_OPTIONS'],
    ["app.on('certificate-error', allow);", 'INSECURE_CERTIFICATES'],
  ])('flags `%s` as %s', (line, rule) => {
    expect(rulesIn('main/shell/bad.ts', line)).toContain(rule);
  });

  it('allows openExternal only behind the URL check, and ipcRenderer only in the preload', () => {
    expect(
      rulesIn('main/shell/ok.ts', 'if (isSafeExternalUrl(url)) void shell.openExternal(url);'),
    ).not.toContain('OPEN_EXTERNAL');
    expect(rulesIn('renderer/src/x.ts', 'ipcRenderer.send("x")')).toContain('IPC_RENDERER_OUTSIDE_PRELOAD');
    expect(rulesIn('preload/index.ts', 'await ipcRenderer.invoke(channel)')).not.toContain(
      'IPC_RENDERER_OUTSIDE_PRELOAD',
    );
  });

  it('refuses a page without a CSP and a CSP that allows eval or inline script', () => {
    expect(rulesIn('renderer/index.html', '<html><head></head></html>')).toContain('CSP');
    expect(cspProblems("default-src 'none'; script-src 'self' 'unsafe-inline'")).toEqual([
      "script-src allows 'unsafe-inline'",
    ]);
    expect(cspProblems("default-src 'self'")).toContain("default-src is not 'none'");
    expect(cspProblems("default-src 'none'; script-src 'self'; style-src 'self'")).toEqual([]);
  });
});
