/**
 * The MNIST construction rule for one digit: its own pixels cut out of the
 * ink map, stroke width brought near MNIST's (dilation or thinning), the
 * longer side fitted to a 20 px box with an anti-aliased downscale, and the
 * result placed in 28×28 so the centre of mass is at the centre.
 */
import type { GreyImage } from "./image_types.ts";
import { resample } from "./resample.ts";
import { quantile } from "./ink.ts";
import type { DigitGroup } from "./segment.ts";
import { scratchFloat32, scratchUint8 } from "./scratch.ts";

/** Side of the model's input. */
export const MNIST_SIZE = 28;
/** Side of the box the digit is fitted in, as in MNIST. */
export const MNIST_BOX = 20;

/** How a digit is normalised (see `PreprocessOptions` for the defaults). */
export interface MnistFrameOptions {
  /** Thicken thin strokes towards MNIST's width. */
  normaliseStroke: boolean;
  /** Stroke width to aim for, in pixels of the 28×28 image. */
  targetStroke: number;
  /** Straighten slanted digits by their second moments. */
  deskew: boolean;
  /** Quantile of a digit's ink values mapped to full white. */
  levelQuantile: number;
  /** Thin strokes wider than this many times the target (0 = never). */
  thinAbove: number;
}

/**
 * One digit group → 28×28 MNIST input. Takes only the group's own pixels
 * (plus a one-pixel fringe for anti-aliased edges), so neighbours and specks
 * inside its box don't leak in. `squeeze` (< 1) renders it narrower.
 */
export function digitToMnist(
  ink: GreyImage,
  labels: Int32Array,
  g: DigitGroup,
  opt: MnistFrameOptions,
  squeeze = 1,
): Float32Array {
  const { width: w } = ink;
  const members = new Set(g.labels);
  const bw = g.x1 - g.x0, bh = g.y1 - g.y0;
  // Stroke-width normalisation may thicken by `pad` on each side.
  const scale = MNIST_BOX / Math.max(bw, bh);
  const pad = Math.ceil((opt.targetStroke / scale) / 2) + 1;
  const pw = bw + 2 * pad, ph = bh + 2 * pad;
  const own = scratchUint8(pw * ph);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      if (members.has(labels[(g.y0 + y) * w + g.x0 + x])) own[(y + pad) * pw + x + pad] = 1;
    }
  }
  const fringe = dilateMask(own, pw, ph);
  const patch = scratchFloat32(pw * ph);
  // Typed, and its maximum found by a loop: a bold shape can hold more ink
  // pixels than a function call takes arguments (`Math.max(...values)`
  // threw "Maximum call stack size exceeded" past about 125,000).
  const values = scratchFloat32(bw * bh, false);
  let count = 0, brightest = 0;
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      const i = y * pw + x;
      if (!fringe[i]) continue;
      const sx = g.x0 + x - pad, sy = g.y0 + y - pad;
      if (sx < 0 || sy < 0 || sx >= ink.width || sy >= ink.height) continue;
      patch[i] = ink.data[sy * w + sx];
      if (own[i]) {
        values[count++] = patch[i];
        if (patch[i] > brightest) brightest = patch[i];
      }
    }
  }
  // Contrast: the stroke cores of MNIST digits are saturated; map this
  // digit's typical stroke level to 1 so faint or dim digits look the same.
  const level = Math.max(
    1e-3,
    quantile(values.subarray(0, count), opt.levelQuantile, 0, brightest),
  );
  for (let i = 0; i < patch.length; i++) patch[i] = Math.min(1, patch[i] / level);

  let img: GreyImage = { width: pw, height: ph, data: patch };
  let pxScale = scale; // 28×28-frame pixels per patch pixel
  if (opt.normaliseStroke) {
    // Small digits (tight crops, 28×28 drawings) are enlarged first, so the
    // stroke can be changed by fractions of a final pixel, not whole ones.
    const original = img;
    const side = Math.max(pw, ph);
    if (side < 96) {
      const f = 96 / side;
      img = resample(img, Math.round(pw * f), Math.round(ph * f));
      pxScale = scale / f;
    }
    // Bring the stroke width near MNIST's. Widths within a band around the
    // target stay as they are: MNIST's own vary (1.4–2.7 px at the 10th–90th
    // percentile, 1.8 median), and an MNIST digit must come out as it went in.
    const stroke = strokeWidth(img);
    const target = opt.targetStroke / pxScale;
    const r = Math.round(Math.abs(target - stroke) / 2);
    if (stroke < 0.6 * target && r >= 1) img = maxFilter(img, r);
    else if (opt.thinAbove > 0 && stroke > opt.thinAbove * target && r >= 1) {
      img = minFilter(img, r);
    } // Unchanged: skip the enlargement, whose round trip only blurs a little,
    // which MNIST-sized digits don't need; digits from a coarser source (a
    // 16×16 scan) do: it rounds off their staircase edges.
    else if (scale < 1.05) img = original;
  }
  if (opt.deskew) img = deskew(img);
  img = cropToInk(img);
  if (squeeze !== 1) img = resample(img, Math.max(1, Math.round(img.width * squeeze)), img.height);
  return placeInMnistFrame(img);
}

