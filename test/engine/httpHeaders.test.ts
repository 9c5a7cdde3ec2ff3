/**
 * The parts of RFC 9110 the engine relies on, read exactly (issue 26): a Content-Range that is
 * malformed or impossible is no range at all, only a strong ETag pins a version, the conditional
 * headers name the pinned version, and Retry-After, Content-Length, Content-Encoding and
 * Content-Disposition are read as servers send them and nothing else.
 */
import { describe, expect, it } from 'vitest';
import {
  conditionalHeaders,
  contentEncoding,
  contentLength,
  describeValidator,
  dispositionFileName,
  header,
  mediaType,
  parseContentRange,
  retryAfterMs,
  sameValidator,
  strongEtag,
  validatorOf,
} from '../../main/engine/httpHeaders.ts';

describe('header', () => {
  it('reads a header once, the first of repeated ones, and nothing for a missing one', () => {
    expect(header({ etag: '"a"' }, 'etag')).toBe('"a"');
    expect(header({ 'set-cookie': ['one', 'two'] }, 'set-cookie')).toBe('one');
    expect(header({}, 'etag')).toBeUndefined();
  });
});

describe('validators: what pins one version of the file', () => {
  it.each([
    ['"abc"', '"abc"'],
    ['  "abc"  ', '"abc"'],
    ['""', '""'],
  ])('takes the strong ETag %j', (value, etag) => {
    expect(strongEtag(value)).toBe(etag);
  });

  it.each([undefined, '', 'W/"abc"', 'abc', '"abc', 'abc"', 'x"abc"', '"abc"x', '"a"b"'])(
    'takes no ETag from %j',
    (value) => {
      expect(strongEtag(value)).toBeNull();
    },
  );

  it('reads the ETag and a trimmed Last-Modified; a blank one is none', () => {
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    expect(validatorOf({ etag: '"v1"', 'last-modified': ` ${date} ` })).toEqual({
      etag: '"v1"',
      lastModified: date,
    });
    expect(validatorOf({ etag: 'W/"v1"', 'last-modified': '   ' })).toEqual({
      etag: null,
      lastModified: null,
    });
    expect(validatorOf({})).toEqual({ etag: null, lastModified: null });
  });

  it('compares by ETag when either side has one, else by Last-Modified', () => {
    const v = (etag: string | null, lastModified: string | null) => ({ etag, lastModified });
    expect(sameValidator(v('"a"', 'x'), v('"a"', 'y'))).toBe(true);
    expect(sameValidator(v('"a"', 'x'), v('"b"', 'x'))).toBe(false);
    expect(sameValidator(v('"a"', 'x'), v(null, 'x'))).toBe(false);
    expect(sameValidator(v(null, 'x'), v('"a"', 'x'))).toBe(false);
    expect(sameValidator(v(null, 'x'), v(null, 'x'))).toBe(true);
    expect(sameValidator(v(null, 'x'), v(null, 'y'))).toBe(false);
    expect(sameValidator(v(null, null), v(null, null))).toBe(true);
  });

  it('describes a validator in words', () => {
    expect(describeValidator({ etag: '"a"', lastModified: 'x' })).toBe('ETag "a"');
    expect(describeValidator({ etag: null, lastModified: 'x' })).toBe('Last-Modified x');
    expect(describeValidator({ etag: null, lastModified: null })).toBe('no validator');
  });

  it('asks for the pinned version: by ETag when there is one, else by date, else not at all', () => {
    expect(conditionalHeaders({ etag: '"a"', lastModified: 'x' })).toEqual({
      'if-match': '"a"',
      'if-range': '"a"',
    });
    expect(conditionalHeaders({ etag: null, lastModified: 'x' })).toEqual({
      'if-unmodified-since': 'x',
      'if-range': 'x',
    });
    expect(conditionalHeaders({ etag: null, lastModified: null })).toEqual({});
  });
});

