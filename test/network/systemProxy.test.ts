/**
 * The desktop's proxy setting (issue 25): GNOME's, written with the real `gsettings` into a
 * throwaway keyfile backend (GSETTINGS_BACKEND=keyfile under a temporary XDG_CONFIG_HOME), read
 * back the way the app reads it at start.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chooseProxy,
  proxyFor,
  describeProxy,
  type ProxySettings,
} from '../../main/network/proxySettings.ts';
import { readSystemProxy, variantString, variantStrings } from '../../main/network/systemProxy.ts';
import { describeNeeding, file } from '../support/rootOnly.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A desktop session whose GNOME settings live in a fresh keyfile; `set` writes them with gsettings. */
function desktop(): { env: NodeJS.ProcessEnv; set: (schema: string, key: string, value: string) => void } {
  const config = mkdtempSync(join(tmpdir(), 'pw-gsettings-'));
  folders.push(config);
  const env = {
    PATH: process.env['PATH'],
    XDG_CONFIG_HOME: config,
    GSETTINGS_BACKEND: 'keyfile',
    XDG_CURRENT_DESKTOP: 'GNOME',
  };
  return {
    env,
    set: (schema, key, value) => execFileSync('gsettings', ['set', schema, key, value], { env }),
  };
}

function route(settings: ProxySettings | null, url: string): string | null {
  const target = new URL(url);
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const server = proxyFor(settings, target.protocol, target.hostname, port);
  return server ? describeProxy(server) : null;
}

const needs = [
  file('gsettings', '/usr/bin/gsettings'),
  file('GNOME proxy schema', '/usr/share/glib-2.0/schemas/org.gnome.system.proxy.gschema.xml'),
];

describeNeeding(needs)('the GNOME proxy setting', () => {
  it('reads manual mode: the HTTP proxy for http and https, its login, ignore-hosts as exemptions', async () => {
    const { env, set } = desktop();
    set('org.gnome.system.proxy', 'mode', 'manual');
    set('org.gnome.system.proxy.http', 'host', 'proxy.lab');
    set('org.gnome.system.proxy.http', 'port', '3128');
    set('org.gnome.system.proxy.http', 'use-authentication', 'true');
    set('org.gnome.system.proxy.http', 'authentication-user', 'amy');
    set('org.gnome.system.proxy.http', 'authentication-password', "it's");
    set('org.gnome.system.proxy', 'ignore-hosts', "['localhost', '*.corp.lab', '10.0.0.0/8']");
    const { settings, notices } = await readSystemProxy(env);
    expect(notices).toEqual([]);
    expect(route(settings, 'https://example.com/')).toBe('http://proxy.lab:3128 (the GNOME proxy setting)');
    expect(route(settings, 'http://example.com/')).toBe('http://proxy.lab:3128 (the GNOME proxy setting)');
    expect(settings?.http?.authorization).toBe(`Basic ${Buffer.from("amy:it's").toString('base64')}`);
    expect(route(settings, 'https://files.corp.lab/')).toBeNull();
    expect(route(settings, 'http://10.1.2.3/')).toBeNull();
  });

  it('uses the HTTPS proxy for https where one is set', async () => {
    const { env, set } = desktop();
    set('org.gnome.system.proxy', 'mode', 'manual');
    set('org.gnome.system.proxy.http', 'host', 'plain.lab');
    set('org.gnome.system.proxy.http', 'port', '8080');
    set('org.gnome.system.proxy.https', 'host', 'secure.lab');
    set('org.gnome.system.proxy.https', 'port', '3129');
    const { settings } = await readSystemProxy(env);
    expect(route(settings, 'https://example.com/')).toBe('http://secure.lab:3129 (the GNOME proxy setting)');
    expect(route(settings, 'http://example.com/')).toBe('http://plain.lab:8080 (the GNOME proxy setting)');
  });

  it('says that automatic mode (a PAC file) is not read, and reads nothing with mode none', async () => {
    const { env, set } = desktop();
    set('org.gnome.system.proxy.http', 'host', 'proxy.lab');
    set('org.gnome.system.proxy.http', 'port', '3128');
    expect(await readSystemProxy(env)).toEqual({ settings: null, notices: [] });
    set('org.gnome.system.proxy', 'mode', 'auto');
    const auto = await readSystemProxy(env);
    expect(auto.settings).toBeNull();
    expect(auto.notices[0]).toMatch(
      /^the GNOME proxy setting is automatic \(a PAC file\), which Pathwise does not read/,
    );
  });

  it('lets the environment win, and reads GNOME only in a desktop session', async () => {
    const { env, set } = desktop();
    set('org.gnome.system.proxy', 'mode', 'manual');
    set('org.gnome.system.proxy.http', 'host', 'proxy.lab');
    set('org.gnome.system.proxy.http', 'port', '3128');
    const fromEnv = await readSystemProxy({ ...env, https_proxy: 'http://env.lab:1' });
    expect(route(fromEnv.settings, 'https://example.com/')).toBe('http://env.lab:1 (https_proxy)');
    const headless = await readSystemProxy({ ...env, XDG_CURRENT_DESKTOP: undefined });
    expect(headless.settings).toBeNull();
  });
});

it('reads GVariant strings and string arrays as gsettings prints them', () => {
  expect(variantString("'proxy.lab'")).toBe('proxy.lab');
  expect(variantString(`"it's"`)).toBe("it's");
  expect(variantString("'a\\'b'")).toBe("a'b");
  expect(variantString('3128')).toBeNull();
  expect(variantStrings("['localhost', '127.0.0.0/8', '::1']")).toEqual(['localhost', '127.0.0.0/8', '::1']);
  expect(variantStrings('@as []')).toEqual([]);
});

describe("with the shell's resolver (the desktop app's Chromium)", () => {
  it('asks it per URL instead of reading GNOME, after NO_PROXY, and never before the environment', async () => {
    const asked: string[] = [];
    const gsettings: string[][] = [];
    const options = {
      gsettings: async (args: string[]) => {
        gsettings.push(args);
        return '';
      },
      resolveProxy: async (url: string) => {
        asked.push(url);
        return 'HTTPS secure.corp:8443; DIRECT';
      },
    };
    const desktopEnv = { XDG_CURRENT_DESKTOP: 'KDE', NO_PROXY: '.internal' };
    const { settings, notices } = await readSystemProxy(desktopEnv, options);
    expect(notices).toEqual([]);
    expect(await chooseProxy(settings, 'http:', 'wiki.internal', 80)).toBeNull();
    const server = await chooseProxy(settings, 'http:', 'files.example', 80);
    expect(server && describeProxy(server)).toBe('https://secure.corp:8443 (the system proxy setting)');
    expect(route(settings, 'http://files.example/a')).toBe(
      'https://secure.corp:8443 (the system proxy setting)',
    );
    expect(asked).toEqual(['http://files.example/']);
    expect(gsettings).toEqual([]);

    const fromEnv = await readSystemProxy({ ...desktopEnv, https_proxy: 'http://env:3128' }, options);
    expect(route(fromEnv.settings, 'https://files.example/')).toBe('http://env:3128 (https_proxy)');
    expect(asked).toHaveLength(1);
  });
});
