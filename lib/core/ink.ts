/**
 * From a grey image to an "ink map": ink bright, background ≈ 0, whatever
 * the polarity, paper colour or lighting of the original. Pure functions.
 *
 * Steps, each for a reason seen in real photos:
 * - polarity from the histogram tails (ink is the minority, background the
 *   majority, so the longer tail away from the median is the ink);
 * - background levelling with a coarse grid of low percentiles, which removes
 *   shadows and light gradients but survives ink covering most of a cell;
 * - a noise estimate (median absolute deviation of neighbour differences), so
 *   thresholds scale with the noise and pure-noise images can be refused.
 */
import type { GreyImage } from "./image_types.ts";
import { scratchFloat32 } from "./scratch.ts";

/** The levelled ink image and the statistics derived on the way. */
export interface InkMap {
  /** Ink intensity ≥ 0, background ≈ 0 (not clamped to 1). */
  ink: GreyImage;
  /** True when the ink was darker than the background (the usual photo). */
  inverted: boolean;
  /** Robust peak ink intensity (99.9th percentile of `ink`). */
  peak: number;
  /** Estimated per-pixel noise standard deviation of `ink`. */
  noise: number;
}

const BINS = 1024;

/** Counts `v` (in [lo, lo + span]) into a `BINS`-bin histogram, clamping outliers to the end bins. */
function bin(hist: Uint32Array, v: number, lo: number, span: number): void {
  const b = ((v - lo) / span) * BINS;
  // Truncation is the floor on (0, BINS − 1) and cheaper; NaN, as before, counts nowhere.
  if (b > 0 && b < BINS - 1) hist[b | 0]++;
  else if (b >= BINS - 1) hist[BINS - 1]++;
  else if (b <= 0) hist[0]++;
}

/** Value at quantile `q` of the `n` values counted in `hist` (bin centre). */
function histQuantile(hist: Uint32Array, n: number, q: number, lo: number, span: number): number {
  const target = q * (n - 1);
  let acc = 0;
  for (let b = 0; b < BINS; b++) {
    acc += hist[b];
    if (acc > target) return lo + ((b + 0.5) / BINS) * span;
  }
  return lo + span;
}

/** Value at quantile `q` (0–1) of `data`, via a 1024-bin histogram over [lo, hi]. */
export function quantile(data: Float32Array, q: number, lo = 0, hi = 1): number {
  const hist = new Uint32Array(BINS);
  const span = hi - lo || 1;
  for (let i = 0; i < data.length; i++) bin(hist, data[i], lo, span);
  return histQuantile(hist, data.length, q, lo, span);
}

/** Horizontal half of `blur3`: each row averaged over x−1, x, x+1 (edges clamped). */
function blurRows(data: Float32Array, w: number, h: number): Float32Array {
  const tmp = scratchFloat32(w * h, false);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    if (w === 1) {
      tmp[r] = (data[r] + data[r] + data[r]) / 3;
      continue;
    }
    tmp[r] = (data[r] + data[r] + data[r + 1]) / 3;
    for (let x = 1; x < w - 1; x++) {
      tmp[r + x] = (data[r + x - 1] + data[r + x] + data[r + x + 1]) / 3;
    }
    tmp[r + w - 1] = (data[r + w - 2] + data[r + w - 1] + data[r + w - 1]) / 3;
  }
  return tmp;
}

/** 3×3 box blur (edges clamped), separable: suppresses single-pixel noise for statistics. */
export function blur3(src: GreyImage): GreyImage {
  const { width: w, height: h } = src;
  const tmp = blurRows(src.data, w, h);
  const out = scratchFloat32(w * h, false);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : y) * w, down = (y + 1 < h ? y + 1 : y) * w, r = y * w;
    for (let x = 0; x < w; x++) out[r + x] = (tmp[up + x] + tmp[r + x] + tmp[down + x]) / 3;
  }
  return { width: w, height: h, data: out };
}

/**
 * True when the ink is darker than the background.
 *
 * Photos and scans (short side ≥ 64 px): ink is the minority, so compare how
 * far the extreme tails of the (slightly blurred) histogram reach from the
 * median; this survives a dark table around the page. Tight crops (smaller):
 * a bold digit can cover half the frame, its border, or two corners (a
 * slanted 1), so no single cue is safe; three votes are summed, each the
 * share of dark pixels minus one half: over the whole image, its border and
 * its corners. Mostly dark means a dark background, so light ink.
 */
