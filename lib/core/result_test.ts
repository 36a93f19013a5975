import assert from "node:assert/strict";
import { buildResult, modelInputs } from "./result.ts";
import type { Box, PreprocessResult } from "./image_types.ts";

const digitRow = (d: number, p: number) => {
  const row = new Array(10).fill((1 - p) / 9);
  row[d] = p;
  return row;
};
const crop = (box: Box, alternatives = 0) => ({
  pixels: new Float32Array(784),
  box,
  ...(alternatives
    ? { alternatives: Array.from({ length: alternatives }, () => new Float32Array(784)) }
    : {}),
});
const pre = (...boxes: Box[]): PreprocessResult => ({
  digits: boxes.map((b) => crop(b)),
  inverted: true,
  workSize: [400, 300],
});
// Head rows: [digit, writing, symbol, drawing].
const isDigit = [0.97, 0.01, 0.01, 0.01];
const isSymbol = [0.05, 0.1, 0.8, 0.05];
const isWriting = [0.1, 0.8, 0.05, 0.05];

Deno.test("result - averages the outputs of a digit's renderings, in modelInputs order", () => {
  const p: PreprocessResult = {
    digits: [crop([0, 0, 16, 16], 1), crop([20, 0, 16, 16])],
    inverted: true,
    workSize: [40, 16],
  };
  assert.equal(modelInputs(p).length, 3);
  const r = buildResult(p, {
    probabilities: [digitRow(4, 0.5), digitRow(1, 0.9), digitRow(4, 0.5)],
  });
  assert.equal(r.digits, "14");
  assert.ok(Math.abs(r.predictions[0].confidence - (0.5 / 9 + 0.9) / 2) < 1e-4);
  assert.equal(r.noDigit, false);
  assert.equal(r.unsure, true, "0.5 is under the 0.7 threshold");
  // The head judges a shape by its most digit-like rendering.
  const judged = buildResult(p, {
    probabilities: [digitRow(4, 0.5), digitRow(1, 0.9), digitRow(4, 0.5)],
    shapeClasses: [isSymbol, isDigit, isDigit],
  });
  assert.equal(judged.noDigit, false);
  assert.equal(judged.predictions[0].notDigit, 0.03);
});

Deno.test("result - an image without shapes is no digit, with preprocessing's kind", () => {
  const blank = buildResult(
    { digits: [], inverted: false, workSize: [10, 10], reason: "blank: the image has no contrast" },
    { probabilities: [] },
    { preprocessMs: 3 },
  );
  assert.equal(blank.noDigit, true);
  assert.equal(blank.kind, "blank");
  assert.equal(blank.digits, "");
  assert.equal(blank.timings.preprocessMs, 3);
  const none = buildResult({ digits: [], inverted: false, workSize: [10, 10] }, {
    probabilities: [],
  });
  assert.equal(none.kind, "nothing");
  assert.match(none.reason!, /nothing shaped like a digit/);
});

Deno.test("result - without the head nothing is rejected", () => {
  const r = buildResult(pre([0, 0, 10, 20]), { probabilities: [digitRow(8, 0.92)] });
  assert.equal(r.digits, "8");
  assert.equal(r.rejected, undefined);
  assert.equal(r.predictions[0].notDigit, undefined);
});

Deno.test("result - a single shape the head rejects makes the image a no-digit symbol", () => {
  const r = buildResult(pre([0, 0, 20, 20]), {
    probabilities: [digitRow(4, 0.6)],
    shapeClasses: [isSymbol],
  });
  assert.equal(r.noDigit, true);
  assert.equal(r.kind, "symbol");
  assert.match(r.reason!, /symbol/);
  assert.deepEqual(r.predictions, []);
  assert.equal(r.rejected?.length, 1);
});

Deno.test("result - a word is writing even when some of its letters pass as digits", () => {
  // "hello": h, e rejected; l, l, o taken for 1, 1, 0 → still 2 of 5... plus a third letter.
  const boxes: Box[] = [0, 30, 60, 90, 120].map((x) => [x, 10, 25, 40]);
  const r = buildResult(pre(...boxes), {
    probabilities: boxes.map(() => digitRow(1, 0.8)),
    shapeClasses: [isWriting, isWriting, isWriting, isDigit, isDigit],
  });
  assert.equal(r.noDigit, true);
  assert.equal(r.kind, "writing");
  assert.equal(r.reason, "this looks like writing, not digits");
});

