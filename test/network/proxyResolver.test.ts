/**
 * The OS's proxy per URL (issue 25): the shell's resolver asked once per origin at a time, its
 * answer kept a while and then asked again, a refusal kept like an answer, a failing resolver
 * asked again next time, and each notice told once.
 */
import { describe, expect, it } from 'vitest';
import { ProxyResolver, originOf } from '../../main/network/proxyResolver.ts';
import { chooseProxy, proxyFor, proxyPending } from '../../main/network/proxySettings.ts';
import { parseNoProxy } from '../../main/network/noProxy.ts';

/** A resolver whose answers the test gives, one per call, and a clock it moves. */
function scripted(answer: (url: string) => Promise<string> | string): {
  resolver: ProxyResolver;
  asked: string[];
  notices: string[];
  clock: { now: number };
} {
  const asked: string[] = [];
  const notices: string[] = [];
  const clock = { now: 1_000_000 };
  const resolver = new ProxyResolver({
    resolve: async (url) => {
      asked.push(url);
      return answer(url);
    },
    keepMs: 60_000,
    now: () => clock.now,
    notify: (notice) => notices.push(notice),
  });
  return { resolver, asked, notices, clock };
}

describe('the per-URL proxy resolver', () => {
  it('asks once per origin, however many wait, and then knows the answer', async () => {
    const { resolver, asked } = scripted((url) => (url.includes('a.example') ? 'PROXY p:3128' : 'DIRECT'));
    expect(resolver.known('https:', 'a.example', 443)).toBeUndefined();
    const answers = await Promise.all([1, 2, 3].map(() => resolver.resolve('https:', 'a.example', 443)));
    expect(answers.map((s) => s?.hostname)).toEqual(['p', 'p', 'p']);
    expect(resolver.known('https:', 'a.example', 443)).toMatchObject({ hostname: 'p', port: 3128 });
    expect(await resolver.resolve('https:', 'b.example', 8443)).toBeNull();
    expect(resolver.known('https:', 'b.example', 8443)).toBeNull();
    expect(asked).toEqual(['https://a.example/', 'https://b.example:8443/']);
  });

  it('keeps an answer for a while, then asks again', async () => {
    let answer = 'PROXY old:1';
    const { resolver, asked, clock } = scripted(() => answer);
    expect((await resolver.resolve('http:', 'a.example', 80))?.hostname).toBe('old');
    answer = 'PROXY new:2';
    clock.now += 59_999;
    expect(resolver.known('http:', 'a.example', 80)?.hostname).toBe('old');
    clock.now += 1;
    expect(resolver.known('http:', 'a.example', 80)).toBeUndefined();
    expect((await resolver.resolve('http:', 'a.example', 80))?.hostname).toBe('new');
    expect(asked).toEqual(['http://a.example/', 'http://a.example/']);
  });

  it('keeps a refusal like an answer, and tells its notice once', async () => {
    const { resolver, asked, notices } = scripted(() => 'SOCKS5 s:1080');
    for (let i = 0; i < 2; i++) {
      await expect(resolver.resolve('https:', 'a.example', 443)).rejects.toMatchObject({ code: 'E_PROXY' });
    }
    expect(resolver.known('https:', 'a.example', 443)).toBeUndefined();
    expect(asked).toHaveLength(1);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(
      'names no proxy Pathwise can use for https://a.example (it answered "SOCKS5 s:1080")',
    );
  });

  it('fails the connection when the resolver fails or does not answer, and asks again next time', async () => {
    let fail = true;
    const { resolver, asked } = scripted(() => {
      if (fail) throw new Error('session gone');
      return 'DIRECT';
    });
    const error = await resolver.resolve('https:', 'a.example', 443).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_PROXY' });
    expect((error as Error).message).toMatch(
      /^Pathwise could not learn from the system's proxy setting how to reach https:\/\/a\.example \(session gone\)/,
    );
    fail = false;
    expect(await resolver.resolve('https:', 'a.example', 443)).toBeNull();
    expect(asked).toHaveLength(2);

    const silent = new ProxyResolver({ resolve: () => new Promise<string>(() => undefined), timeoutMs: 1 });
    await expect(silent.resolve('http:', 'a.example', 80)).rejects.toThrow(/no answer in 0 s/);
  });

  it('names origins as a browser does: default ports left out, IPv6 in brackets', () => {
    expect(originOf('https:', 'A.Example', 443)).toBe('https://a.example');
    expect(originOf('http:', '[::1]', 8080)).toBe('http://[::1]:8080');
    expect(originOf('http:', 'fd00::2', 80)).toBe('http://[fd00::2]');
  });
});

describe('settings with a per-URL lookup', () => {
  it('NO_PROXY comes first; proxyFor knows only what was asked; proxyPending says what to wait for', async () => {
    const { resolver, asked } = scripted(() => 'PROXY p:1');
    const settings = { http: null, https: null, noProxy: parseNoProxy('.internal'), lookup: resolver };
    expect(proxyPending(settings, 'https:', 'x.internal', 443)).toBeNull();
    expect(await chooseProxy(settings, 'https:', 'x.internal', 443)).toBeNull();
    expect(proxyFor(settings, 'https:', 'a.example', 443)).toBeNull();
    const pending = proxyPending(settings, 'https:', 'a.example', 443);
    expect(pending).not.toBeNull();
    await pending;
    expect(proxyFor(settings, 'https:', 'a.example', 443)?.hostname).toBe('p');
    expect(proxyPending(settings, 'https:', 'a.example', 443)).toBeNull();
    expect(asked).toEqual(['https://a.example/']);
  });
});
