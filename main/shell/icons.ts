/**
 * Tray and app icons, drawn in code (signed distances, 4×4 supersampled) and encoded as PNG:
 * nothing to download, every state and scale generated the same way on every OS.
 *
 * The mark is two arcs between two dots — several paths between the same two ends. States:
 * ok (plain), degraded (a weak-signal badge: one bar lit of three), cellular (signal bars badge),
 * offline (faded, struck through), near-cap ("!" badge), at-cap (a bar in the badge). Template
 * images (macOS menu bar) are black with alpha, so the OS tints them; the colour versions
 * (Windows, Linux) add colour to the same shapes.
 */
import type { TrayStatus } from './trayState.ts';
import { encodePng } from './png.ts';

type Rgb = [number, number, number];
type Shape = (x: number, y: number) => number; // signed distance in 16-unit icon space

const COLOURS: Record<TrayStatus, Rgb> = {
  ok: [47, 98, 240],
  degraded: [202, 138, 4],
  cellular: [217, 119, 6],
  offline: [120, 128, 142],
  'near-cap': [224, 69, 58],
  'at-cap': [224, 69, 58],
};

function segment(ax: number, ay: number, bx: number, by: number, r: number): Shape {
  return (x, y) => {
    const px = x - ax;
    const py = y - ay;
    const dx = bx - ax;
    const dy = by - ay;
    const h = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy || 1)));
    return Math.hypot(px - dx * h, py - dy * h) - r;
  };
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => Math.hypot(x - cx, y - cy) - r;
}

function union(...shapes: Shape[]): Shape {
  return (x, y) => Math.min(...shapes.map((s) => s(x, y)));
}

/** A quadratic arc from (ax,ay) to (bx,by) bulging through (mx,my), as a chain of capsules. */
function arc(ax: number, ay: number, mx: number, my: number, bx: number, by: number, r: number): Shape {
  const parts: Shape[] = [];
  const point = (t: number): [number, number] => {
    // Control point chosen so the curve passes through (mx, my) at t = 0.5.
    const cx = 2 * mx - (ax + bx) / 2;
    const cy = 2 * my - (ay + by) / 2;
    const u = 1 - t;
    return [u * u * ax + 2 * u * t * cx + t * t * bx, u * u * ay + 2 * u * t * cy + t * t * by];
  };
  const steps = 16;
  for (let i = 0; i < steps; i++) {
    const [x0, y0] = point(i / steps);
    const [x1, y1] = point((i + 1) / steps);
    parts.push(segment(x0, y0, x1, y1, r));
  }
  return union(...parts);
}

interface Layer {
  shape: Shape;
  rgb: Rgb;
  alpha: number;
  /** Clear what is under this shape (plus a margin) before drawing, so badges stand apart. */
  knockout?: number;
}

function render(size: number, layers: Layer[]): Uint8Array {
  const out = new Float32Array(size * size * 4);
  const scale = 16 / size;
  const samples = 4;
  for (const layer of layers) {
    for (let py = 0; py < size; py++) {
      for (let px = 0; px < size; px++) {
        let cover = 0;
        let clear = 0;
        for (let sy = 0; sy < samples; sy++) {
          for (let sx = 0; sx < samples; sx++) {
            const x = (px + (sx + 0.5) / samples) * scale;
            const y = (py + (sy + 0.5) / samples) * scale;
            const d = layer.shape(x, y);
            if (d <= 0) cover++;
            if (layer.knockout !== undefined && d <= layer.knockout) clear++;
          }
        }
        const i = (py * size + px) * 4;
        if (clear > 0) out[i + 3] = (out[i + 3] ?? 0) * (1 - clear / (samples * samples));
        const a = (cover / (samples * samples)) * layer.alpha;
        if (a <= 0) continue;
        const under = out[i + 3] ?? 0;
        const total = a + under * (1 - a);
        for (let c = 0; c < 3; c++) {
          const mixed = ((layer.rgb[c] ?? 0) * a + (out[i + c] ?? 0) * under * (1 - a)) / total;
          out[i + c] = mixed;
        }
        out[i + 3] = total;
      }
    }
  }
  const bytes = new Uint8Array(size * size * 4);
  for (let i = 0; i < out.length; i += 4) {
    bytes[i] = Math.round(out[i] ?? 0);
    bytes[i + 1] = Math.round(out[i + 1] ?? 0);
    bytes[i + 2] = Math.round(out[i + 2] ?? 0);
    bytes[i + 3] = Math.round((out[i + 3] ?? 0) * 255);
  }
  return bytes;
}

