/**
 * Electron security lint, run by `npm run lint`: the checks electronegativity makes that apply
 * to this app, as plain rules over the sources (electronegativity itself needs the network at
 * run time and crashes offline). Exits 1 with one line per finding.
 *
 * Sources: main/ and preload/ (TypeScript), renderer HTML (the CSP), the headless host's CSP.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Source {
  path: string;
  text: string;
}

export interface Finding {
  path: string;
  line: number;
  rule: string;
  message: string;
}

interface LineRule {
  rule: string;
  pattern: RegExp;
  message: string;
  /** Files the rule applies to (default: every TypeScript source). */
  applies?: (path: string) => boolean;
  /** A match on a line that also matches this is fine. */
  unless?: RegExp;
}

const isTs = (p: string): boolean => p.endsWith('.ts') || p.endsWith('.tsx');

const LINE_RULES: LineRule[] = [
  {
    rule: 'NODE_INTEGRATION',
    pattern: /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/,
    message: 'nodeIntegration must stay false',
  },
  {
    rule: 'CONTEXT_ISOLATION',
    pattern: /contextIsolation\s*:\s*false/,
    message: 'contextIsolation must stay true',
  },
  { rule: 'SANDBOX', pattern: /sandbox\s*:\s*false/, message: 'the renderer must stay sandboxed' },
  { rule: 'WEB_SECURITY', pattern: /webSecurity\s*:\s*false/, message: 'webSecurity must stay true' },
  {
    rule: 'INSECURE_CONTENT',
    pattern: /allowRunningInsecureContent\s*:\s*true/,
    message: 'allowRunningInsecureContent must stay false',
  },
  {
    rule: 'EXPERIMENTAL_FEATURES',
    pattern: /experimentalFeatures\s*:\s*true/,
    message: 'no experimental features',
  },
  { rule: 'WEBVIEW', pattern: /webviewTag\s*:\s*true/, message: 'no <webview>' },
  {
    rule: 'REMOTE_MODULE',
    pattern: /enableRemoteModule|@electron\/remote|electron['"]\)\.remote\b|\bremote\.require\(/,
    message: 'the remote module is banned',
  },
  {
    rule: 'OPEN_EXTERNAL',
    pattern: /\.openExternal\(/,
    unless: /isSafeExternalUrl\(/,
    message: 'openExternal only behind isSafeExternalUrl() on the same line',
  },
  {
    rule: 'RAW_IPC_EXPOSED',
    pattern: /exposeInMainWorld\([^)]*ipcRenderer/,
    message: 'never expose ipcRenderer to the page; expose a typed, allow-listed invoke/on',
  },
  {
    rule: 'IPC_RENDERER_OUTSIDE_PRELOAD',
    pattern: /\bipcRenderer\b/,
    applies: (p) => isTs(p) && !p.startsWith('preload/'),
    message: 'only the preload talks to ipcRenderer',
  },
  {
    rule: 'EXECUTE_JAVASCRIPT',
    pattern: /\.executeJavaScript\(|\.insertCSS\(/,
    message: 'no code injected into the page from main',
  },
  {
    rule: 'REMOTE_CONTENT',
    pattern: /\.loadURL\(\s*['"`]https?:/,
    message: 'the app loads only its own files',
  },
  {
    rule: 'BROWSER_WINDOW_OPTIONS',
    pattern: /new BrowserWindow\(/,
    unless: /new BrowserWindow\(dashboardWindowOptions\(/,
    message: 'windows are created only from the tested dashboardWindowOptions()',
  },
  {
    rule: 'INSECURE_CERTIFICATES',
    pattern: /certificate-error|setCertificateVerifyProc|ignore-certificate-errors/,
    message: 'certificate checks stay on',
  },
];

/** A CSP whose script-src (or default-src fallback) allows eval or inline script is refused. */
export function cspProblems(csp: string): string[] {
  const directives = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  const problems: string[] = [];
  const script = directives.get('script-src') ?? directives.get('default-src');
  if (!script) problems.push('no script-src or default-src');
  for (const bad of ["'unsafe-eval'", "'unsafe-inline'", '*', 'http:', 'https:', 'data:']) {
    if (script?.includes(bad)) problems.push(`script-src allows ${bad}`);
  }
  if (!directives.get('default-src')?.includes("'none'")) problems.push("default-src is not 'none'");
  if (!directives.has('object-src') && !directives.get('default-src')?.includes("'none'")) {
    problems.push('objects are not blocked');
  }
  return problems;
}

export function scanSources(sources: Source[]): Finding[] {
  const findings: Finding[] = [];
  for (const { path, text } of sources) {
    const lines = text.split('\n');
    if (isTs(path)) {
      lines.forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        for (const rule of LINE_RULES) {
          if (!(rule.applies ?? isTs)(path)) continue;
          if (rule.pattern.test(code) && !(rule.unless?.test(code) ?? false)) {
            findings.push({ path, line: i + 1, rule: rule.rule, message: rule.message });
          }
        }
      });
    }
    // Every CSP the app serves: meta tags in HTML, header strings in the host.
    const cspPattern = path.endsWith('.html')
      ? /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/g
      : /(default-src[^"`]*?)["`]/g;
    const whole = path.endsWith('.html') ? text : text.replace(/['"]\s*\+\s*\n?\s*['"]/g, '');
    let found = false;
    for (const match of whole.matchAll(cspPattern)) {
      found = true;
      const line = whole.slice(0, match.index).split('\n').length;
      for (const problem of cspProblems(match[1] ?? '')) {
        findings.push({ path, line, rule: 'CSP', message: problem });
      }
    }
    if (path.endsWith('.html') && !found) {
      findings.push({
        path,
        line: 1,
        rule: 'CSP',
        message: 'the page has no Content-Security-Policy meta tag',
      });
    }
  }
  const all = sources.map((s) => s.text).join('\n');
  for (const [needle, message] of [
    ['setWindowOpenHandler', 'new windows are not denied anywhere'],
    ["'will-navigate'", 'navigation is not restricted anywhere'],
    ['setPermissionRequestHandler', 'permission requests are not refused anywhere'],
    ['requestSingleInstanceLock', 'no single-instance lock'],
  ] as const) {
    if (!all.includes(needle)) findings.push({ path: '(app)', line: 0, rule: 'MISSING_HARDENING', message });
  }
  return findings;
}

function walk(dir: string, root: string, out: Source[]): void {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, root, out);
    else if (/\.(ts|tsx|html)$/.test(name))
      out.push({ path: relative(root, full), text: readFileSync(full, 'utf8') });
  }
}

export function collectSources(root: string): Source[] {
  const sources: Source[] = [];
  for (const dir of ['main', 'preload']) walk(join(root, dir), root, sources);
  sources.push({
    path: 'renderer/index.html',
    text: readFileSync(join(root, 'renderer/index.html'), 'utf8'),
  });
  return sources;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(import.meta.dirname, '..');
  const sources = collectSources(root);
  const findings = scanSources(sources);
  for (const f of findings) console.error(`${f.path}:${f.line}: ${f.rule}: ${f.message}`);
  if (findings.length > 0) {
    console.error(`security-lint: ${findings.length} problem(s) in the Electron security settings.`);
    process.exit(1);
  }
  console.log(`security-lint: ${sources.length} files checked, no problems.`);
}
