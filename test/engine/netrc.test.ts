/** .netrc as curl reads it (lib/netrc.c): which login a host gets. */
import { describe, expect, it } from 'vitest';
import { NetrcError, netrcLogin } from '../../main/engine/netrc.ts';

describe('the login .netrc gives a host', () => {
  it('finds the machine entry by name, without regard to case, on one line or several', () => {
    const text = [
      'machine other.example login someone password elsewhere',
      'machine Files.Example.com',
      '  login me',
      '  password s3cret',
    ].join('\n');
    expect(netrcLogin(text, 'files.example.com')).toEqual({ login: 'me', password: 's3cret' });
    expect(netrcLogin(text, 'other.example')).toEqual({ login: 'someone', password: 'elsewhere' });
    expect(netrcLogin(text, 'nowhere.example')).toBeNull();
  });

  it('takes the first entry for the host, and default for any host not named before it', () => {
    const text =
      'machine h login first password 1\nmachine h login second password 2\ndefault login anon password guest';
    expect(netrcLogin(text, 'h')).toEqual({ login: 'first', password: '1' });
    expect(netrcLogin(text, 'x.example')).toEqual({ login: 'anon', password: 'guest' });
  });

  it('passes over an entry for the host that has neither login nor password', () => {
    const text = 'machine h account acct\nmachine h login later password p';
    expect(netrcLogin(text, 'h')).toEqual({ login: 'later', password: 'p' });
  });

  it('gives a login alone an empty password, and a password alone an empty login', () => {
    expect(netrcLogin('machine h login only', 'h')).toEqual({ login: 'only', password: '' });
    expect(netrcLogin('machine h password only', 'h')).toEqual({ login: '', password: 'only' });
  });

  it('reads quoted tokens with their escapes, and takes the token after a keyword whatever it reads', () => {
    const text = 'machine h login "my name" password "a \\"quoted\\"\\tpass\\\\word"';
    expect(netrcLogin(text, 'h')).toEqual({ login: 'my name', password: 'a "quoted"\tpass\\word' });
    expect(netrcLogin('machine h login password password login', 'h')).toEqual({
      login: 'password',
      password: 'login',
    });
  });

  it('skips comment lines and macro bodies up to their empty line', () => {
    const text = [
      '# machine h login commented password out',
      'machine m macdef init',
      'machine h login inmacro password no',
      '',
      '   # indented comment',
      'machine h login real password yes',
    ].join('\n');
    expect(netrcLogin(text, 'h')).toEqual({ login: 'real', password: 'yes' });
  });

  it('matches an IPv6 host as the URL writes it, in brackets, to the bare address in the file', () => {
    expect(netrcLogin('machine ::1 login six password p', '[::1]')).toEqual({ login: 'six', password: 'p' });
  });

  it('refuses a quote left open, saying so without the file’s text', () => {
    expect(() => netrcLogin('machine h login me password "s3cret', 'h')).toThrow(NetrcError);
    expect(() => netrcLogin('machine h login me password "s3cret', 'h')).toThrow(
      /^a quoted token is not closed$/,
    );
  });
});
