/**
 * The straightforward versions of the preprocessing stages that were made
 * faster (toGrey, inkMap, maxFilter), as they were before: the fast ones
 * must give bit-identical outputs (lib/core/fast_stages_test.ts). Kept only
 * for that comparison; the app never imports this.
 */
import type { GreyImage, RasterImage } from "../../lib/core/image_types.ts";
import {
  channelsOf,
  makeTaps,
  transparentBackground,
  verticalPass,
} from "../../lib/core/resample.ts";
import { inkIsDark as smallImageInkIsDark, type InkMap } from "../../lib/core/ink.ts";

/** Value at quantile `q` (0–1) of `data`, via a 1024-bin histogram over [lo, hi]. */
function quantile(data: Float32Array, q: number, lo = 0, hi = 1): number {
  const bins = 1024;
  const hist = new Uint32Array(bins);
  const span = hi - lo || 1;
  for (let i = 0; i < data.length; i++) {
    let b = Math.floor(((data[i] - lo) / span) * bins);
    if (b < 0) b = 0;
    else if (b >= bins) b = bins - 1;
    hist[b]++;
  }
  const target = q * (data.length - 1);
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    acc += hist[b];
    if (acc > target) return lo + ((b + 0.5) / bins) * span;
  }
  return hi;
}

/** 3×3 box blur (edges clamped), separable: suppresses single-pixel noise for statistics. */
function blur3(src: GreyImage): GreyImage {
  const { width: w, height: h, data } = src;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < w; x++) {
      const a = data[r + (x > 0 ? x - 1 : x)], b = data[r + (x + 1 < w ? x + 1 : x)];
      tmp[r + x] = (a + data[r + x] + b) / 3;
    }
  }
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
function inkIsDark(grey: GreyImage): boolean {
  // Tight crops take a path that was not changed.
  if (Math.min(grey.width, grey.height) < 64) return smallImageInkIsDark(grey);
  const b = blur3(grey).data;
  const tail = Math.min(0.002, 3 / b.length);
  const median = quantile(b, 0.5);
  const dark = median - quantile(b, tail);
  const light = quantile(b, 1 - tail) - median;
  return dark > light;
}

/**
 * Background level per pixel for an image where ink is bright: the 10th
 * percentile of each cell of a coarse grid, spread by bilinear interpolation.
 * Small images (under 64 px on the short side) get one global level.
 */
