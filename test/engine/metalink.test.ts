/**
 * Metalink 4 files (RFC 5854) as `pathwise get file.meta4` reads them: what a valid one gives the
 * download (name, size, hashes, mirrors by priority), and every hostile or broken one refused with
 * E_METALINK and a message naming what is wrong — never an entity expanded or fetched.
 */
import { describe, expect, it } from 'vitest';
import { PathwiseError } from '../../common/errors.ts';
import { describedFile, parseMetalink } from '../../main/engine/metalink.ts';
import { readXml, XmlError } from '../../main/engine/metalinkXml.ts';

const HASH = 'a'.repeat(64);
const PIECE_A = 'b'.repeat(64);
const PIECE_B = 'C'.repeat(64);

function meta4(files: string, prolog = '<?xml version="1.0" encoding="UTF-8"?>\n'): string {
  return `${prolog}<metalink xmlns="urn:ietf:params:xml:ns:metalink">\n${files}\n</metalink>\n`;
}

/** RFC 5854's own example (§1.1), with SHA-256 pieces and an ftp URL and a torrent besides. */
const EXAMPLE = meta4(`
  <published>2009-05-15T12:23:23Z</published>
  <file name="example.ext">
    <size>14471447</size>
    <identity>Example</identity>
    <version>1.0</version>
    <language>en</language>
    <description>A description of the example file for download.</description>
    <hash type="sha-1">0000000000000000000000000000000000000000</hash>
    <hash type="sha-256">${HASH}</hash>
    <url location="de" priority="1">ftp://ftp.example.com/example.ext</url>
    <url location="fr" priority="1">http://example.com/example.ext</url>
    <url priority="3">https://mirror.example.net/pub/example.ext</url>
    <url>http://last.example.org/example.ext</url>
    <metaurl mediatype="torrent" priority="2">http://example.com/example.ext.torrent</metaurl>
  </file>`);

function refused(text: string): PathwiseError {
  try {
    parseMetalink(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PathwiseError);
    expect((error as PathwiseError).code).toBe('E_METALINK');
    return error as PathwiseError;
  }
  throw new Error('the Metalink was accepted');
}

describe('a valid Metalink 4 file', () => {
  it('gives the name, size, SHA-256 and http(s) URLs by priority, and names what it passed over', () => {
    const [file, ...others] = parseMetalink(EXAMPLE);
    expect(others).toEqual([]);
    expect(file).toEqual({
      name: 'example.ext',
      size: 14471447,
      sha256: HASH,
      pieces: null,
      urls: [
        { url: 'http://example.com/example.ext', priority: 1 },
        { url: 'https://mirror.example.net/pub/example.ext', priority: 3 },
        { url: 'http://last.example.org/example.ext', priority: 1_000_000 },
      ],
      skipped: ['ftp ftp.example.com'],
    });
  });

  it('reads SHA-256 piece hashes (lower-cased), and a prefixed namespace, CDATA and references', () => {
    const text = `<?xml version="1.0"?>
<!-- a comment before the root -->
<m:metalink xmlns:m="urn:ietf:params:xml:ns:metalink" xmlns:x="urn:example:other">
  <m:file name="dir/a&amp;b.iso">
    <m:size>300</m:size>
    <x:note>not Metalink's: passed over</x:note>
    <m:pieces length="200" type="sha-256"><m:hash>${PIECE_A}</m:hash><m:hash>${PIECE_B}</m:hash></m:pieces>
    <m:pieces length="100" type="sha-1"><m:hash>00</m:hash></m:pieces>
    <m:url priority="10"><![CDATA[http://example.com/a&b.iso]]></m:url>
    <m:url priority="&#53;">http://mirror.example.com/a%26b.iso</m:url>
  </m:file>
</m:metalink>`;
    const [file] = parseMetalink(text);
    expect(file?.name).toBe('dir/a&b.iso');
    expect(file?.pieces).toEqual({ length: 200, sha256: [PIECE_A, PIECE_B.toLowerCase()] });
    expect(file?.urls.map((u) => u.url)).toEqual([
      'http://mirror.example.com/a%26b.iso',
      'http://example.com/a&b.iso',
    ]);
  });
});

