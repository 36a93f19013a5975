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

/** The warps tried: turns of ±60° and shears of ±1.2, each alone (slant and paper angle). */
export function candidateWarps(): DigitWarp[] {
  const out: DigitWarp[] = [IDENTITY_WARP];
  for (let r = -60; r <= 60; r += 7.5) if (r) out.push({ rotation: r, shear: 0 });
  for (let s = -1.2; s <= 1.2001; s += 0.15) {
    const shear = Math.round(s * 100) / 100;
    if (shear) out.push({ rotation: 0, shear });
  }
  return out;
}
