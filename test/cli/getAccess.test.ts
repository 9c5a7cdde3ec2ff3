/**
 * `pathwise get`'s access options read into what the download sends: --header, --user with
 * --password-file / PATHWISE_PASSWORD / USER:PASSWORD, --load-cookies, ~/.netrc ($NETRC). Every
 * mistake is a usage error (exit 2) told by option, file and line, never by a secret.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGetArgs } from '../../main/cli/getArgs.ts';

const URL_ = 'https://files.example.com/dl/file.iso';
const SECRET = 'pw-s3cret';

function home(netrc?: { text: string; mode?: number }): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'pw-home-'));
  if (netrc) {
    writeFileSync(join(dir, '.netrc'), netrc.text);
    chmodSync(join(dir, '.netrc'), netrc.mode ?? 0o600);
  }
  return { HOME: dir };
}

function file(text: string, mode = 0o600): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pw-file-')), 'f');
  writeFileSync(path, text, { mode });
  return path;
}

/** The usage error parseGetArgs throws; fails the test if it throws none. */
function refusal(argv: string[], env: NodeJS.ProcessEnv = home()): Error & { code?: string } {
  try {
    parseGetArgs([URL_, ...argv], env);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('--user and its password', () => {
  it('takes the first line of --password-file', () => {
    const options = parseGetArgs(
      [URL_, '--user', 'me', '--password-file', file(`${SECRET}\r\nsecond`)],
      home(),
    );
    expect(options.access).toEqual({ headers: [], basic: { user: 'me', password: SECRET }, cookies: [] });
    expect(options.accessNotices).toEqual([]);
  });

  it('takes PATHWISE_PASSWORD, and USER:PASSWORD with a notice that ps shows it', () => {
    const env = { ...home(), PATHWISE_PASSWORD: SECRET };
    expect(parseGetArgs([URL_, '-u', 'me'], env).access?.basic).toEqual({ user: 'me', password: SECRET });
    const inline = parseGetArgs([URL_, '--user', `me:${SECRET}:x`], home());
    expect(inline.access?.basic).toEqual({ user: 'me', password: `${SECRET}:x` });
    expect(inline.accessNotices).toEqual([expect.stringMatching(/other users of this machine \(ps\)/)]);
  });

  it('refuses --user without a password, asking nothing on the terminal', () => {
    const error = refusal(['--user', 'me']);
    expect(error.code).toBe('E_USAGE');
    expect(error.message).toMatch(
      /^--user me has no password: give it in --password-file FILE or PATHWISE_PASSWORD \(or as --user me:PASSWORD\)\. Pathwise does not ask for it on the terminal\./,
    );
  });

  it.each([
    [['--password-file', '/x'], /--password-file is the password for --user NAME/],
    [['--user', 'me:pw', '--password-file', '/x'], /not both/],
    [
      ['--user', 'me', '--password-file', '/nonexistent/pw'],
      /password file \/nonexistent\/pw cannot be read \(ENOENT\)/,
    ],
    [
      ['--user', 'me', '-H', `Authorization: Bearer ${SECRET}`],
      /Give --user or an Authorization header, not both/,
    ],
  ])('refuses %j', (argv, why) => {
    const error = refusal(argv);
    expect(error.code).toBe('E_USAGE');
    expect(error.message).toMatch(why);
  });

  it('refuses an empty password file and a login in the URL, without echoing it', () => {
    expect(refusal(['--user', 'me', '--password-file', file('\nlater')]).message).toMatch(
      /has nothing on its first line/,
    );
    let error: Error | null = null;
    try {
      parseGetArgs([`https://me:${SECRET}@files.example.com/f`], home());
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.message).toMatch(/^Give the login with --user/);
    expect(error?.message).not.toContain(SECRET);
  });
});

describe('--header and --load-cookies', () => {
  it('reads each --header and the cookie file’s live cookies', () => {
    const cookies = file(
      [
        '# Netscape HTTP Cookie File',
        ['.example.com', 'TRUE', '/', 'TRUE', '0', 'sid', SECRET].join('\t'),
        ['example.com', 'FALSE', '/', 'FALSE', '1', 'gone', 'x'].join('\t'),
      ].join('\n'),
    );
    const options = parseGetArgs(
      [URL_, '-H', 'X-Api-Key: k', '--header', 'Accept: */*', '--load-cookies', cookies],
      home(),
    );
    expect(options.access).toEqual({
      headers: [
        { name: 'X-Api-Key', value: 'k' },
        { name: 'Accept', value: '*/*' },
      ],
      basic: null,
      cookies: [
        {
          domain: 'example.com',
          subdomains: true,
          path: '/',
          secure: true,
          expires: 0,
          name: 'sid',
          value: SECRET,
        },
      ],
    });
  });

  it('refuses a malformed header by its place, never its value', () => {
    const error = refusal(['-H', 'X-Ok: 1', '-H', `X-Token ${SECRET}`]);
    expect(error.message).toMatch(/^--header number 2 is not "Name: value"\./);
    expect(error.message).not.toContain(SECRET);
  });

  it('refuses a cookie file it cannot read, or not in the Netscape format, by its line', () => {
    expect(refusal(['--load-cookies', '/nonexistent/cookies.txt']).message).toMatch(
      /^The cookie file \/nonexistent\/cookies\.txt cannot be read \(ENOENT\)\./,
    );
    const json = file(`[{"name":"sid","value":"${SECRET}"}]`);
    const error = refusal(['--load-cookies', json]);
    expect(error.message).toMatch(/is not in the Netscape format: its line 1 has 1 field/);
    expect(error.message).not.toContain(SECRET);
  });

  it('sends nothing when nothing is given', () => {
    expect(parseGetArgs([URL_], home()).access).toBeNull();
  });
});

describe('~/.netrc and $NETRC', () => {
  const entry = `machine files.example.com login me password ${SECRET}\n`;

  it('takes the login for the URL’s host from ~/.netrc when no --user is given', () => {
    expect(parseGetArgs([URL_], home({ text: entry })).access?.basic).toEqual({
      user: 'me',
      password: SECRET,
    });
    expect(parseGetArgs([URL_], home({ text: 'machine other login a password b' })).access).toBeNull();
  });

  it('reads $NETRC instead, and says so when others may read it', () => {
    const path = file(entry, 0o644);
    const options = parseGetArgs([URL_], { ...home(), NETRC: path });
    expect(options.access?.basic).toEqual({ user: 'me', password: SECRET });
    expect(options.accessNotices).toEqual([
      `${path} can be read by other users of this machine (mode 644); "chmod 600 ${path}" keeps its passwords yours.`,
    ]);
  });

  it('is not used with --user, with an Authorization header, or with --no-netrc', () => {
    const env = { ...home({ text: entry }), PATHWISE_PASSWORD: 'other' };
    expect(parseGetArgs([URL_, '--user', 'you'], env).access?.basic).toEqual({
      user: 'you',
      password: 'other',
    });
    expect(parseGetArgs([URL_, '-H', 'Authorization: Bearer t'], env).access?.basic).toBeNull();
    expect(parseGetArgs([URL_, '--no-netrc'], env).access).toBeNull();
  });

  it('refuses a netrc it cannot read or parse, and a $NETRC that is missing', () => {
    expect(refusal([], home({ text: `machine files.example.com password "${SECRET}` })).message).toMatch(
      /\.netrc \(the netrc file\) cannot be read: a quoted token is not closed; fix it, or give --no-netrc\./,
    );
    const folder = home();
    mkdirSync(join(folder['HOME'] as string, '.netrc'));
    expect(refusal([], folder).message).toMatch(/cannot be read \(EISDIR\)/);
    expect(refusal([], { ...home(), NETRC: '/nonexistent/netrc' }).message).toMatch(
      /^\/nonexistent\/netrc \(the netrc file\) cannot be read \(ENOENT\)/,
    );
    // A missing ~/.netrc is no login, and no complaint.
    expect(parseGetArgs([URL_], home()).accessNotices).toEqual([]);
  });
});

describe('mirrors typed after the URL', () => {
  const MIRROR = 'https://mirror.example.org:8443/pub/file.iso';
  const SAME_SITE = 'https://files.example.com/other/file.iso';

  it('gives every other site typed --user’s login, once per origin', () => {
    const env = { ...home(), PATHWISE_PASSWORD: SECRET };
    const options = parseGetArgs([URL_, MIRROR, SAME_SITE, MIRROR, '--user', 'me'], env);
    expect(options.access).toEqual({
      headers: [],
      basic: { user: 'me', password: SECRET },
      cookies: [],
      mirrorSites: [{ origin: 'https://mirror.example.org:8443', basic: { user: 'me', password: SECRET } }],
    });
  });

  it('looks each mirror’s host up in .netrc, as curl does: none found is no login there', () => {
    const text = `machine files.example.com login me password ${SECRET}\nmachine mirror.example.org login them password other-s3cret\n`;
    const options = parseGetArgs([URL_, MIRROR, 'http://plain.example.net/f'], home({ text }));
    expect(options.access?.basic).toEqual({ user: 'me', password: SECRET });
    expect(options.access?.mirrorSites).toEqual([
      { origin: 'https://mirror.example.org:8443', basic: { user: 'them', password: 'other-s3cret' } },
      { origin: 'http://plain.example.net', basic: null },
    ]);
    // Only a mirror's entry: still a download with a login, for that site alone.
    const mirrorOnly = parseGetArgs(
      [URL_, MIRROR],
      home({ text: 'machine mirror.example.org login a password b' }),
    );
    expect(mirrorOnly.access).toMatchObject({
      basic: null,
      mirrorSites: [{ basic: { user: 'a', password: 'b' } }],
    });
  });

  it('refuses a login inside a mirror’s URL as inside the first', () => {
    expect(refusal([`https://me:${SECRET}@mirror.example.org/f`]).message).toMatch(
      /^Give the login with --user/,
    );
  });
});
