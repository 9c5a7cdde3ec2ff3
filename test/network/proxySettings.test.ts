/** Which proxy a request takes, from the environment as curl reads it (issue 25). */
import { describe, expect, it } from 'vitest';
import {
  describeProxy,
  parseProxyUrl,
  proxyFor,
  proxyFromEnv,
  proxyNotices,
} from '../../main/network/proxySettings.ts';

function proxyOf(env: NodeJS.ProcessEnv, url: string): string | null {
  const target = new URL(url);
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const server = proxyFor(proxyFromEnv(env), target.protocol, target.hostname, port);
  return server ? describeProxy(server) : null;
}

describe('proxies from the environment', () => {
  it('takes https_proxy for https and http_proxy for http, lower case before upper case', () => {
    const env = {
      https_proxy: 'http://low:3128',
      HTTPS_PROXY: 'http://up:3128',
      HTTP_PROXY: 'http://plain:8080',
    };
    expect(proxyOf(env, 'https://example.com/f')).toBe('http://low:3128 (https_proxy)');
    expect(proxyOf(env, 'http://example.com/f')).toBe('http://plain:8080 (HTTP_PROXY)');
    expect(proxyOf({ HTTPS_PROXY: 'http://up:3128' }, 'https://example.com/')).toBe(
      'http://up:3128 (HTTPS_PROXY)',
    );
  });

  it('falls back to all_proxy / ALL_PROXY, and an empty value counts as unset', () => {
    const env = { https_proxy: '', ALL_PROXY: 'proxy.lab:3128' };
    expect(proxyOf(env, 'https://example.com/')).toBe('http://proxy.lab:3128 (ALL_PROXY)');
    expect(proxyOf(env, 'http://example.com/')).toBe('http://proxy.lab:3128 (ALL_PROXY)');
    expect(proxyFromEnv({ http_proxy: ' ', PATH: '/bin' })).toBeNull();
  });

  it('leaves NO_PROXY hosts direct, no_proxy read before NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://proxy.lab:3128', no_proxy: '.corp.lab', NO_PROXY: '*' };
    expect(proxyOf(env, 'https://files.corp.lab/f')).toBeNull();
    expect(proxyOf(env, 'https://example.com/f')).toBe('http://proxy.lab:3128 (HTTPS_PROXY)');
    expect(proxyOf({ ...env, no_proxy: undefined }, 'https://example.com/f')).toBeNull();
  });

  it('reads a proxy URL as curl does: default ports 1080 and 443, a written :80 kept', () => {
    expect(parseProxyUrl('proxy.lab', 'X')).toMatchObject({
      protocol: 'http:',
      hostname: 'proxy.lab',
      port: 1080,
    });
    expect(parseProxyUrl('https://proxy.lab', 'X')).toMatchObject({ protocol: 'https:', port: 443 });
    expect(parseProxyUrl('http://proxy.lab:80/', 'X')).toMatchObject({ port: 80 });
    expect(parseProxyUrl('http://u:p@proxy.lab:80', 'X')).toMatchObject({ port: 80 });
    expect(parseProxyUrl('http://[fd00:198:18::2]:3128', 'X')).toMatchObject({
      hostname: 'fd00:198:18::2',
      port: 3128,
    });
    expect(parseProxyUrl('http://', 'X')).toBeNull();
  });

  it('turns user:password into Basic credentials that its description never shows', () => {
    const server = parseProxyUrl('http://amy%40corp:p%3Ass@proxy.lab:3128', 'HTTPS_PROXY');
    expect(server?.authorization).toBe(`Basic ${Buffer.from('amy@corp:p:ss').toString('base64')}`);
    expect(describeProxy(server!)).toBe('http://proxy.lab:3128 (HTTPS_PROXY)');
    expect(
      JSON.stringify(proxyNotices(proxyFromEnv({ HTTPS_PROXY: 'http://amy:pass@proxy.lab:1' }))),
    ).not.toContain('pass');
  });

  it('says once that a SOCKS proxy is not spoken (its downloads fail, never go around it)', () => {
    const notices = proxyNotices(proxyFromEnv({ ALL_PROXY: 'socks5h://127.0.0.1:9050' }));
    expect(notices).toEqual([
      'socks5h://127.0.0.1:9050 (ALL_PROXY) is a SOCKS5H proxy, which Pathwise does not speak (only HTTP and HTTPS proxies): downloads that would go through it fail rather than go around it. Unset it, or list the servers in NO_PROXY.',
    ]);
  });
});