describe('a hostile Metalink file', () => {
  it('refuses a document type declaration: no entity is defined, expanded or fetched', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE metalink [<!ENTITY leak SYSTEM "file:///etc/passwd">]>
<metalink xmlns="urn:ietf:params:xml:ns:metalink"><file name="a"><url>http://h/&leak;</url></file></metalink>`;
    expect(refused(xxe).message).toMatch(/document type or entity declaration is refused/);
  });

  it('refuses the billion laughs, and any entity XML does not predefine', () => {
    const laughs = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<metalink xmlns="urn:ietf:params:xml:ns:metalink"><file name="&lol2;"/></metalink>`;
    expect(refused(laughs).message).toMatch(/declaration is refused/);
    const undeclared = meta4('<file name="a"><url>http://h/&nbsp;</url></file>');
    expect(refused(undeclared).message).toMatch(/the entity &nbsp; is not one XML predefines/);
  });

  it('refuses a document past the size limit, and nesting past the depth limit', () => {
    expect(() =>
      readXml(`<a>${'x'.repeat(100)}</a>`, { maxChars: 50, maxDepth: 8, maxElements: 10 }),
    ).toThrow(/larger than 50 characters/);
    const deep = `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`;
    expect(() => readXml(deep)).toThrow(XmlError);
    expect(refused(meta4(`<file name="a">${'<x>'.repeat(40)}${'</x>'.repeat(40)}</file>`)).message).toMatch(
      /nested too deeply/,
    );
    const many = `<a>${'<b/>'.repeat(20)}</a>`;
    expect(() => readXml(many, { maxChars: 1000, maxDepth: 8, maxElements: 10 })).toThrow(
      /too many elements/,
    );
  });

  it('refuses file names that climb out of the download folder', () => {
    for (const name of ['../etc/passwd', '/etc/passwd', 'a/../../b', 'a\\b', '.']) {
      expect(refused(meta4(`<file name="${name}"><url>http://h/x</url></file>`)).message).toMatch(
        /not a relative path/,
      );
    }
  });

  it('refuses more than 256 URLs for one file', () => {
    const urls = Array.from({ length: 257 }, (_, i) => `<url>http://h${i}.example/x</url>`).join('');
    expect(refused(meta4(`<file name="a">${urls}</file>`)).message).toMatch(/more than 256 URLs/);
  });
});

