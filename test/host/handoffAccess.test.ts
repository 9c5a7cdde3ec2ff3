/**
 * The access a command line hands to the app (headers, a login, cookies) is checked on arrival as
 * the command line checked it, and a refusal names the field, never the value: the answer goes
 * back on the socket, and a log may keep it.
 */
import { describe, expect, it } from 'vitest';
import { HandedRequestSchema } from '../../main/host/handoffProtocol.ts';

const SECRET = 'tok-s3cret';
const request = {
  url: 'https://files.example.com/f.iso',
  directory: '/tmp',
  mode: 'aggregate',
  paths: null,
  caps: {},
};
const cookie = {
  domain: 'example.com',
  subdomains: false,
  path: '/',
  secure: false,
  expires: 0,
  name: 'sid',
  value: 'v',
};

function refused(access: unknown): string {
  const parsed = HandedRequestSchema.safeParse({ ...request, access });
  expect(parsed.success).toBe(false);
  return JSON.stringify(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
}

describe('a handed download’s access', () => {
  it('is taken when it is what the command line sends', () => {
    const access = {
      headers: [{ name: 'X-Api-Key', value: SECRET }],
      basic: { user: 'me', password: `${SECRET} with spaces` },
      cookies: [cookie],
    };
    expect(HandedRequestSchema.parse({ ...request, access })).toMatchObject({ access });
    expect(HandedRequestSchema.parse(request)).not.toHaveProperty('access');
  });

  it.each([
    [
      'a header with a line break',
      { headers: [{ name: 'X-A', value: `${SECRET}\r\nX-Evil: 1` }], basic: null, cookies: [] },
    ],
    [
      'a header Pathwise sets itself',
      { headers: [{ name: 'Range', value: `bytes=0-${SECRET}` }], basic: null, cookies: [] },
    ],
    ['a user with a colon', { headers: [], basic: { user: `me:${SECRET}`, password: 'x' }, cookies: [] }],
    [
      'a password with a control character',
      { headers: [], basic: { user: 'me', password: `${SECRET}\n` }, cookies: [] },
    ],
    [
      'a cookie that breaks the header',
      { headers: [], basic: null, cookies: [{ ...cookie, value: `${SECRET}; evil=1` }] },
    ],
  ])('refuses %s, naming the field and not the value', (_, access) => {
    const issues = refused(access);
    expect(issues).toMatch(/access\./);
    expect(issues).not.toContain(SECRET);
  });
});
