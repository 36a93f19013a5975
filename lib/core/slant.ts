/**
 * Slanted (italic) writing: its slant estimated from the ink, and the
 * working image sheared upright. In a slanted number the digits overlap in
 * x (the foot of a leaning 1 reaches under the 2 beside it), so they group
 * into one shape that no vertical cut can split; upright, they stand apart.
 */
import type { GreyImage } from "./image_types.ts";
import type { Turned } from "./rotate.ts";

/** Steepest slant tried, in degrees either way. */
const MAX_SLANT = 45;
/** Step between the slants tried, in degrees. */
const STEP = 2.5;

/**
 * The slant of the ink pixels listed in `xs`/`ys` (degrees, positive when
 * the writing leans right, i.e. its tops are further right than its feet):
 * the shear that makes the vertical projection sharpest. Upright strokes
 * stack their pixels in few columns, so the sum of the squared column
 * counts peaks at the shear that stands the strokes up (the classic
 * projection-profile slant estimate). 0 for no ink.
 */
export function estimateSlant(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return 0;
  let cy = 0, minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    cy += ys[i];
    minX = Math.min(minX, xs[i]), maxX = Math.max(maxX, xs[i]);
    minY = Math.min(minY, ys[i]), maxY = Math.max(maxY, ys[i]);
  }
  cy /= n;
  const reach = Math.ceil(Math.tan((MAX_SLANT * Math.PI) / 180) * (maxY - minY + 1)) + 2;
  const columns = new Float64Array(maxX - minX + 1 + 2 * reach);
  let best = 0, bestScore = -1;
  for (let deg = -MAX_SLANT; deg <= MAX_SLANT + 1e-9; deg += STEP) {
    const t = Math.tan((deg * Math.PI) / 180);
    columns.fill(0);
    for (let i = 0; i < n; i++) {
      columns[Math.round(xs[i] - minX + reach + t * (ys[i] - cy))]++;
    }
    let score = 0;
    for (let c = 0; c < columns.length; c++) score += columns[c] * columns[c];
    // Ties go to the smaller slant: no shear unless it sharpens the projection.
    if (score > bestScore * (1 + 1e-9) || (score >= bestScore && Math.abs(deg) < Math.abs(best))) {
      best = deg, bestScore = Math.max(score, bestScore);
    }
  }
  return best;
}

/**
 * `img` sheared so writing leaning right by `degrees` stands upright
 * (x' = x + tan(degrees)·(y − centre)), bilinear along each row, onto a
 * canvas just wide enough; uncovered corners get the image's median value,
 * so they read as paper. Boxes found in it map back by `back`.
 */
export function shearGrey(img: GreyImage, degrees: number): Turned {
  const { width: w, height: h, data } = img;
  const t = Math.tan((degrees * Math.PI) / 180);
  const extra = Math.ceil(Math.abs(t) * h / 2);
  const nw = w + 2 * extra;
  const sorted = Float32Array.from(data).sort();
  const paper = sorted[sorted.length >> 1];
  const out = new Float32Array(nw * h);
  const cy = h / 2;
  for (let y = 0; y < h; y++) {
    // Output x (pixel centre) → source x: x − extra − t·(y − cy).
    const shift = extra + t * (y + 0.5 - cy);
    for (let x = 0; x < nw; x++) {
      const s = x - shift;
      const x0 = Math.floor(s), f = s - x0;
      const a = x0 >= 0 && x0 < w ? data[y * w + x0] : paper;
      const b = x0 + 1 >= 0 && x0 + 1 < w ? data[y * w + x0 + 1] : paper;
      out[y * nw + x] = a * (1 - f) + b * f;
    }
  }
  const back = (b: { x0: number; y0: number; x1: number; y1: number }) => {
    const xs = [b.y0, b.y1].flatMap((y) => [b.x0, b.x1].map((x) => x - extra - t * (y - cy)));
    return {
      x0: Math.max(0, Math.min(...xs)),
      y0: Math.max(0, b.y0),
      x1: Math.min(w, Math.max(...xs)),
      y1: Math.min(h, b.y1),
    };
  };
  return { image: { width: nw, height: h, data: out }, back };
}
