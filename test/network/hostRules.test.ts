import { describe, expect, it } from 'vitest';
import { RedirectGuard } from '../../main/engine/RedirectGuard.ts';
import { resolveTargets } from '../../main/network/happyEyeballs.ts';
import { keepHostTo, reachable } from '../../main/network/hostRules.ts';

/*
 * DNS rebinding (issue 22): a redirect target cleared by its public addresses must not reach a
 * private one when the connection resolves its name again.
 */
const t = (...addresses: string[]) => addresses.map((address) => ({ address, family: 4 as const }));

describe('a host name kept to the addresses a redirect guard cleared', () => {
  it('reaches only the allowed addresses, and is refused (E_REDIRECT) when none is left', () => {
    keepHostTo('Mirror.Example', (a) => (a.startsWith('10.') ? 'private' : null));
    expect(reachable('mirror.example', t('10.0.0.7', '198.18.0.9'))).toEqual(t('198.18.0.9'));
    expect(() => reachable('mirror.example', t('10.0.0.7'))).toThrow(
      expect.objectContaining({
        code: 'E_REDIRECT',
        message: expect.stringContaining('10.0.0.7, a private address'),
      }),
    );
    // Other names are not touched.
    expect(reachable('other.example', t('10.0.0.7'))).toEqual(t('10.0.0.7'));
  });

  it('holds at connect time: a name the guard cleared as public that now resolves to loopback', async () => {
    // The guard's look-up said the internet; the system's (at connect time) says 127.0.0.1.
    const guard = new RedirectGuard('http://198.18.0.1/file', { lookup: async () => ['198.18.0.9'] });
    await guard.check(new URL('http://198.18.0.1/file'), new URL('http://localhost:8080/file'), 'wlan0');
    await expect(resolveTargets('localhost', null, 4, 'wlan0')).rejects.toMatchObject({
      code: 'E_REDIRECT',
      message: expect.stringMatching(/^localhost now leads to (127\.0\.0\.1|::1), a loopback address/),
    });
  });

  it('leaves a redirect within a private link’s own network alone', async () => {
    const guard = new RedirectGuard('http://127.0.0.1/file');
    await guard.check(new URL('http://127.0.0.1/file'), new URL('http://localhost.localdomain/file'), 'lo');
    expect(reachable('localhost.localdomain', t('127.0.0.1'))).toEqual(t('127.0.0.1'));
  });
});
