/**
 * Logins from a `.netrc` file, read as curl reads it (lib/netrc.c): tokens separated by blanks
 * and line ends; a line whose first non-blank is `#` is a comment; a token may be quoted
 * ("a b", with \n \r \t and \" escapes); `machine NAME` (the name matched without regard to
 * case) and `default` start an entry, `login` and `password` fill it, `account` is read and
 * ignored, `macdef` skips its macro up to an empty line; anything else is skipped. The first
 * entry for the host with a login (or at least a password) wins; `default` stands for every host,
 * so it belongs last.
 */

export interface NetrcLogin {
  login: string;
  password: string;
}

/** A .netrc Pathwise can't read (a quote left open): said without any of the file's text. */
export class NetrcError extends Error {}

type Token = { kind: 'word'; text: string; quoted: boolean } | { kind: 'eof' };

/** The file's tokens, one at a time, with the two moves the grammar needs besides. */
class NetrcLexer {
  private pos = 0;
  private readonly text: string;

  constructor(text: string) {
    // Comments go when the file is read, as in curl: whole lines only.
    this.text = text
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
  }

  next(): Token {
    while (this.pos < this.text.length && /[ \t\r\n]/.test(this.text[this.pos] as string)) this.pos++;
    if (this.pos >= this.text.length) return { kind: 'eof' };
    if (this.text[this.pos] === '"') return this.quoted();
    const start = this.pos;
    while (this.pos < this.text.length && !/[ \t\r\n]/.test(this.text[this.pos] as string)) this.pos++;
    return { kind: 'word', text: this.text.slice(start, this.pos), quoted: false };
  }

  /** A macro's body: everything up to the next empty line. */
  skipMacro(): void {
    const end = /\n\r*\n/.exec(this.text.slice(this.pos));
    this.pos = end ? this.pos + end.index + end[0].length : this.text.length;
  }

  private quoted(): Token {
    const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
    let text = '';
    for (let i = this.pos + 1; i < this.text.length; i++) {
      const c = this.text[i] as string;
      if (c === '"') {
        this.pos = i + 1;
        return { kind: 'word', text, quoted: true };
      }
      if (c === '\\' && i + 1 < this.text.length) {
        i++;
        const escaped = this.text[i] as string;
        text += ESCAPES[escaped] ?? escaped;
      } else {
        text += c;
      }
    }
    throw new NetrcError('a quoted token is not closed');
  }
}

const KEYWORDS = new Set(['machine', 'default', 'login', 'password', 'account', 'macdef']);

function keyword(token: Token): string | null {
  if (token.kind !== 'word' || token.quoted) return null;
  const word = token.text.toLowerCase();
  return KEYWORDS.has(word) ? word : null;
}

interface Entry {
  matches: boolean;
  login: string | null;
  password: string | null;
}

/**
 * The login for `host` in a .netrc's text: the first `machine` entry naming it (or `default`)
 * that has a login or a password; null when none does. A missing login is empty (a password
 * alone), a missing password too (a login alone), as curl sends them. Throws NetrcError.
 */
export function netrcLogin(text: string, host: string): NetrcLogin | null {
  const lexer = new NetrcLexer(text);
  const wanted = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  let entry: Entry = { matches: false, login: null, password: null };
  let pending: Token | null = null;
  for (;;) {
    const token = pending ?? lexer.next();
    pending = null;
    const word = keyword(token);
    if (token.kind === 'eof' || word === 'machine' || word === 'default' || word === 'macdef') {
      if (entry.matches && (entry.login !== null || entry.password !== null)) {
        return { login: entry.login ?? '', password: entry.password ?? '' };
      }
      entry = { matches: false, login: null, password: null };
    }
    if (token.kind === 'eof') return null;
    if (word === 'machine') {
      // What follows is the name whatever it reads like (curl's "want literal"), unless the file ends.
      const name = lexer.next();
      if (name.kind === 'word') entry.matches = name.text.toLowerCase() === wanted;
      else pending = name;
    } else if (word === 'default') {
      entry.matches = true;
    } else if (word === 'macdef') {
      lexer.skipMacro();
    } else if (word === 'login' || word === 'password' || word === 'account') {
      const value = lexer.next();
      if (value.kind === 'eof') pending = value;
      else if (word === 'login') entry.login = value.text;
      else if (word === 'password') entry.password = value.text;
    }
  }
}
