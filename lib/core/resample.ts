/**
 * Greyscale conversion and anti-aliased resampling, pure TypeScript.
 *
 * Resampling is separable: each axis gets a list of (source index, weight)
 * taps per output index. Shrinking uses box (area) weights, so every source
 * pixel contributes exactly once: the anti-aliased downscale MNIST itself
 * used. Enlarging uses linear interpolation, so tiny inputs (16×16 scans)
 * don't come out blocky.
 */
import type { GreyImage, RasterImage } from "./image_types.ts";
import { scratchFloat32 } from "./scratch.ts";

/** Per-output taps for one axis: flat arrays indexed through `start`. */
export interface Taps {
  start: Int32Array; // n_out + 1 offsets into index/weight
  index: Int32Array;
  weight: Float32Array;
}

/** Taps mapping `n_in` samples to `n_out` over the same extent. */
export function makeTaps(nIn: number, nOut: number): Taps {
  const start = new Int32Array(nOut + 1);
  const index: number[] = [];
  const weight: number[] = [];
  const ratio = nIn / nOut;
  for (let o = 0; o < nOut; o++) {
    start[o] = index.length;
    if (ratio >= 1) {
      // Box filter: the output pixel covers [o·ratio, (o+1)·ratio) of the input.
      const a = o * ratio;
      const b = a + ratio;
      for (let i = Math.floor(a); i < Math.min(nIn, Math.ceil(b)); i++) {
        const cover = Math.min(b, i + 1) - Math.max(a, i);
        if (cover > 1e-6) {
          index.push(i);
          weight.push(cover / ratio);
        }
      }
    } else {
      // Linear interpolation between input pixel centres.
      const c = (o + 0.5) * ratio - 0.5;
      const i0 = Math.floor(c);
      const f = c - i0;
      const lo = Math.min(nIn - 1, Math.max(0, i0));
      const hi = Math.min(nIn - 1, Math.max(0, i0 + 1));
      index.push(lo, hi);
      weight.push(1 - f, f);
    }
  }
  start[nOut] = index.length;
  return { start, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

/** Resizes a grey image to `width`×`height` (area average down, linear up). */
export function resample(src: GreyImage, width: number, height: number): GreyImage {
  const tx = makeTaps(src.width, width);
  const ty = makeTaps(src.height, height);
  // Horizontal pass: src.height rows of `width` samples.
  const mid = scratchFloat32(width * src.height, false);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width;
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = tx.start[x]; k < tx.start[x + 1]; k++) {
        s += src.data[row + tx.index[k]] * tx.weight[k];
      }
      mid[y * width + x] = s;
    }
  }
  return { width, height, data: verticalPass(mid, width, ty, height) };
}

/** The vertical half of a separable resample: rows of `mid` (`width` wide) combined by `ty`. */
export function verticalPass(
  mid: Float32Array,
  width: number,
  ty: Taps,
  height: number,
): Float32Array {
  const out = scratchFloat32(width * height);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let k = ty.start[y]; k < ty.start[y + 1]; k++) {
      const r = ty.index[k] * width;
      const w = ty.weight[k];
      for (let x = 0; x < width; x++) out[o + x] += mid[r + x] * w;
    }
  }
  return out;
}

/** Number of channels of a raster, inferring it from the data length if unset. */
export function channelsOf(image: RasterImage): number {
  const c = image.channels ?? image.data.length / (image.width * image.height);
  if (![1, 2, 3, 4].includes(c)) {
    throw new RangeError(
      `image data length ${image.data.length} does not fit ${image.width}×${image.height}`,
    );
  }
  return c;
}

/**
 * The grey level that transparent pixels are composited onto: the opposite
 * of the opaque pixels' mean brightness, so a black stroke on a transparent
 * canvas reads as black on white and a white stroke as white on black
 * (compositing both onto white would erase the white one).
 */
export function transparentBackground(image: RasterImage, c: number): number {
  if (c !== 2 && c !== 4) return 1;
  const n = image.width * image.height;
  const step = Math.max(1, Math.floor(n / 20000)); // a sample is enough
  let opaque = 0, lum = 0, transparent = 0;
  for (let i = 0; i < n; i += step) {
    const a = image.data[i * c + c - 1];
    if (a < 128) transparent++;
    else {
      opaque++;
      lum += c === 4 ? luma(image.data, i * 4) : image.data[i * 2];
    }
  }
  if (transparent === 0 || opaque === 0) return 1;
  return lum / opaque / 255 > 0.5 ? 0 : 1;
}

function luma(d: ArrayLike<number>, o: number): number {
  return 0.299 * d[o] + 0.587 * d[o + 1] + 0.114 * d[o + 2];
}

/**
 * Grey levels (0–1, alpha composited onto `bg`) of `n` pixels of `data`,
 * `step` pixels apart from pixel `first`, into `out`.
 */
function lumaRow(
  data: ArrayLike<number>,
  c: number,
  first: number,
  step: number,
  n: number,
  bg: number,
  out: Float32Array,
): void {
  const inv = 1 / 255;
  const stride = step * c;
  let o = first * c;
  if (c === 4) {
    for (let sx = 0; sx < n; sx++, o += stride) {
      const l = 0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2];
      const a = data[o + 3];
      out[sx] = a === 255 ? l * inv : l * inv * (a * inv) + bg * (1 - a * inv);
    }
    return;
  }
  for (let sx = 0; sx < n; sx++, o += stride) {
    let l: number, a = 255;
    if (c === 3) l = 0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2];
    else {
      l = data[o];
      if (c === 2) a = data[o + 1];
    }
    out[sx] = a === 255 ? l * inv : l * inv * (a * inv) + bg * (1 - a * inv);
  }
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
  // Already at the working size (the browser decodes straight to it): the
  // taps would all be 1, so the luma rows are the grey image as they are.
  if (step === 1 && nw === w && nh === h) {
    const grey = scratchFloat32(w * h, false);
    for (let y = 0; y < h; y++) lumaRow(data, c, y * w, 1, w, bg, grey.subarray(y * w));
    return { grey: { width: w, height: h, data: grey }, scale: 1 };
  }
  const tx = makeTaps(sw, nw);
  const ty = makeTaps(sh, nh);
  const mid = scratchFloat32(nw * sh, false);
  const rowLum = new Float32Array(sw);
  for (let sy = 0; sy < sh; sy++) {
    lumaRow(data, c, (sy * step + off) * w + off, step, sw, bg, rowLum);
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
