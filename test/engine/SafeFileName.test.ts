import { describe, expect, it } from 'vitest';
import { countStringWork } from './stringWork.ts';
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
    // Windows reads superscript digits as port numbers too, and has console devices.
    ['COM\u00b9', '_COM\u00b9'],
    ['lpt\u00b3.txt', '_lpt\u00b3.txt'],
    ['Com\u00b2.tar.gz', '_Com\u00b2.tar.gz'],
    ['CONIN$', '_CONIN$'],
    ['conout$.log', '_conout$.log'],
    ['CON .txt', '_CON .txt'],
    ['COM10', 'COM10'],
    ['CONINX', 'CONINX'],
    ['console.log', 'console.log'],
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

describe('safe file names: a long Content-Disposition name', () => {
  // Work, not time: characters the string iterator hands out plus characters Buffer.byteLength
  // measures. Cutting a name one character at a time, measuring it again each time, is quadratic.
  it.each([
    ['two-byte characters', 'é'],
    ['four-byte characters', '😀'],
    ['ASCII', 'a'],
  ])('is cut to size in one linear pass (%s)', (_, unit) => {
    for (const count of [2_000, 20_000]) {
      const suggested = `${unit.repeat(count)}.iso`;
      let name = '';
      const work = countStringWork(() => {
        name = safeFileName(suggested);
      });
      expect(work).toBeLessThanOrEqual(4 * suggested.length);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
      expect(name.endsWith('.iso')).toBe(true);
      expect(name.startsWith(unit.repeat(10))).toBe(true);
    }
  });

  it('never splits a character, and ends on neither a dot nor a space after the cut', () => {
    const name = safeFileName(`${'ab. '.repeat(60)}${'x'.repeat(150)}`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(200);
    expect(name).not.toMatch(/[.\s]$/);
    expect(safeFileName(`${'😀'.repeat(80)}`)).toBe('😀'.repeat(50));
  });
});
