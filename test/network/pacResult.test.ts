/**
 * The OS's proxy answer, PAC-style (issue 25), as Chromium's resolver gives it: read strictly, in
 * order of preference, SOCKS skipped with a notice, nothing usable refused rather than gone around.
 */
import { describe, expect, it } from 'vitest';
import type { PathwiseError } from '../../common/errors.ts';
import { choosePacEntry, parsePacResult } from '../../main/network/pacResult.ts';

const ORIGIN = 'https://files.example';

function refusal(text: string): PathwiseError {
  try {
    choosePacEntry(text, ORIGIN);
  } catch (error) {
    return error as PathwiseError;
  }
  throw new Error(`"${text}" was not refused`);
}

describe('reading a PAC answer', () => {
  it('reads each kind of entry, in order, with the default ports Chromium gives', () => {
    expect(
      parsePacResult('PROXY proxy.corp:3128; HTTPS secure.corp; http [FD00::1]:8080;DIRECT; SOCKS5 s:1080;'),
    ).toEqual([
      {
        kind: 'proxy',
        server: expect.objectContaining({ protocol: 'http:', hostname: 'proxy.corp', port: 3128 }),
      },
      {
        kind: 'proxy',
        server: expect.objectContaining({ protocol: 'https:', hostname: 'secure.corp', port: 443 }),
      },
      {
        kind: 'proxy',
        server: expect.objectContaining({ protocol: 'http:', hostname: 'fd00::1', port: 8080 }),
      },
      { kind: 'direct' },
      { kind: 'unspoken', scheme: 'SOCKS5', where: 's:1080' },
    ]);
    expect(parsePacResult('proxy p')).toEqual([
      {
        kind: 'proxy',
        server: {
          protocol: 'http:',
          hostname: 'p',
          port: 80,
          authorization: null,
          source: 'the system proxy setting',
        },
      },
    ]);
  });

  it.each([
    'PROXY',
    'PROXY a b',
    'PROXY host:0',
    'PROXY host:99999',
    'PROXY host:port',
    'FTP host:21',
    'DIRECT now',
    'PROXY a/b:1',
  ])('does not read %j as a proxy', (text) => {
    expect(parsePacResult(text)).toEqual([{ kind: 'unreadable', text }]);
  });

  it('takes the first usable entry: the order is the preference', () => {
    expect(choosePacEntry('PROXY a:1; PROXY b:2', ORIGIN).server?.hostname).toBe('a');
    expect(choosePacEntry('DIRECT; PROXY b:2', ORIGIN)).toEqual({ server: null, notices: [] });
  });

  it('skips SOCKS and unreadable entries with a notice each, and takes the next', () => {
    const choice = choosePacEntry('SOCKS5 socks.corp:1080; bogus entry here; HTTPS secure.corp:8443', ORIGIN);
    expect(choice.server).toMatchObject({ protocol: 'https:', hostname: 'secure.corp', port: 8443 });
    expect(choice.notices).toEqual([
      'The system proxy setting names a SOCKS5 proxy (socks.corp:1080) for https://files.example, which Pathwise does not speak (only HTTP and HTTPS proxies): it takes the next entry there.',
      'The system proxy setting gave "bogus entry here" for https://files.example, which is not a proxy entry Pathwise can read: it takes the next entry there.',
    ]);
  });

  it.each(['SOCKS5 s:1080; SOCKS s:1081', '', ' ; ', 'what?'])(
    'refuses %j with E_PROXY saying what to do, never reading it as DIRECT',
    (text) => {
      const error = refusal(text);
      expect(error.code).toBe('E_PROXY');
      expect(error.message).toContain(`names no proxy Pathwise can use for ${ORIGIN}`);
      expect(error.message).toContain('set HTTPS_PROXY and HTTP_PROXY for Pathwise');
    },
  );

  it('never quotes a login written into an entry', () => {
    const choice = choosePacEntry('PROXY amy:s3cret@p:1; DIRECT', ORIGIN);
    expect(choice.server).toBeNull();
    expect(choice.notices.join('')).not.toContain('s3cret');
    expect(refusal('PROXY amy:s3cret@p:1').message).not.toContain('s3cret');
  });
});
