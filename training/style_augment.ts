/**
 * Writing styles that MNIST, collected from American writers, hardly has:
 * the continental 7 with a bar across its stem, the continental 1 with a
 * long up-stroke and the slashed 0 of engineers and programmers. Much of the
 * world writes them, and without them the model reads a barred 7 as a 2, a
 * flagged 1 as a 7 and a slashed 0 as an 8. Each is drawn onto a real MNIST
 * 7, 1 or 0 before the usual augmentation, so it gets slanted, scaled and
 * thickened along with the digit.
 */
import type { Rng } from "../lib/core/random.ts";
import { strokeWidth } from "../lib/core/mnist_frame.ts";

const SIZE = 28;

/** The digits that have another writing style here: 0 (slashed), 1 (flagged), 7 (barred). */
export function hasWritingStyle(label: number): boolean {
  return label === 0 || label === 1 || label === 7;
}

/** Probability that a 7 gets a bar, a 1 a flag and a 0 a slash (default). */
export const DEFAULT_STYLE_P = 0.3;

/** Ink bounding box (values > 0.3) and, per row, the mean x of the ink. */
function inkGeometry(img: Float32Array) {
  let x0 = SIZE, y0 = SIZE, x1 = -1, y1 = -1;
  const rowX = new Float32Array(SIZE).fill(NaN);
  for (let y = 0; y < SIZE; y++) {
    let m = 0, sx = 0;
    for (let x = 0; x < SIZE; x++) {
      const v = img[y * SIZE + x];
      if (v <= 0.3) continue;
      m += v, sx += v * x;
      x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
    }
    if (m > 0) rowX[y] = sx / m;
  }
  return { x0, y0, x1, y1, rowX };
}

/** Draws an anti-aliased stroke of width `w` from (ax, ay) to (bx, by), keeping brighter ink. */
function paintLine(
  img: Float32Array,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  w: number,
): void {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy || 1;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
      const d = Math.hypot(x - ax - t * dx, y - ay - t * dy);
      const v = Math.max(0, Math.min(1, w / 2 + 0.5 - d));
      if (v > img[y * SIZE + x]) img[y * SIZE + x] = v;
    }
  }
}

/**
 * A variant of `digit` (784 floats in [0, 1]) in another writing style, with
 * probability `p`: a 7 gets a bar across the stem (at 40–70 % of the
 * height), a 1 an up-stroke from the top going down-left, a 0 a slash from
 * bottom left to top right. Other digits, and the unlucky draws, come back
 * as `digit` itself; a new array otherwise.
 */
export function writingStyleVariant(
  digit: Float32Array,
  label: number,
  rng: Rng,
  p = DEFAULT_STYLE_P,
): Float32Array {
  if (!hasWritingStyle(label) || rng() >= p) return digit;
  const g = inkGeometry(digit);
  if (g.x1 < 0) return digit;
  const h = g.y1 - g.y0 + 1;
  const out = digit.slice();
  const w = Math.max(1.2, Math.min(3.5, strokeWidth({ width: SIZE, height: SIZE, data: digit })));
  if (label === 7) {
    const y = Math.round(g.y0 + (0.4 + 0.3 * rng()) * h);
    const cx = Number.isNaN(g.rowX[y]) ? (g.x0 + g.x1) / 2 : g.rowX[y];
    const half = (0.18 + 0.14 * rng()) * h;
    const tilt = (rng() - 0.5) * 0.2 * half;
    paintLine(out, cx - half, y + tilt, cx + half, y - tilt, w);
  } else if (label === 0) {
    const bw = g.x1 - g.x0 + 1;
    const reach = 0.1 * rng(); // from inside the ring to a little beyond it
    paintLine(
      out,
      g.x0 + (0.15 - reach) * bw,
      g.y1 - (0.1 - reach) * h,
      g.x1 - (0.15 - reach) * bw,
      g.y0 + (0.1 - reach) * h,
      w,
    );
  } else {
    const top = g.y0;
    const cx = Number.isNaN(g.rowX[top]) ? (g.x0 + g.x1) / 2 : g.rowX[top];
    const len = (0.25 + 0.2 * rng()) * h;
    const angle = (35 + 30 * rng()) * Math.PI / 180; // below the horizontal, to the left
    paintLine(out, cx, top, cx - len * Math.cos(angle), top + len * Math.sin(angle), w);
  }
  return out;
}
