/**
 * The strict subset of XML 1.0 a Metalink document needs (RFC 5854 §3 is plain namespaced XML),
 * read into a small element tree without a parser library. Strict where a lax reader is a risk:
 * a document type declaration is refused outright (it is where entities are defined, and with
 * them external entities and entity expansion), only the five predefined entities and character
 * references are read, and the input, the nesting and the element count are bounded.
 * Anything that is not well-formed is an error naming the offset, never a guess.
 */

/** One element: its namespace and local name, its unprefixed attributes, its children and text. */
export interface XmlElement {
  /** The namespace URI its prefix (or the default) is bound to; null for none. */
  ns: string | null;
  local: string;
  /** Attributes without a prefix (Metalink's are all such), decoded. */
  attrs: ReadonlyMap<string, string>;
  children: XmlElement[];
  /** The element's own character data (CDATA included), decoded, children's excluded. */
  text: string;
}

export interface XmlLimits {
  /** Characters in the whole document. */
  maxChars: number;
  /** Elements open at once. */
  maxDepth: number;
  /** Elements in the whole document. */
  maxElements: number;
}

export const XML_LIMITS: XmlLimits = {
  // A 64 GiB file in 256 KiB pieces lists 262,144 piece hashes of about 80 characters each.
  maxChars: 24 << 20,
  maxDepth: 32,
  maxElements: 1 << 20,
};

export class XmlError extends Error {}

const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

interface Open {
  element: XmlElement;
  /** The tag as written (prefix included), which its end tag must repeat. */
  tag: string;
  /** Prefix → namespace in scope ('' for the default). */
  scope: Map<string, string | null>;
  /** Attributes by prefixed name, resolved once the element's declarations are known. */
  prefixed: Array<[string, string]>;
}

/** Reads `text` as one XML document and returns its root element; throws XmlError when it is not one. */
export function readXml(text: string, limits: XmlLimits = XML_LIMITS): XmlElement {
  return new Reader(text, limits).document();
}

class Reader {
  private pos = 0;
  private elements = 0;
  private readonly stack: Open[] = [];
  private root: XmlElement | null = null;
  private readonly text: string;
  private readonly limits: XmlLimits;

  constructor(text: string, limits: XmlLimits) {
    if (text.length > limits.maxChars) {
      throw new XmlError(`the document is larger than ${limits.maxChars} characters`);
    }
    // A byte order mark read as text (U+FEFF) is not part of the document.
    this.text = text.startsWith('\uFEFF') ? text.slice(1) : text;
    this.limits = limits;
  }

  document(): XmlElement {
    if (this.text.startsWith('<?xml')) this.declaration();
    while (this.pos < this.text.length) {
      if (this.stack.length === 0) this.outside();
      else this.inside();
    }
    if (this.stack.length > 0) this.fail(`<${(this.stack.at(-1) as Open).tag}> is never closed`);
    if (!this.root) this.fail('there is no element');
    return this.root as XmlElement;
  }

  private fail(what: string): never {
    throw new XmlError(`${what} (at character ${this.pos})`);
  }