describe('Content-Range', () => {
  it.each([
    ['bytes 0-99/1000', { kind: 'range', start: 0, end: 99, size: 1000 }],
    ['bytes 999-999/1000', { kind: 'range', start: 999, end: 999, size: 1000 }],
    ['bytes 0-0/1', { kind: 'range', start: 0, end: 0, size: 1 }],
    ['  BYTES\t10-19/*  ', { kind: 'range', start: 10, end: 19, size: null }],
    [
      'bytes 1234567890123456-1234567890123456/*',
      { kind: 'range', start: 1234567890123456, end: 1234567890123456, size: null },
    ],
    ['bytes */1000', { kind: 'unsatisfied', size: 1000 }],
    ['Bytes  */0', { kind: 'unsatisfied', size: 0 }],
  ])('reads %j', (value, parsed) => {
    expect(parseContentRange(value)).toEqual(parsed);
  });

  it.each([
    undefined,
    '',
    'bytes',
    'bytes 0-99',
    'bytes 0-99/',
    'bytes0-99/1000',
    'items 0-99/1000',
    'xbytes 0-99/1000',
    'bytes 0-99/1000x',
    'bytes -5-99/1000',
    'bytes 0--99/1000',
    'bytes 100-99/1000',
    'bytes 0-1000/1000',
    'bytes 5-9/5',
    'bytes */*',
    'bytes */',
    'bytes 12345678901234567-12345678901234567/*',
    'bytes 0-12345678901234567/*',
    'bytes */12345678901234567',
  ])('refuses %j', (value) => {
    expect(parseContentRange(value)).toBeUndefined();
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-10-21T07:28:00Z');

  it.each([
    ['120', 120_000],
    [' 5 ', 5_000],
    ['0', 0],
    ['1234567890', 1_234_567_890_000],
    ['Wed, 21 Oct 2026 07:30:00 GMT', 120_000],
    ['Wed, 21 Oct 2026 07:00:00 GMT', 0],
  ])('reads %j as %i ms', (value, ms) => {
    expect(retryAfterMs({ 'retry-after': value }, now)).toBe(ms);
  });

  it.each(['', '   ', '-5', '1.5', '12345678901', 'soon', '2026-10-21 07:30'])(
    'reads nothing from %j',
    (value) => {
      expect(retryAfterMs({ 'retry-after': value }, now)).toBeNull();
    },
  );

  it('reads nothing when there is none, and the first of several', () => {
    expect(retryAfterMs({}, now)).toBeNull();
    expect(retryAfterMs({ 'retry-after': ['3', '9'] }, now)).toBe(3_000);
  });

  it('counts from the present by default', () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toUTCString();
    const ms = retryAfterMs({ 'retry-after': inAnHour });
    expect(ms).toBeGreaterThan(3_000_000);
    expect(ms).toBeLessThanOrEqual(3_600_000);
  });
});

describe('Content-Length and Content-Encoding', () => {
  it.each([
    ['100', 100],
    [' 100 ', 100],
    ['0', 0],
    ['1234567890123456', 1234567890123456],
  ])('reads the length %j', (value, length) => {
    expect(contentLength({ 'content-length': value })).toBe(length);
  });

  it.each([undefined, '', 'abc', '-1', '1e3', '1.5', '10 20', '12345678901234567'])(
    'reads no length from %j',
    (value) => {
      expect(contentLength({ 'content-length': value })).toBeNull();
    },
  );

  it('reads the encoding in lower case, and identity (or none) as null', () => {
    expect(contentEncoding({ 'content-encoding': ' GZip ' })).toBe('gzip');
    expect(contentEncoding({ 'content-encoding': 'br' })).toBe('br');
    for (const value of [undefined, '', '  ', 'identity', 'IDENTITY']) {
      expect(contentEncoding({ 'content-encoding': value }), String(value)).toBeNull();
    }
  });
});

describe('Content-Type', () => {
  it('reads the media type in lower case, its parameters and the space around it dropped', () => {
    expect(mediaType({ 'content-type': ' Application/Metalink4+XML ; charset=utf-8' })).toBe(
      'application/metalink4+xml',
    );
    expect(mediaType({ 'content-type': 'application/octet-stream' })).toBe('application/octet-stream');
    for (const value of [undefined, '', '  ', '; charset=utf-8']) {
      expect(mediaType({ 'content-type': value }), String(value)).toBeNull();
    }
  });
});

describe('Content-Disposition', () => {
  it.each([
    ['attachment; filename="a b.txt"', 'a b.txt'],
    ['attachment; filename=plain.txt', 'plain.txt'],
    ['attachment; filename = plain.txt ; size=3', 'plain.txt'],
    ['ATTACHMENT; FILENAME=up.txt', 'up.txt'],
    ['attachment; filename="say \\"hi\\".txt"', 'say "hi".txt'],
    ["attachment; filename*=UTF-8''na%C3%AFve%20file.txt", 'naïve file.txt'],
    ["attachment; filename*=utf-8'en'x.txt", 'x.txt'],
    ['attachment; filename*=UTF-8\'\'"quoted.txt"', 'quoted.txt'],
    ["attachment; FILENAME* = UTF-8''spaced.txt ; x=1", 'spaced.txt'],
    ['attachment; filename="fallback.txt"; filename*=UTF-8\'\'real.txt', 'real.txt'],
    ['attachment; filename*=UTF-8\'\'%E0%A4%A; filename="fallback.txt"', 'fallback.txt'],
    ["attachment; filename*=''nocharset.txt; filename=fallback.txt", 'fallback.txt'],
    ["attachment; filename*=UTF-8'nolanguage.txt; filename=fallback.txt", 'fallback.txt'],
    ["attachment; filename*=UTF 8''bad-charset.txt; filename=fallback.txt", 'fallback.txt'],
    ['attachment; filename*=UTF-8\'\'say%20"hi".txt', 'say "hi".txt'],
    ['attachment; filename="a;b.txt"; size=3', 'a;b.txt'],
    ['attachment; filename=12in"', '12in"'],
  ])('reads the name in %j', (value, name) => {
    expect(dispositionFileName({ 'content-disposition': value })).toBe(name);
  });

  it.each([undefined, '', 'attachment', 'inline; name=x.txt', 'attachment; filename='])(
    'reads no name from %j',
    (value) => {
      expect(dispositionFileName({ 'content-disposition': value })).toBeNull();
    },
  );
});