/** Mask grown by one pixel in the 8 directions. */
function dilateMask(mask: Uint8Array, w: number, h: number): Uint8Array {
  const out = scratchUint8(mask.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) out[yy * w + xx] = 1;
      }
    }
  }
  return out;
}

/**
 * Mean stroke width of the ink (> 0.5): area over half the number of
 * ink/background edges, which for a long stroke of width s and length L is
 * s·L / L = s.
 */
export function strokeWidth(img: GreyImage): number {
  const { width: w, height: h, data } = img;
  let area = 0, edges = 0;
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] > 0.5;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!on(x, y)) continue;
      area++;
      if (!on(x - 1, y)) edges++;
      if (!on(x + 1, y)) edges++;
      if (!on(x, y - 1)) edges++;
      if (!on(x, y + 1)) edges++;
    }
  }
  return edges ? (2 * area) / edges : 0;
}

/** Grey erosion by a (2r+1)² square (thins bright strokes), separable. */
export function minFilter(img: GreyImage, r: number): GreyImage {
  const neg = { ...img, data: img.data.map((v) => -v) };
  const out = maxFilter(neg, r, -Infinity);
  return { ...out, data: out.data.map((v) => -v) };
}

/**
 * Grey dilation by a (2r+1)² square, separable, each pass in O(1) per pixel
 * whatever `r` (van Herk/Gil-Werman); `floor` is the least value returned.
 */
export function maxFilter(img: GreyImage, r: number, floor = 0): GreyImage {
  const { width: w, height: h, data } = img;
  const tmp = scratchFloat32(w * h, false);
  const out = scratchFloat32(w * h, false);
  const pass = slidingMax(Math.max(w, h), r, floor);
  for (let y = 0; y < h; y++) pass(data, y * w, 1, w, tmp);
  for (let x = 0; x < w; x++) pass(tmp, x, w, h, out);
  return { width: w, height: h, data: out };
}

/**
 * A pass of the 1-D sliding maximum over lines of up to `longest` values:
 * `pass(src, first, stride, n, out)` sets out[i] = max(floor, src[i−r..i+r]
 * clipped to the line) along the line of `n` values starting at `first`.
 * The line is padded with `floor` by r on each side and cut into blocks of
 * 2r+1; a window then spans the end of one block and the start of the next,
 * so its maximum is the larger of a suffix and a prefix maximum.
 */
function slidingMax(longest: number, r: number, floor: number) {
  const k = 2 * r + 1;
  const size = Math.ceil((longest + 2 * r) / k) * k;
  const padded = new Float32Array(size), prefix = new Float32Array(size);
  const suffix = new Float32Array(size);
  return (src: Float32Array, first: number, stride: number, n: number, out: Float32Array) => {
    const total = Math.ceil((n + 2 * r) / k) * k;
    padded.fill(floor, 0, r);
    for (let i = 0, j = first; i < n; i++, j += stride) padded[r + i] = src[j];
    padded.fill(floor, r + n, total);
    for (let b = 0; b < total; b += k) {
      let m = floor;
      for (let i = b; i < b + k; i++) {
        const v = padded[i];
        if (v > m) m = v;
        prefix[i] = m;
      }
      m = floor;
      for (let i = b + k - 1; i >= b; i--) {
        const v = padded[i];
        if (v > m) m = v;
        suffix[i] = m;
      }
    }
    // Window of output i in padded coordinates: [i, i + 2r].
    for (let i = 0, j = first; i < n; i++, j += stride) {
      const a = suffix[i], b = prefix[i + 2 * r];
      out[j] = a > b ? a : b;
    }
  };
}