export function inkIsDark(grey: GreyImage): boolean {
  const { width: w, height: h, data } = grey;
  if (Math.min(w, h) < 64) {
    const mid = (quantile(data, 0.01) + quantile(data, 0.99)) / 2;
    const k = Math.max(1, Math.floor(Math.min(w, h) / 8));
    let all = 0, border = 0, nBorder = 0, corner = 0, nCorner = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const dark = data[y * w + x] < mid ? 1 : 0;
        all += dark;
        if (x === 0 || y === 0 || x === w - 1 || y === h - 1) {
          border += dark;
          nBorder++;
        }
        if ((x < k || x >= w - k) && (y < k || y >= h - k)) {
          corner += dark;
          nCorner++;
        }
      }
    }
    const score = all / (w * h) + border / nBorder + corner / nCorner - 1.5;
    return score < 0;
  }
  // blur3's vertical pass goes straight into one histogram (the blurred
  // image itself is never needed), and the three quantiles are read off it.
  const tmp = blurRows(data, w, h);
  const hist = new Uint32Array(BINS);
  for (let y = 0; y < h; y++) {
    const up = (y > 0 ? y - 1 : y) * w, down = (y + 1 < h ? y + 1 : y) * w, r = y * w;
    for (let x = 0; x < w; x++) {
      bin(hist, Math.fround((tmp[up + x] + tmp[r + x] + tmp[down + x]) / 3), 0, 1);
    }
  }
  const n = w * h;
  const tail = Math.min(0.002, 3 / n);
  const median = histQuantile(hist, n, 0.5, 0, 1);
  const dark = median - histQuantile(hist, n, tail, 0, 1);
  const light = histQuantile(hist, n, 1 - tail, 0, 1) - median;
  return dark > light;
}

/**
 * The background of an image where ink is bright, as a coarse grid: the 10th
 * percentile of each cell (small images: one cell). `level(x, y)` spreads it
 * by bilinear interpolation.
 */
interface BackgroundGrid {
  /** Level per cell, row-major, `gw`×`gh`. */
  safe: Float32Array;
  gw: number;
  gh: number;
  cell: number;
}

function backgroundGrid(v: GreyImage): BackgroundGrid | number {
  const { width: w, height: h, data } = v;
  const short = Math.min(w, h);
  if (short < 64) return quantile(data, 0.1);
  const cell = Math.max(8, Math.round(short / 8));
  const gw = Math.ceil(w / cell), gh = Math.ceil(h / cell);
  const grid = new Float32Array(gw * gh);
  const hist = new Uint32Array(BINS);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x0 = gx * cell, y0 = gy * cell;
      const x1 = Math.min(w, x0 + cell), y1 = Math.min(h, y0 + cell);
      // Every other pixel in both directions is plenty for a percentile.
      hist.fill(0);
      let k = 0;
      for (let y = y0; y < y1; y += 2) {
        for (let x = x0; x < x1; x += 2, k++) bin(hist, data[y * w + x], 0, 1);
      }
      grid[gy * gw + gx] = histQuantile(hist, k, 0.1, 0, 1);
    }
  }
  // A cell entirely inside a thick stroke reports ink as background. Such a
  // cell stands out from most of its neighbours, so it takes their minimum
  // instead. A cell like most of its neighbours keeps its own level: that is
  // a shadow or a dark table around the page, which should level out.
  const safe = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const own = grid[gy * gw + gx];
      let m = Infinity, similar = 0, n = 0;
      for (let yy = Math.max(0, gy - 1); yy <= Math.min(gh - 1, gy + 1); yy++) {
        for (let xx = Math.max(0, gx - 1); xx <= Math.min(gw - 1, gx + 1); xx++) {
          if (xx === gx && yy === gy) continue;
          const g = grid[yy * gw + xx];
          m = Math.min(m, g);
          n++;
          if (g > own - 0.1) similar++;
        }
      }
      safe[gy * gw + gx] = similar >= n / 2 ? own : Math.min(own, m + 0.05);
    }
  }
  return { safe, gw, gh, cell };
}

/**
 * Calls `row(y, levels)` for each row with the background levels of that row
 * (float32, as a stored level would be), interpolating the grid bilinearly.
 */
