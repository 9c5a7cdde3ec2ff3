import { describe, expect, it } from 'vitest';
import { nameFromUrl, safeFileName } from '../../main/engine/SafeFileName.ts';

describe('safe file names', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\system32\\evil.dll', 'evil.dll'],
    ['.bashrc', 'bashrc'],
    ['..', 'download'],
    ['', 'download'],
    ['a\u0000b\u001bc.txt', 'abc.txt'],
    ['what?<>|*:".txt', 'what_______.txt'],
    ['CON', '_CON'],
    ['nul.txt', '_nul.txt'],
    ['trailing. . ', 'trailing'],
    ['-rf', 'rf'],
  ])('reduces %j to %j', (input, expected) => {
    expect(safeFileName(input)).toBe(expected);
  });

  it('keeps long names within 200 bytes and keeps the extension', () => {
    const name = safeFileName(`${'é'.repeat(300)}.tar.gz`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name.endsWith('.gz')).toBe(true);
  });

  it('takes the decoded last segment of a URL', () => {
    expect(nameFromUrl('https://example.test/a/b/My%20File.iso?x=1')).toBe('My File.iso');
    expect(nameFromUrl('https://example.test/')).toBeNull();
  });
});