describe('a broken Metalink file', () => {
  it.each([
    ['not XML at all', 'hello', /not well-formed XML.*text outside the root/],
    ['an unclosed element', meta4('<file name="a"><url>http://h/x</url>'), /is never closed|does not close/],
    ['mismatched tags', meta4('<file name="a"><url>http://h/x</size></file>'), /does not close <url>/],
    ['an unquoted attribute', meta4('<file name=a><url>http://h/x</url></file>'), /must be quoted/],
    ['a repeated attribute', meta4('<file name="a" name="b"/>'), /repeats the attribute name/],
    ['an undeclared prefix', '<p:metalink/>', /prefix p is not declared/],
    ['a bare ampersand', meta4('<file name="a&b"/>'), /starts no reference/],
    [
      'another encoding',
      meta4('<file name="a"/>', '<?xml version="1.0" encoding="ISO-8859-1"?>'),
      /only UTF-8/,
    ],
    [
      'two roots',
      `${meta4('<file name="a"><url>http://h/x</url></file>')}<metalink/>`,
      /more after the root/,
    ],
    ['Metalink 3', '<metalink xmlns="http://www.metalinker.org/"/>', /Metalink 3/],
    ['another root', '<feed xmlns="http://www.w3.org/2005/Atom"/>', /root element is <feed>/],
    ['no file', meta4(''), /describes no file/],
    [
      'a file twice',
      meta4('<file name="a"><url>http://h/x</url></file><file name="a"><url>http://h/y</url></file>'),
      /twice/,
    ],
    ['no URL', meta4('<file name="a"><size>1</size></file>'), /has no URL/],
    ['only ftp', meta4('<file name="a"><url>ftp://h/x</url></file>'), /no http\(s\) URL \(only ftp h\)/],
    ['a bad size', meta4('<file name="a"><size>-1</size><url>http://h/x</url></file>'), /the size "-1"/],
    ['a priority of 0', meta4('<file name="a"><url priority="0">http://h/x</url></file>'), /priority 0/],
    [
      'a short SHA-256',
      meta4('<file name="a"><hash type="sha-256">abc</hash><url>http://h/x</url></file>'),
      /SHA-256 "abc"/,
    ],
    [
      'two SHA-256 hashes',
      meta4(
        `<file name="a"><hash type="sha-256">${HASH}</hash><hash type="sha-256">${PIECE_A}</hash><url>http://h/x</url></file>`,
      ),
      /two different SHA-256/,
    ],
    [
      'pieces that do not cover the size',
      meta4(
        `<file name="a"><size>500</size><pieces length="200" type="sha-256"><hash>${PIECE_A}</hash></pieces><url>http://h/x</url></file>`,
      ),
      /1 piece hashes where 500 bytes in pieces of 200 need 3/,
    ],
    [
      'pieces without a size',
      meta4(
        `<file name="a"><pieces length="200" type="sha-256"><hash>${PIECE_A}</hash></pieces><url>http://h/x</url></file>`,
      ),
      /no <size>/,
    ],
    [
      'a piece length of 0',
      meta4(`<file name="a"><size>1</size><pieces length="0" type="sha-256"/><url>http://h/x</url></file>`),
      /length "0"/,
    ],
  ])('refuses %s', (_what, text, message) => {
    expect(refused(text).message).toMatch(message);
  });
});

describe('a Metalink that lists several files', () => {
  const TWO = meta4(`
  <file name="disk1.iso"><size>10</size><url>https://a.example/disk1.iso</url></file>
  <file name="disk2.iso"><size>20</size><url>https://a.example/disk2.iso</url><url>https://b.example/disk2.iso</url></file>`);

  it('asks which one, naming them with their numbers', () => {
    expect(() => describedFile(TWO, 'set.meta4')).toThrow(
      /set\.meta4 describes 2 files \(1\. disk1\.iso, 2\. disk2\.iso\);.*--select-file NAME or --select-file N/,
    );
  });

  it('gives the one chosen by name or by number from 1, and refuses one it does not list', () => {
    expect(describedFile(TWO, 'set.meta4', 'disk2.iso')).toMatchObject({
      url: 'https://a.example/disk2.iso',
      fileName: 'disk2.iso',
      mirrors: { urls: [{ url: 'https://b.example/disk2.iso' }], size: 20 },
    });
    expect(describedFile(TWO, 'set.meta4', '1')).toMatchObject({
      url: 'https://a.example/disk1.iso',
      fileName: 'disk1.iso',
    });
    for (const missing of ['3', '0', 'disk3.iso'])
      expect(() => describedFile(TWO, 'set.meta4', missing)).toThrow(
        /describes no file ".*"; it describes 2: 1\. disk1\.iso/,
      );
    // A document with one file takes --select-file as a check too.
    const ONE = meta4('<file name="only.iso"><size>1</size><url>https://a.example/only.iso</url></file>');
    expect(describedFile(ONE, 'one.meta4', 'only.iso')).toMatchObject({ fileName: 'only.iso' });
    expect(() => describedFile(ONE, 'one.meta4', 'other.iso')).toThrow(
      /describes no file "other\.iso"; it describes one/,
    );
  });
});
