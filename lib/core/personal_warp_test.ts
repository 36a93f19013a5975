import assert from "node:assert/strict";
import {
  candidateWarps,
  chooseWarp,
  digitGeometry,
  IDENTITY_WARP,
  shapeLogDensity,
  shapeStats,
  unwarpDigit,
} from "./personal_warp.ts";

/** A 28×28 bar from (x0, 4) to (x1, 23), 3 px wide. */
function bar(x0: number, x1: number): Float32Array {
  const d = new Float32Array(784);
  for (let y = 4; y <= 23; y++) {
    const x = Math.round(x0 + (x1 - x0) * (y - 4) / 19);
    for (let k = -1; k <= 1; k++) d[y * 28 + x + k] = 1;
  }
  return d;
}

/** Ink-weighted mean column of rows y0..y1. */
function meanColumn(d: Float32Array, y0: number, y1: number): number {
  let m = 0, s = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = 0; x < 28; x++) (m += d[y * 28 + x], s += x * d[y * 28 + x]);
  }
  return s / m;
}

Deno.test("personal warp - undoing a writer's right slant stands their digit upright", () => {
  // Leaning right: the top is to the right of the bottom by 10 px over 19 rows.
  const slanted = bar(19, 9);
  const upright = unwarpDigit(slanted, { rotation: 0, shear: 10 / 19 });
  assert.ok(Math.abs(meanColumn(upright, 4, 8) - meanColumn(upright, 19, 23)) < 1.5);
  assert.ok(meanColumn(slanted, 4, 8) - meanColumn(slanted, 19, 23) > 6);
});

Deno.test("personal warp - undoing a 90° turn turns a lying bar upright", () => {
  const lying = new Float32Array(784);
  for (let x = 4; x <= 23; x++) for (let y = 13; y <= 15; y++) lying[y * 28 + x] = 1;
  const [, elongation] = digitGeometry(unwarpDigit(lying, { rotation: 90, shear: 0 }));
  assert.ok(elongation < -0.8, `taller than wide: ${elongation}`);
  assert.ok(digitGeometry(lying)[1] > 0.8, "the lying bar is wider than tall");
});

Deno.test("personal warp - the identity copies the digit", () => {
  const d = bar(14, 14);
  const out = unwarpDigit(d, IDENTITY_WARP);
  assert.deepEqual(out, d);
  assert.notEqual(out, d);
});

Deno.test("personal warp - a warp is chosen only when it clearly reads the user's digits better", () => {
  const c = candidateWarps();
  assert.deepEqual(c[0], IDENTITY_WARP);
  const nll = c.map(() => 0.5);
  nll[5] = 0.45;
  assert.deepEqual(chooseWarp(c, nll, 0.1), IDENTITY_WARP);
  nll[7] = 0.2;
  assert.deepEqual(chooseWarp(c, nll, 0.1), c[7]);
});

Deno.test("personal warp - slanted digits are likelier under their writer's shape than an upright one", () => {
  const writer = shapeStats([bar(19, 9), bar(20, 10), bar(18, 9)]);
  const generic = shapeStats([bar(14, 14), bar(13, 14), bar(15, 14)]);
  const slanted = digitGeometry(bar(19, 10));
  const upright = digitGeometry(bar(14, 14));
  assert.ok(shapeLogDensity(writer, slanted) > shapeLogDensity(generic, slanted));
  assert.ok(shapeLogDensity(generic, upright) > shapeLogDensity(writer, upright));
  assert.ok(writer.sd.every((s) => s >= 0.1), "spreads are floored");
});
