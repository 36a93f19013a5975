/**
 * A writer's consistent slant or paper angle, undone before reading: the
 * personal model looks for the turn and shear of the 28×28 input that make
 * the user's corrected digits read best, and reads their digits through it.
 */

/** A turn (degrees, clockwise positive) followed by a shear (x moves by `shear`·(centre − y)). */
export interface DigitWarp {
  rotation: number;
  shear: number;
}

/** No change. */
export const IDENTITY_WARP: DigitWarp = { rotation: 0, shear: 0 };

const SIZE = 28;

/** True when `w` leaves a digit unchanged. */
export function isIdentityWarp(w: DigitWarp): boolean {
  return w.rotation === 0 && w.shear === 0;
}

/**
 * `digit` (28×28 values in [0, 1]) with `warp` undone: turned by −rotation
 * and sheared by −shear about the frame's centre, bilinear, the uncovered
 * frame left black (background).
 */
export function unwarpDigit(digit: Float32Array, warp: DigitWarp): Float32Array {
  if (isIdentityWarp(warp)) return digit.slice();
  const out = new Float32Array(SIZE * SIZE);
  const c = (SIZE - 1) / 2;
  const t = warp.rotation * Math.PI / 180, cos = Math.cos(t), sin = Math.sin(t);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      // Output pixel → undone digit → the writer's digit: re-shear, then re-turn.
      const sx = x - c + warp.shear * (c - y), sy = y - c;
      const u = cos * sx - sin * sy + c, v = sin * sx + cos * sy + c;
      const x0 = Math.floor(u), y0 = Math.floor(v), fx = u - x0, fy = v - y0;
      let acc = 0;
      if (y0 >= 0 && y0 < SIZE) {
        if (x0 >= 0 && x0 < SIZE) acc += (1 - fx) * (1 - fy) * digit[y0 * SIZE + x0];
        if (x0 + 1 < SIZE && x0 + 1 >= 0) acc += fx * (1 - fy) * digit[y0 * SIZE + x0 + 1];
      }
      if (y0 + 1 >= 0 && y0 + 1 < SIZE) {
        if (x0 >= 0 && x0 < SIZE) acc += (1 - fx) * fy * digit[(y0 + 1) * SIZE + x0];
        if (x0 + 1 < SIZE && x0 + 1 >= 0) acc += fx * fy * digit[(y0 + 1) * SIZE + x0 + 1];
      }
      out[y * SIZE + x] = acc;
    }
  }
  return out;
}

/** The first warps tried: turns of ±60° by 15° and shears of ±1.2 by 0.3, each alone. */
export function candidateWarps(): DigitWarp[] {
  const out: DigitWarp[] = [IDENTITY_WARP];
  for (let r = -60; r <= 60; r += 15) if (r) out.push({ rotation: r, shear: 0 });
  for (let k = -4; k <= 4; k++) if (k) out.push({ rotation: 0, shear: round2(k * 0.3) });
  return out;
}

/** The warps half a step either side of `w` (the second, finer look); none beside the identity. */
export function neighbourWarps(w: DigitWarp): DigitWarp[] {
  if (w.rotation) return [-7.5, 7.5].map((d) => ({ rotation: w.rotation + d, shear: 0 }));
  if (w.shear) return [-0.15, 0.15].map((d) => ({ rotation: 0, shear: round2(w.shear + d) }));
  return [];
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * Picks the warp whose mean negative log-likelihood `nll[i]` (of the user's
 * digits read through `candidates[i]`) is lowest, when it beats the
 * identity's (`candidates[0]`) by more than `margin` nats; else the identity.
 */
export function chooseWarp(candidates: DigitWarp[], nll: number[], margin = 0.1): DigitWarp {
  let best = 0;
  for (let c = 1; c < candidates.length; c++) if (nll[c] < nll[best]) best = c;
  return nll[0] - nll[best] > margin ? candidates[best] : IDENTITY_WARP;
}

/**
 * A digit's shape, from its ink's second moments: slant (x drift per row),
 * and the orientation of its long axis as (cos 2θ, sin 2θ)·elongation, which
 * has no jump where θ wraps round.
 */
export function digitGeometry(digit: Float32Array): [number, number, number] {
  let m = 0, mx = 0, my = 0;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const v = digit[y * SIZE + x];
      (m += v, mx += v * x, my += v * y);
    }
  }
  if (m === 0) return [0, 0, 0];
  (mx /= m, my /= m);
  let xx = 0, xy = 0, yy = 0;
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const v = digit[y * SIZE + x];
      (xx += v * (x - mx) ** 2, xy += v * (x - mx) * (y - my), yy += v * (y - my) ** 2);
    }
  }
  const total = xx + yy || 1;
  return [xy / Math.max(yy, 1e-6), (xx - yy) / total, 2 * xy / total];
}

/** A diagonal Gaussian over {@link digitGeometry}: how a set of digits is shaped. */
export interface ShapeStats {
  mean: number[];
  sd: number[];
}

/** The shape statistics of `digits`, each spread at least `floor` (20 digits say little). */
export function shapeStats(digits: Float32Array[], floor = 0.1): ShapeStats {
  const g = digits.map(digitGeometry);
  const mean = [0, 1, 2].map((k) => g.reduce((s, v) => s + v[k], 0) / Math.max(1, g.length));
  const sd = [0, 1, 2].map((k) =>
    Math.max(
      floor,
      Math.sqrt(g.reduce((s, v) => s + (v[k] - mean[k]) ** 2, 0) / Math.max(1, g.length)),
    )
  );
  return { mean, sd };
}

/** Log-density (up to a constant) of a digit's geometry under `stats`. */
export function shapeLogDensity(stats: ShapeStats, geometry: number[]): number {
  let s = 0;
  for (let k = 0; k < geometry.length; k++) {
    s -= 0.5 * ((geometry[k] - stats.mean[k]) / stats.sd[k]) ** 2 + Math.log(stats.sd[k]);
  }
  return s;
}
