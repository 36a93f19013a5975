/**
 * Test helper: digits drawn from strokes as dark ink on white paper, with a
 * little jitter per copy, the way one person writes the same digit again and
 * again. Used to simulate a writer with a style of their own.
 */
import { encode } from "fast-png";

/** A stroke: points in a 0–100 box, joined by straight segments. */
export type Strokes = [number, number][][];

/** An 8 written like a digital display's: a box with a bar across. The stock model reads a 0. */
export const BOXY_EIGHT: Strokes = [
  [[30, 10], [70, 10], [70, 50], [30, 50], [30, 10]],
  [[30, 50], [30, 95], [70, 95], [70, 50]],
];

/** Grey pixels (0 = ink, 255 = paper) of `strokes`, jittered by `random`, on a `size` square. */
export function drawStrokes(strokes: Strokes, random: () => number, size = 120, pen = 7) {
  const grey = new Uint8Array(size * size).fill(255);
  const j = () => (random() - 0.5) * 6;
  const scale = (size - 20) / 100;
  for (const stroke of strokes) {
    const pts = stroke.map(([x, y]) => [10 + (x + j()) * scale, 10 + (y + j()) * scale]);
    for (let k = 1; k < pts.length; k++) {
      const [ax, ay] = pts[k - 1], [bx, by] = pts[k];
      const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy || 1;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
          const d = Math.hypot(x - ax - t * dx, y - ay - t * dy);
          const ink = Math.max(0, Math.min(1, pen / 2 + 0.5 - d));
          grey[y * size + x] = Math.min(grey[y * size + x], Math.round(255 * (1 - ink)));
        }
      }
    }
  }
  return { width: size, height: size, data: grey, channels: 1 as const };
}

/** `drawStrokes` as PNG bytes. */
export function strokesPng(strokes: Strokes, random: () => number): Uint8Array {
  const g = drawStrokes(strokes, random);
  return encode({ width: g.width, height: g.height, data: g.data, channels: 1, depth: 8 });
}

/** Corners of a digital display's segments, in the 0–100 box. */
const P: Record<string, [number, number]> = {
  tl: [30, 10],
  tr: [70, 10],
  ml: [30, 50],
  mr: [70, 50],
  bl: [30, 95],
  br: [70, 95],
};
const path = (...names: string[]): [number, number][] => names.map((n) => P[n]);

/** Every digit written like a digital display's (straight segments, square corners). */
export const BOXY_DIGITS: Strokes[] = [
  [path("tl", "tr", "br", "bl", "tl")],
  [path("tr", "br")],
  [path("tl", "tr", "mr", "ml", "bl", "br")],
  [path("tl", "tr", "br", "bl"), path("ml", "mr")],
  [path("tl", "ml", "mr"), path("tr", "br")],
  [path("tr", "tl", "ml", "mr", "br", "bl")],
  [path("tr", "tl", "bl", "br", "mr", "ml")],
  [path("tl", "tr", "br")],
  BOXY_EIGHT,
  [path("mr", "ml", "tl", "tr", "br", "bl")],
];