function mark(stroke: number): Shape {
  return union(
    arc(3, 8, 8, 3.6, 13, 8, stroke),
    arc(3, 8, 8, 12.4, 13, 8, stroke),
    circle(3, 8, 1.9),
    circle(13, 8, 1.9),
  );
}

/** RGBA pixels of the tray icon for a state at a pixel size (16, 32, …). */
export function trayIconPixels(status: TrayStatus, size: number, template: boolean): Uint8Array {
  const ink: Rgb = template ? [0, 0, 0] : COLOURS[status];
  const layers: Layer[] = [];
  const glyph = mark(0.85);
  if (status === 'offline') {
    layers.push({ shape: glyph, rgb: ink, alpha: template ? 0.45 : 0.75 });
    layers.push({ shape: segment(2.5, 14, 13.5, 2, 0.85), rgb: ink, alpha: 1, knockout: 1.2 });
  } else {
    layers.push({ shape: glyph, rgb: template ? ink : COLOURS.ok, alpha: 1 });
  }
  if (status === 'cellular') {
    const bars = union(
      segment(10.6, 15, 10.6, 13.6, 0.6),
      segment(12.6, 15, 12.6, 12.2, 0.6),
      segment(14.6, 15, 14.6, 10.8, 0.6),
    );
    layers.push({ shape: bars, rgb: ink, alpha: 1, knockout: 1.1 });
  }
  if (status === 'degraded') {
    // Where cellular shows three bars, a weak path shows one lit and two faint: "weak signal".
    const lit = segment(10.6, 15, 10.6, 13.6, 0.6);
    const unlit = union(segment(12.6, 15, 12.6, 12.2, 0.6), segment(14.6, 15, 14.6, 10.8, 0.6));
    // The room for all three is cleared first, so one bar's margin never cuts into the next.
    layers.push({ shape: union(lit, unlit), rgb: ink, alpha: 0, knockout: 1.1 });
    layers.push({ shape: lit, rgb: ink, alpha: 1 });
    layers.push({ shape: unlit, rgb: ink, alpha: 0.35 });
  }
  if (status === 'near-cap') {
    const badge = circle(12.4, 12.4, 3.6);
    layers.push({ shape: badge, rgb: ink, alpha: 1, knockout: 0.9 });
    // The "!" is cut out of the badge so it reads on any menu bar.
    const bang = union(segment(12.4, 10.3, 12.4, 12.6, 0.55), circle(12.4, 14.3, 0.6));
    layers.push({
      shape: bang,
      rgb: template ? [0, 0, 0] : [255, 255, 255],
      alpha: template ? 0 : 1,
      knockout: 0,
    });
  }
  if (status === 'at-cap') {
    // A cap reached: the badge holds a bar ("full, no further") where near-cap's holds a "!".
    layers.push({ shape: circle(12.4, 12.4, 3.6), rgb: ink, alpha: 1, knockout: 0.9 });
    layers.push({
      shape: segment(10.7, 12.4, 14.1, 12.4, 0.6),
      rgb: template ? [0, 0, 0] : [255, 255, 255],
      alpha: template ? 0 : 1,
      knockout: 0,
    });
  }
  return render(size, layers);
}

export function trayIconPng(status: TrayStatus, size: number, template: boolean): Buffer {
  return encodePng(size, size, trayIconPixels(status, size, template));
}

/** The app icon (installers, window, dock): the mark in white on a blue rounded square. */
export function appIconPng(size: number): Buffer {
  const rounded: Shape = (x, y) => {
    const r = 3.4;
    const qx = Math.abs(x - 8) - (8 - 0.6 - r);
    const qy = Math.abs(y - 8) - (8 - 0.6 - r);
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
  };
  const inset: Shape = (x, y) => mark(0.8)(8 + (x - 8) / 0.72, 8 + (y - 8) / 0.72) * 0.72;
  return encodePng(
    size,
    size,
    render(size, [
      { shape: rounded, rgb: [47, 98, 240], alpha: 1 },
      { shape: inset, rgb: [255, 255, 255], alpha: 1 },
    ]),
  );
}

export const TRAY_STATUSES: readonly TrayStatus[] = [
  'ok',
  'degraded',
  'cellular',
  'offline',
  'near-cap',
  'at-cap',
];