/**

/**
 * Shears the image so its principal slant becomes vertical (the classic
 * moment-based deskew: x' = x − (μ11/μ02)(y − ȳ)).
 */
export function deskew(img: GreyImage): GreyImage {
  const { width: w, height: h, data } = img;
  let m = 0, sy = 0, sx = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  if (m === 0) return img;
  const cx = sx / m, cy = sy / m;
  let mu11 = 0, mu02 = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      mu11 += v * (x - cx) * (y - cy);
      mu02 += v * (y - cy) * (y - cy);
    }
  }
  const skew = Math.max(-1, Math.min(1, mu11 / (mu02 || 1)));
  if (Math.abs(skew) < 0.05) return img;
  const extra = Math.ceil(Math.abs(skew) * h / 2) + 1;
  const nw = w + 2 * extra;
  const out = scratchFloat32(nw * h, false);
  for (let y = 0; y < h; y++) {
    const shift = skew * (y - cy);
    for (let x = 0; x < nw; x++) {
      // Output x − extra corresponds to source x + shift.
      const s = x - extra + shift;
      const x0 = Math.floor(s), f = s - x0;
      const a = x0 >= 0 && x0 < w ? data[y * w + x0] : 0;
      const b = x0 + 1 >= 0 && x0 + 1 < w ? data[y * w + x0 + 1] : 0;
      out[y * nw + x] = a * (1 - f) + b * f;
    }
  }
  return { width: nw, height: h, data: out };
}

/** Crops to the bounding box of values above `floor`; an image with none comes back as it is. */
export function cropToInk(img: GreyImage, floor = 0.02): GreyImage {
  const { width: w, height: h, data } = img;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x] > floor) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return img;
  const nw = x1 - x0 + 1, nh = y1 - y0 + 1;
  const out = scratchFloat32(nw * nh, false);
  for (let y = 0; y < nh; y++) {
    out.set(data.subarray((y + y0) * w + x0, (y + y0) * w + x0 + nw), y * nw);
  }
  return { width: nw, height: nh, data: out };
}

/**
 * The MNIST rule: fit in a 20×20 box keeping the aspect ratio (anti-aliased
 * resample), then translate so the centre of mass lands on the centre of the
 * 28×28 frame (integer shift, as MNIST did, kept inside the frame).
 */
export function placeInMnistFrame(img: GreyImage): Float32Array {
  const s = MNIST_BOX / Math.max(img.width, img.height);
  const nw = Math.max(1, Math.min(MNIST_BOX, Math.round(img.width * s)));
  const nh = Math.max(1, Math.min(MNIST_BOX, Math.round(img.height * s)));
  const small = resample(img, nw, nh);
  let m = 0, sx = 0, sy = 0, peak = 0;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      const v = small.data[y * nw + x];
      m += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
      if (v > peak) peak = v;
    }
  }
  const cx = m ? sx / m : nw / 2, cy = m ? sy / m : nh / 2;
  // MNIST puts the centre of mass on pixel (14, 14), i.e. at 14.5 when pixel
  // centres are at +0.5 (measured: the mean over its test set is 14.50, 14.49).
  const ox = Math.min(MNIST_SIZE - nw, Math.max(0, Math.round(MNIST_SIZE / 2 + 0.5 - cx)));
  const oy = Math.min(MNIST_SIZE - nh, Math.max(0, Math.round(MNIST_SIZE / 2 + 0.5 - cy)));
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  // Resampling softens the peak; bring the strongest stroke back to 1.
  const gain = peak > 0 ? 1 / peak : 1;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      out[(y + oy) * MNIST_SIZE + x + ox] = Math.min(1, small.data[y * nw + x] * gain);
    }
  }
  return out;
}
