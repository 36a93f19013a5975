import assert from "node:assert/strict";
import { adaptedProbabilities, buildPrototypeAdapter, featureMean } from "./personal_adapter.ts";
import type { FeatureSet } from "./personal_head.ts";

function set(rows: number[][], labels: number[]): FeatureSet {
  return {
    features: Float32Array.from(rows.flat()),
    labels: Uint8Array.from(labels),
    count: rows.length,
    dims: rows[0]?.length ?? 0,
  };
}

const centre = Float32Array.from([1, 1, 1, 1]);
const user = set([[1, 1, 5, 1], [1, 1, 5.2, 1.1], [5, 1, 1, 1]], [7, 7, 2]);
const modelSays2 = [0, 0, 0.9, 0, 0, 0, 0, 0.1, 0, 0];

Deno.test("personal adapter - a digit like the user's corrected 7s is read as a 7", () => {
  const adapter = buildPrototypeAdapter(user, centre);
  const p = adaptedProbabilities(adapter, modelSays2, Float32Array.from([1, 1, 5.1, 1]));
  assert(p[7] > p[2], `7: ${p[7]}, 2: ${p[2]}`);
  assert(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9);
});

Deno.test("personal adapter - a digit far from all the user's examples keeps the model's reading", () => {
  const adapter = buildPrototypeAdapter(user, centre);
  const p = adaptedProbabilities(adapter, modelSays2, Float32Array.from([1, 5, 1, 1]));
  assert.deepEqual(p, modelSays2);
});

Deno.test("personal adapter - one example of a class has less say than two", () => {
  const adapter = buildPrototypeAdapter(user, centre);
  const near7 = adaptedProbabilities(adapter, modelSays2, Float32Array.from([1, 1, 5, 1]));
  const near2 = adaptedProbabilities(
    adapter,
    [0, 0, 0, 0, 0, 0, 0, 0.9, 0, 0.1],
    Float32Array.from([5, 1, 1, 1]),
  );
  assert(near7[7] - 0.1 > near2[2], `two 7s move ${near7[7] - 0.1}, one 2 moves ${near2[2]}`);
});

Deno.test("personal adapter - without examples the model's reading stands", () => {
  const adapter = buildPrototypeAdapter(set([], []), centre);
  assert.deepEqual(
    adaptedProbabilities(adapter, modelSays2, Float32Array.from([1, 1, 5, 1])),
    modelSays2,
  );
});

Deno.test("personal adapter - features of the wrong size are refused", () => {
  assert.throws(() => buildPrototypeAdapter(set([[1, 2]], [1]), centre), RangeError);
  const adapter = buildPrototypeAdapter(user, centre);
  assert.throws(() => adaptedProbabilities(adapter, modelSays2, new Float32Array(3)), RangeError);
});

Deno.test("personal adapter - the centre is the mean of the features", () => {
  assert.deepEqual([...featureMean(set([[0, 2], [2, 4]], [0, 1]))], [1, 3]);
});
