/**
 * Data augmentation for 28×28 MNIST-style digits (white ink on black, values
 * in [0,1]). Pure and seeded: the same seed gives the same images, in the
 * browser, the server or tests. Aims at what separates MNIST from real
 * handwriting and photos: slant, size, position, stroke width, blur, noise.
 */

import type { Rng } from "../lib/core/random.ts";

/** Fisher–Yates shuffle of 0..n-1 with a given rng. */
export function shuffledIndices(n: number, rng: Rng): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx;
}

/** Ranges of the random transforms; each is sampled uniformly in [−x, x] or [lo, hi]. */
export interface AugmentOptions {
  rotationDeg: number;
  scale: [number, number];
  /** Extra independent x/y scale, so digits get narrower or wider. */
  aspect: number;
  shear: number;
  shiftPx: number;
  /** Probabilities and strengths of the pixel-level effects. */
  thicknessP: number;
  blurP: number;
  noiseP: number;
  noiseSigma: number;
  contrastP: number;
  contrastMin: number;
}

/** Moderate defaults: strong enough for real handwriting, mild enough not to hurt MNIST accuracy. */
export const DEFAULT_AUGMENT: AugmentOptions = {
  rotationDeg: 12,
  scale: [0.88, 1.1],
  aspect: 0.08,
  shear: 0.18,
  shiftPx: 2.5,
  thicknessP: 0.25,
  blurP: 0.12,
  noiseP: 0.12,
  noiseSigma: 0.06,
  contrastP: 0.15,
  contrastMin: 0.6,
};

const SIZE = 28;
const N = SIZE * SIZE;

function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

function gaussian(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * Writes one augmented copy of `src` (784 bytes 0–255, or floats 0–1 when
 * `src` is a Float32Array) into `out[offset .. offset+784)`, values in [0,1].
 */
export function augmentDigit(
  src: Uint8Array | Float32Array,
  out: Float32Array,
  offset: number,
  rng: Rng,
  opts: AugmentOptions = DEFAULT_AUGMENT,
): void {
  const norm = src instanceof Uint8Array ? 1 / 255 : 1;
  // Forward map: p_out = A·(p_in − c) + c + t, with A = rotation · shear · scale.
  const theta = uniform(rng, -opts.rotationDeg, opts.rotationDeg) * Math.PI / 180;
  const s = uniform(rng, opts.scale[0], opts.scale[1]);
  const sx = s * (1 + uniform(rng, -opts.aspect, opts.aspect));
  const sy = s * (1 + uniform(rng, -opts.aspect, opts.aspect));
  const sh = uniform(rng, -opts.shear, opts.shear);
  const tx = uniform(rng, -opts.shiftPx, opts.shiftPx);
  const ty = uniform(rng, -opts.shiftPx, opts.shiftPx);
  const cos = Math.cos(theta), sin = Math.sin(theta);
  // A = R · [[1, sh],[0, 1]] · diag(sx, sy)
  const a00 = cos * sx, a01 = (cos * sh - sin) * sy;
  const a10 = sin * sx, a11 = (sin * sh + cos) * sy;
  const det = a00 * a11 - a01 * a10;
  const i00 = a11 / det, i01 = -a01 / det, i10 = -a10 / det, i11 = a00 / det;
  const c = (SIZE - 1) / 2;
  const img = new Float32Array(N);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const dx = x - c - tx, dy = y - c - ty;
      const u = i00 * dx + i01 * dy + c;
      const v = i10 * dx + i11 * dy + c;
      const x0 = Math.floor(u), y0 = Math.floor(v);
      const fx = u - x0, fy = v - y0;
      let acc = 0;
      // Bilinear sample; pixels outside the source are background (0).
      if (y0 >= 0 && y0 < SIZE) {
        if (x0 >= 0 && x0 < SIZE) acc += (1 - fx) * (1 - fy) * src[y0 * SIZE + x0];
        if (x0 + 1 >= 0 && x0 + 1 < SIZE) acc += fx * (1 - fy) * src[y0 * SIZE + x0 + 1];
      }
      if (y0 + 1 >= 0 && y0 + 1 < SIZE) {
        if (x0 >= 0 && x0 < SIZE) acc += (1 - fx) * fy * src[(y0 + 1) * SIZE + x0];
        if (x0 + 1 >= 0 && x0 + 1 < SIZE) acc += fx * fy * src[(y0 + 1) * SIZE + x0 + 1];
      }
      img[y * SIZE + x] = acc * norm;
    }
  }
  if (rng() < opts.thicknessP) {
    // Thicker strokes more often than thinner: thin pens erase MNIST's faint strokes.
    const thicken = rng() < 0.7;
    morph(img, thicken, thicken ? uniform(rng, 0.3, 1) : uniform(rng, 0.2, 0.6));
  }
  if (rng() < opts.blurP) blur(img, uniform(rng, 0.4, 1));
  let gain = 1;
  if (rng() < opts.contrastP) gain = uniform(rng, opts.contrastMin, 1);
  const sigma = rng() < opts.noiseP ? uniform(rng, 0, opts.noiseSigma) : 0;
  for (let i = 0; i < N; i++) {
    let v = img[i] * gain;
    if (sigma > 0) v += sigma * gaussian(rng);
    out[offset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** Grey dilation (thicken) or erosion over a 3×3 cross, blended in by `amount`. */
function morph(img: Float32Array, thicken: boolean, amount: number): void {
  const src = img.slice();
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      let m = src[i];
      const nb = [
        x > 0 ? src[i - 1] : 0,
        x < SIZE - 1 ? src[i + 1] : 0,
        y > 0 ? src[i - SIZE] : 0,
        y < SIZE - 1 ? src[i + SIZE] : 0,
      ];
      for (const n of nb) m = thicken ? Math.max(m, n) : Math.min(m, n);
      img[i] = src[i] + amount * (m - src[i]);
    }
  }
}

/** Separable [1,2,1]/4 blur, blended in by `amount`. */
function blur(img: Float32Array, amount: number): void {
  const tmp = new Float32Array(N);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      const l = x > 0 ? img[i - 1] : 0, r = x < SIZE - 1 ? img[i + 1] : 0;
      tmp[i] = (l + 2 * img[i] + r) / 4;
    }
  }
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      const u = y > 0 ? tmp[i - SIZE] : 0, d = y < SIZE - 1 ? tmp[i + SIZE] : 0;
      const b = (u + 2 * tmp[i] + d) / 4;
      img[i] = img[i] + amount * (b - img[i]);
    }
  }
}

/**
 * Fills `out` (length = indices.length × 784) with augmented copies of the
 * digits `images[idx*784 ..]` for each idx in `indices`. With `opts` null,
 * copies them unchanged (scaled to [0,1]), e.g. for validation.
 */
export function augmentBatch(
  images: Uint8Array,
  indices: ArrayLike<number>,
  out: Float32Array,
  rng: Rng,
  opts: AugmentOptions | null = DEFAULT_AUGMENT,
): void {
  for (let b = 0; b < indices.length; b++) {
    const src = images.subarray(indices[b] * N, indices[b] * N + N);
    if (opts) augmentDigit(src, out, b * N, rng, opts);
    else for (let i = 0; i < N; i++) out[b * N + i] = src[i] / 255;
  }
}