function eachBackgroundRow(
  grid: BackgroundGrid | number,
  w: number,
  h: number,
  row: (y: number, levels: Float32Array) => void,
): void {
  const levels = new Float32Array(w);
  if (typeof grid === "number") {
    levels.fill(grid);
    for (let y = 0; y < h; y++) row(y, levels);
    return;
  }
  const { safe, gw, gh, cell } = grid;
  // The horizontal interpolation weights are the same on every row.
  const cx0 = new Int32Array(w), cx1 = new Int32Array(w);
  const tx = new Float64Array(w), rx = new Float64Array(w);
  for (let x = 0; x < w; x++) {
    const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
    cx0[x] = Math.floor(fx);
    cx1[x] = Math.min(gw - 1, cx0[x] + 1);
    tx[x] = fx - cx0[x];
    rx[x] = 1 - tx[x];
  }
  // So is each grid row interpolated across: done once per grid row, not per image row.
  const across: Float64Array[] = [];
  const acrossRow = (gy: number) => {
    if (across[gy]) return across[gy];
    const line = across[gy] = new Float64Array(w), r = gy * gw;
    for (let x = 0; x < w; x++) line[x] = safe[r + cx0[x]] * rx[x] + safe[r + cx1[x]] * tx[x];
    return line;
  };
  for (let y = 0; y < h; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(gh - 1, y0 + 1), ty = fy - y0, ry = 1 - ty;
    const top = acrossRow(y0), bottom = acrossRow(y1);
    for (let x = 0; x < w; x++) levels[x] = top[x] * ry + bottom[x] * ty;
    row(y, levels);
  }
}

/**
 * Background level per pixel for an image where ink is bright: the 10th
 * percentile of each cell of a coarse grid, spread by bilinear interpolation.
 * Small images (under 64 px on the short side) get one global level.
 */
export function backgroundLevel(v: GreyImage): Float32Array {
  const { width: w, height: h } = v;
  const out = new Float32Array(w * h);
  eachBackgroundRow(backgroundGrid(v), w, h, (y, levels) => out.set(levels, y * w));
  return out;
}

/**
 * Noise standard deviation from horizontal and vertical neighbour
 * differences: 1.4826 × MAD / √2 is the Gaussian σ, and strokes barely move
 * the median since most differences lie in flat areas.
 */
export function estimateNoise(v: GreyImage): number {
  const { width: w, height: h, data } = v;
  // Large images: every other row and column is plenty for a median.
  const step = w * h > 100_000 ? 2 : 1;
  const hist = new Uint32Array(BINS);
  let k = 0;
  for (let y = 0; y < h; y += step) {
    for (let x = 0; x < w; x += step) {
      const i = y * w + x;
      // Rounded to float32 as a stored difference would be, so the bins match.
      if (x + 1 < w) {
        bin(hist, Math.fround(Math.abs(data[i + 1] - data[i])), 0, 1);
        k++;
      }
      if (y + 1 < h) {
        bin(hist, Math.fround(Math.abs(data[i + w] - data[i])), 0, 1);
        k++;
      }
    }
  }
  if (k === 0) return 0;
  return (1.4826 * histQuantile(hist, k, 0.5, 0, 1)) / Math.SQRT2;
}

/** Builds the ink map of a grey image (values in [0, 1]). */
export function inkMap(grey: GreyImage): InkMap {
  const inverted = inkIsDark(grey);
  const { width: w, height: h } = grey;
  const n = w * h;
  const v = scratchFloat32(n, false);
  const g = grey.data;
  if (inverted) { for (let i = 0; i < n; i++) v[i] = 1 - g[i]; }
  else v.set(g);
  let ink: GreyImage = { width: w, height: h, data: v };
  const rawNoise = estimateNoise(ink);
  let noise = rawNoise;
  // Grainy photos (dim light, high ISO): average the grain away before
  // levelling and thresholding; strokes are wider than a pixel and survive a
  // 3×3 mean. The noise left is computed, not measured: blurred noise is
  // smooth, so neighbour differences would understate it and let pure noise
  // through. For white noise one 3×3 mean leaves σ/3, two leave 0.235σ.
  const left = [1, 1 / 3, 0.235];
  for (let pass = 1; pass <= 2 && noise > 0.04 && Math.min(w, h) >= 64; pass++) {
    ink = blur3(ink);
    noise = rawNoise * left[pass];
  }
  // Levelling and the peak's histogram in one pass over the pixels.
  const d = ink.data;
  const hist = new Uint32Array(BINS);
  eachBackgroundRow(backgroundGrid(ink), w, h, (y, levels) => {
    const r = y * w;
    for (let x = 0; x < w; x++) {
      const i = r + x;
      const value = d[i] - levels[x];
      d[i] = value > 0 ? value : 0;
      bin(hist, d[i], 0, 1);
    }
  });
  const tail = Math.min(0.001, 3 / n);
  return { ink, inverted, peak: histQuantile(hist, n, 1 - tail, 0, 1), noise };
}