function backgroundLevel(v: GreyImage): Float32Array {
  const { width: w, height: h, data } = v;
  const out = new Float32Array(w * h);
  const short = Math.min(w, h);
  if (short < 64) {
    out.fill(quantile(data, 0.1));
    return out;
  }
  const cell = Math.max(8, Math.round(short / 8));
  const gw = Math.ceil(w / cell), gh = Math.ceil(h / cell);
  const grid = new Float32Array(gw * gh);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const x0 = gx * cell, y0 = gy * cell;
      const x1 = Math.min(w, x0 + cell), y1 = Math.min(h, y0 + cell);
      // Every other pixel in both directions is plenty for a percentile.
      const vals = new Float32Array(Math.ceil((x1 - x0) / 2) * Math.ceil((y1 - y0) / 2));
      let k = 0;
      for (let y = y0; y < y1; y += 2) for (let x = x0; x < x1; x += 2) vals[k++] = data[y * w + x];
      grid[gy * gw + gx] = quantile(vals.subarray(0, k), 0.1);
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
  for (let y = 0; y < h; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5));
    const y0 = Math.floor(fy), y1 = Math.min(gh - 1, y0 + 1), ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
      const x0 = Math.floor(fx), x1 = Math.min(gw - 1, x0 + 1), tx = fx - x0;
      const top = safe[y0 * gw + x0] * (1 - tx) + safe[y0 * gw + x1] * tx;
      const bottom = safe[y1 * gw + x0] * (1 - tx) + safe[y1 * gw + x1] * tx;
      out[y * w + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * Noise standard deviation from horizontal and vertical neighbour
 * differences: 1.4826 × MAD / √2 is the Gaussian σ, and strokes barely move
 * the median since most differences lie in flat areas.
 */
function estimateNoise(v: GreyImage): number {
  const { width: w, height: h, data } = v;
  // Large images: every other row and column is plenty for a median.
  const step = w * h > 100_000 ? 2 : 1;
  const d = new Float32Array(2 * Math.ceil(w / step) * Math.ceil(h / step));
  let k = 0;
  for (let y = 0; y < h; y += step) {
    for (let x = 0; x < w; x += step) {
      const i = y * w + x;
      if (x + 1 < w) d[k++] = Math.abs(data[i + 1] - data[i]);
      if (y + 1 < h) d[k++] = Math.abs(data[i + w] - data[i]);
    }
  }
  if (k === 0) return 0;
  return (1.4826 * quantile(d.subarray(0, k), 0.5, 0, 1)) / Math.SQRT2;
}

/** Builds the ink map of a grey image (values in [0, 1]). */
export function inkMap(grey: GreyImage): InkMap {
  const inverted = inkIsDark(grey);
  const n = grey.width * grey.height;
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = inverted ? 1 - grey.data[i] : grey.data[i];
  let ink: GreyImage = { width: grey.width, height: grey.height, data: v };
  const rawNoise = estimateNoise(ink);
  let noise = rawNoise;
  // Grainy photos (dim light, high ISO): average the grain away before
  // levelling and thresholding; strokes are wider than a pixel and survive a
  // 3×3 mean. The noise left is computed, not measured: blurred noise is
  // smooth, so neighbour differences would understate it and let pure noise
  // through. For white noise one 3×3 mean leaves σ/3, two leave 0.235σ.
  const left = [1, 1 / 3, 0.235];
  for (let pass = 1; pass <= 2 && noise > 0.04 && Math.min(grey.width, grey.height) >= 64; pass++) {
    ink = blur3(ink);
    noise = rawNoise * left[pass];
  }
  const bg = backgroundLevel(ink);
  const d = ink.data;
  for (let i = 0; i < n; i++) d[i] = Math.max(0, d[i] - bg[i]);
  const tail = Math.min(0.001, 3 / n);
  return { ink, inverted, peak: quantile(d, 1 - tail), noise };
}
/**
 * Converts a raster to grey in [0, 1] (Rec. 601 luma, alpha composited) and
 * shrinks it in the same pass so the longer side is at most `max_side`.
 * Fusing the two keeps a 12 MP photo from ever existing as floats. When the
 * shrink factor is large, only every `step`-th pixel of every `step`-th row
 * is read (step ≤ factor / 2, so each output pixel still averages at least
 * 2×2 samples): a 12 MP photo then costs about a ninth of its bytes.
 * Returns the grey image and the scale factor (work size / input size, ≤ 1).
 */
export function toGrey(
  image: RasterImage,
  maxSide = Infinity,
): { grey: GreyImage; scale: number } {
  const { width: w, height: h, data } = image;
  if (!(w > 0 && h > 0)) throw new RangeError(`empty image ${w}×${h}`);
  const c = channelsOf(image);
  const scale = Math.min(1, maxSide / Math.max(w, h));
  const nw = Math.max(1, Math.round(w * scale));
  const nh = Math.max(1, Math.round(h * scale));
  const bg = transparentBackground(image, c);
  const step = Math.max(1, Math.floor(Math.min(w / nw, h / nh) / 2));
  const off = step >> 1;
  // The sampled grid: sample i sits at source coordinate i·step + off.
  const sw = Math.floor(w / step), sh = Math.floor(h / step);
  const tx = makeTaps(sw, nw);
  const ty = makeTaps(sh, nh);
  const mid = new Float32Array(nw * sh);
  const rowLum = new Float32Array(sw);
  const inv = 1 / 255;
  for (let sy = 0; sy < sh; sy++) {
    const row = (sy * step + off) * w;
    for (let sx = 0; sx < sw; sx++) {
      const o = (row + sx * step + off) * c;
      let l: number, a = 255;
      if (c >= 3) {
        l = 0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2];
        if (c === 4) a = data[o + 3];
      } else {
        l = data[o];
        if (c === 2) a = data[o + 1];
      }
      rowLum[sx] = a === 255 ? l * inv : l * inv * (a * inv) + bg * (1 - a * inv);
    }
    const out = sy * nw;
    for (let x = 0; x < nw; x++) {
      let s = 0;
      for (let k = tx.start[x]; k < tx.start[x + 1]; k++) s += rowLum[tx.index[k]] * tx.weight[k];
      mid[out + x] = s;
    }
  }
  return {
    grey: { width: nw, height: nh, data: verticalPass(mid, nw, ty, nh) },
    scale: nw / w,
  };
}
/** Grey dilation by a (2r+1)² square, separable. */
export function maxFilter(img: GreyImage, r: number, floor = 0): GreyImage {
  const { width: w, height: h, data } = img;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = floor;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) {
        m = Math.max(m, data[y * w + k]);
      }
      tmp[y * w + x] = m;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = floor;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) {
        m = Math.max(m, tmp[k * w + x]);
      }
      out[y * w + x] = m;
    }
  }
  return { width: w, height: h, data: out };
}
