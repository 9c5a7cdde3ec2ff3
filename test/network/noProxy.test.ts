/** NO_PROXY as curl reads it (issue 25), plus ports and GNOME's `*.` wildcards. */
import { describe, expect, it } from 'vitest';
import { bypassesProxy, parseNoProxy } from '../../main/network/noProxy.ts';

function bypass(noProxy: string, host: string, port = 443): boolean {
  return bypassesProxy(parseNoProxy(noProxy), host, port);
}

describe('NO_PROXY', () => {
  it('matches a name and the names under it, never a name that only ends the same way', () => {
    for (const rule of ['example.com', '.example.com', 'EXAMPLE.com.', '*.example.com']) {
      expect(bypass(rule, 'www.example.com'), rule).toBe(true);
      expect(bypass(rule, 'a.b.example.com'), rule).toBe(true);
      expect(bypass(rule, 'notexample.com'), rule).toBe(false);
      expect(bypass(rule, 'example.com.evil.net'), rule).toBe(false);
    }
    expect(bypass('example.com', 'Example.COM.')).toBe(true);
    expect(bypass('www.example.com', 'example.com')).toBe(false);
  });

  it('reads a list separated by commas and blanks; * alone exempts everything', () => {
    const rules = ' foo.lab ,, bar.lab\tbaz.lab ';
    expect(['foo.lab', 'bar.lab', 'baz.lab', 'x.baz.lab'].map((h) => bypass(rules, h))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(bypass(rules, 'qux.lab')).toBe(false);
    expect(bypass('*', 'anything.example')).toBe(true);
    expect(bypass('*', '2001:db8::1')).toBe(true);
    expect(bypass('', 'example.com')).toBe(false);
  });

  it('matches addresses by address or CIDR block, and names never by address', () => {
    expect(bypass('10.0.0.0/8', '10.20.30.40')).toBe(true);
    expect(bypass('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(bypass('192.168.1.7', '192.168.1.7')).toBe(true);
    expect(bypass('192.168.1.7', '192.168.1.8')).toBe(false);
    expect(bypass('192.168.0.0/16', '192.168.255.1')).toBe(true);
    expect(bypass('fd00::/8', '[fd00:198:18::1]')).toBe(true);
    expect(bypass('fd00::/8', 'fe80::1')).toBe(false);
    expect(bypass('::1', '::1')).toBe(true);
    expect(bypass('[::1]', '[::1]')).toBe(true);
    expect(bypass('2001:db8::/32', '2001:db8:ffff::ffff:1.2.3.4')).toBe(true);
    // curl compares a URL's host as written: an address rule does not match a name, nor a name an address.
    expect(bypass('127.0.0.0/8', 'localhost')).toBe(false);
    expect(bypass('localhost', '127.0.0.1')).toBe(false);
  });

  it('applies an entry with a port to that port only', () => {
    expect(bypass('example.com:8080', 'example.com', 8080)).toBe(true);
    expect(bypass('example.com:8080', 'example.com', 443)).toBe(false);
    expect(bypass('[::1]:8443', '::1', 8443)).toBe(true);
    expect(bypass('[::1]:8443', '::1', 443)).toBe(false);
    expect(bypass('10.1.2.3:80', '10.1.2.3', 80)).toBe(true);
    expect(bypass('10.1.2.3:80', '10.1.2.3', 81)).toBe(false);
  });

  it('skips entries it cannot read instead of exempting anything by them', () => {
    expect(parseNoProxy('10.0.0.0/40, host:notaport, [::1, /, example.com')).toEqual([
      { kind: 'name', suffix: 'example.com', port: null },
    ]);
  });
});