  /** `<?xml version="1.0" encoding="UTF-8"?>`: only UTF-8 (the text was decoded as that). */
  private declaration(): void {
    const end = this.text.indexOf('?>');
    if (end < 0) this.fail('the XML declaration is not closed');
    const body = this.text.slice(5, end);
    const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(body)?.[1];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      this.fail(`the document is in ${encoding}; only UTF-8 is read`);
    }
    this.pos = end + 2;
  }

  /** Before or after the root: whitespace, comments and processing instructions only. */
  private outside(): void {
    this.skipSpace();
    if (this.pos >= this.text.length) return;
    if (this.text.startsWith('<!--', this.pos)) return this.comment();
    if (this.text.startsWith('<!', this.pos)) this.refuseDeclaration();
    if (this.text.startsWith('<?', this.pos)) return this.instruction();
    if (this.root) this.fail('there is more after the root element');
    if (this.text[this.pos] !== '<') this.fail('text outside the root element');
    this.startTag();
  }

  private inside(): void {
    const lt = this.text.indexOf('<', this.pos);
    const end = lt < 0 ? this.text.length : lt;
    if (end > this.pos) this.characters(this.text.slice(this.pos, end));
    this.pos = end;
    if (lt < 0) return;
    if (this.text.startsWith('</', lt)) this.endTag();
    else if (this.text.startsWith('<!--', lt)) this.comment();
    else if (this.text.startsWith('<![CDATA[', lt)) this.cdata();
    else if (this.text.startsWith('<!', lt)) this.refuseDeclaration();
    else if (this.text.startsWith('<?', lt)) this.instruction();
    else this.startTag();
  }

  private refuseDeclaration(): never {
    this.fail('a document type or entity declaration is refused (it could define entities)');
  }

  private comment(): void {
    const end = this.text.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail('a comment is not closed');
    this.pos = end + 3;
  }

  private instruction(): void {
    const end = this.text.indexOf('?>', this.pos + 2);
    if (end < 0) this.fail('a processing instruction is not closed');
    if (/^<\?xml[\s?]/i.test(this.text.slice(this.pos, this.pos + 6))) {
      this.fail('an XML declaration may only open the document');
    }
    this.pos = end + 2;
  }

  private cdata(): void {
    const end = this.text.indexOf(']]>', this.pos + 9);
    if (end < 0) this.fail('a CDATA section is not closed');
    this.appendText(this.text.slice(this.pos + 9, end));
    this.pos = end + 3;
  }

  private characters(raw: string): void {
    if (raw.includes(']]>')) this.fail('"]]>" in text');
    this.appendText(this.decode(raw));
  }

  private appendText(text: string): void {
    (this.stack.at(-1) as Open).element.text += text;
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.text);
    if (!match) this.fail('a name was expected');
    this.pos = NAME.lastIndex;
    return match[0];
  }

  private skipSpace(): boolean {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.text);
    const moved = SPACE.lastIndex > this.pos;
    this.pos = SPACE.lastIndex;
    return moved;
  }

  private startTag(): void {
    this.pos++;
    const tag = this.name();
    const parent = this.stack.at(-1);
    const open: Open = {
      element: { ns: null, local: tag, attrs: new Map(), children: [], text: '' },
      tag,
      scope: new Map(parent?.scope ?? [['xml', XML_NS]]),
      prefixed: [],
    };
    const seen = new Set<string>();
    for (;;) {
      const spaced = this.skipSpace();
      if (this.text.startsWith('/>', this.pos) || this.text[this.pos] === '>') break;
      if (!spaced) this.fail(`<${tag}> has a malformed attribute`);
      const attr = this.name();
      if (seen.has(attr)) this.fail(`<${tag}> repeats the attribute ${attr}`);
      seen.add(attr);
      this.skipSpace();
      if (this.text[this.pos] !== '=') this.fail(`the attribute ${attr} has no value`);
      this.pos++;
      this.skipSpace();
      open.prefixed.push([attr, this.attributeValue()]);
    }
    this.bindNames(open);
    this.elements++;
    if (this.elements > this.limits.maxElements) this.fail('the document has too many elements');
    if (parent) parent.element.children.push(open.element);
    else this.root = open.element;
    if (this.text.startsWith('/>', this.pos)) {
      this.pos += 2;
      return;
    }
    this.pos++;
    if (this.stack.length >= this.limits.maxDepth) this.fail('elements are nested too deeply');
    this.stack.push(open);
  }

  private attributeValue(): string {
    const quote = this.text[this.pos];
    if (quote !== '"' && quote !== "'") this.fail('an attribute value must be quoted');
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail('an attribute value is not closed');
    const raw = this.text.slice(this.pos + 1, end);
    if (raw.includes('<')) this.fail('"<" in an attribute value');
    this.pos = end + 1;
    return this.decode(raw);
  }

  /** Namespace declarations first (they apply to the element's own name), then its name and attributes. */
  private bindNames(open: Open): void {
    for (const [name, value] of open.prefixed) {
      if (name === 'xmlns') open.scope.set('', value === '' ? null : value);
      else if (name.startsWith('xmlns:')) open.scope.set(name.slice(6), value);
    }
    const colon = open.tag.indexOf(':');
    const prefix = colon < 0 ? '' : open.tag.slice(0, colon);
    if (colon >= 0 && !open.scope.has(prefix)) this.fail(`the prefix ${prefix} is not declared`);
    open.element.ns = open.scope.get(prefix) ?? null;
    open.element.local = colon < 0 ? open.tag : open.tag.slice(colon + 1);
    const attrs = open.element.attrs as Map<string, string>;
    for (const [name, value] of open.prefixed) {
      if (!name.includes(':') && name !== 'xmlns') attrs.set(name, value);
    }
  }

  private endTag(): void {
    this.pos += 2;
    const tag = this.name();
    this.skipSpace();
    if (this.text[this.pos] !== '>') this.fail(`the end tag </${tag}> is malformed`);
    const open = this.stack.pop();
    if (open?.tag !== tag) this.fail(`</${tag}> does not close <${open?.tag ?? '(nothing)'}>`);
    this.pos++;
  }

  /** The five predefined entities and character references; any other entity is an error. */
  private decode(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]{0,10});?/g, (whole, name: string) => {
      if (!whole.endsWith(';')) this.fail('a "&" that starts no reference');
      const code = /^#x([0-9a-fA-F]{1,6})$/.exec(name)?.[1] ?? /^#(\d{1,7})$/.exec(name)?.[1];
      if (code !== undefined) {
        const point = name[1] === 'x' ? parseInt(code, 16) : Number(code);
        if (point === 0 || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) {
          this.fail(`the character reference ${whole} names no character`);
        }
        return String.fromCodePoint(point);
      }
      const entity = ENTITIES[name];
      if (entity === undefined) this.fail(`the entity ${whole} is not one XML predefines`);
      return entity;
    });
  }
}