Deno.test("result - many shapes scattered over the picture are a photo", () => {
  const boxes: Box[] = Array.from({ length: 8 }, (_, i) => [i * 30, (i % 4) * 60, 12, 14]);
  const r = buildResult(pre(...boxes), {
    probabilities: boxes.map(() => digitRow(0, 0.5)),
    shapeClasses: boxes.map(() => [0.2, 0.2, 0.2, 0.4]),
  });
  assert.equal(r.kind, "photo");
});

Deno.test("result - a number keeps a digit the head doubts, and drops a shape it is sure of", () => {
  const boxes: Box[] = [[0, 0, 20, 40], [30, 0, 20, 40], [60, 0, 20, 40], [90, 0, 20, 40], [
    120,
    10,
    20,
    20,
  ]];
  const r = buildResult(pre(...boxes), {
    // The last shape: the digit model is unsure of it (a 4 at 0.5) and the head sure it is none.
    probabilities: [7, 2, 5, 3].map((d) => digitRow(d, 0.9)).concat([digitRow(4, 0.5)]),
    shapeClasses: [isDigit, [0.4, 0.3, 0.2, 0.1], isDigit, isDigit, [0.02, 0.02, 0.94, 0.02]],
  });
  assert.equal(r.noDigit, false);
  assert.equal(r.digits, "7253");
  assert.equal(r.predictions[1].notDigit, 0.6);
  assert.deepEqual(r.rejected, [{ box: [120, 10, 20, 20], kind: "symbol", notDigit: 0.98 }]);
});

Deno.test("result - a shape the digit model reads confidently stays in the reading", () => {
  const boxes: Box[] = [0, 30, 60].map((x) => [x, 0, 20, 40]);
  const r = buildResult(pre(...boxes), {
    probabilities: [digitRow(5, 0.95), digitRow(9, 0.9), digitRow(8, 0.9)],
    shapeClasses: [[0.02, 0.02, 0.02, 0.94], isDigit, isDigit],
  });
  assert.equal(r.digits, "598");
  assert.equal(r.rejected, undefined);
});

Deno.test("result - refuses outputs that do not match the model inputs", () => {
  assert.throws(
    () => buildResult(pre([0, 0, 5, 5], [9, 0, 5, 5]), { probabilities: [digitRow(1, 1)] }),
    RangeError,
  );
});

Deno.test("result - a row the head calls writing is not a number when read sideways as one shape", () => {
  // Five shapes in a row, upright; turned by 90° they merge into one tall stroke, a sure "1".
  const row: Box[] = Array.from({ length: 5 }, (_, i) => [10 + 24 * i, 3, 19, 12]);
  const p: PreprocessResult = {
    ...pre(...row),
    turned: [{ degrees: 90, digits: [crop([7, 3, 114, 12])] }],
  };
  assert.equal(modelInputs(p).length, 6);
  const probabilities = [...row.map(() => digitRow(0, 0.4)), digitRow(1, 0.95)];
  const rows = [...row.map(() => isWriting), isDigit];
  const r = buildResult(p, { probabilities, shapeClasses: rows });
  assert.equal(r.noDigit, true, `read as ${r.digits}`);
  assert.equal(r.kind, "writing");
  assert.equal(r.turned, undefined);
  // A sideways number: upright its digits stack into one shape, turned they are read apart.
  const sideways: PreprocessResult = {
    ...pre([10, 10, 30, 90]),
    turned: [{ degrees: 90, digits: [crop([10, 10, 30, 40]), crop([10, 55, 30, 45])] }],
  };
  const s = buildResult(sideways, {
    probabilities: [digitRow(8, 0.4), digitRow(1, 0.97), digitRow(7, 0.96)],
    shapeClasses: [isWriting, isDigit, isDigit],
  });
  assert.equal(s.noDigit, false);
  assert.equal(s.digits, "17");
  assert.equal(s.turned, 90);
});
