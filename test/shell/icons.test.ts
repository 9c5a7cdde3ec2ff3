import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { TRAY_STATUSES, trayIconPixels, trayIconPng } from '../../main/shell/icons.ts';
import { encodePng } from '../../main/shell/png.ts';

function decode(png: Buffer): { width: number; height: number; colourType: number; pixels: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  let colourType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colourType = data[9] ?? 0;
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  return { width, height, colourType, pixels: inflateSync(Buffer.concat(idat)) };
}

describe('tray icons', () => {
  it('encode as real RGBA PNGs at 16 and 32 px', () => {
    for (const size of [16, 32]) {
      const png = decode(trayIconPng('ok', size, false));
      expect([png.width, png.height, png.colourType]).toEqual([size, size, 6]);
      expect(png.pixels.length).toBe(size * (size * 4 + 1));
    }
  });

  it('look different for every state', () => {
    const looks = new Set(
      TRAY_STATUSES.map((s) => Buffer.from(trayIconPixels(s, 32, false)).toString('base64')),
    );
    expect(looks.size).toBe(TRAY_STATUSES.length);
    const templates = new Set(
      TRAY_STATUSES.map((s) => Buffer.from(trayIconPixels(s, 32, true)).toString('base64')),
    );
    expect(templates.size).toBe(TRAY_STATUSES.length);
  });

  it('draw macOS template images in black with alpha only', () => {
    for (const status of TRAY_STATUSES) {
      const px = trayIconPixels(status, 32, true);
      for (let i = 0; i < px.length; i += 4) expect([px[i], px[i + 1], px[i + 2]]).toEqual([0, 0, 0]);
      expect(px.some((v, i) => i % 4 === 3 && v > 200)).toBe(true);
    }
  });

  it('match the files shipped in build/tray (run scripts/make-icons.ts after changing the art)', () => {
    for (const status of TRAY_STATUSES) {
      const file = readFileSync(new URL(`../../build/tray/tray-${status}Template@2x.png`, import.meta.url));
      expect(file.equals(trayIconPng(status, 32, true))).toBe(true);
    }
    const app = decode(readFileSync(new URL('../../build/icon.png', import.meta.url)));
    expect([app.width, app.height]).toEqual([512, 512]);
  });

  it('refuses a pixel buffer of the wrong size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(3))).toThrow(/does not match/);
  });
});
