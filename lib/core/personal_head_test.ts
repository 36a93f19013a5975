import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import type { DenseHead } from "./model_runner.ts";
import {
  type FeatureSet,
  headProbabilities,
  trainPersonalHead,
  withHead,
} from "./personal_head.ts";
import { loadModel, predictProbabilities } from "./model_runner.ts";
import { initInferenceBackend } from "../server/tf_backend.ts";
import { modelPath } from "../../tests/recognition/helpers.ts";
import { makeRng } from "./random.ts";

/** A head that reads class k from feature k (3 features, 3 classes). */
const IDENTITY: DenseHead = {
  inputs: 3,
  units: 3,
  kernel: Float32Array.from([4, 0, 0, 0, 4, 0, 0, 0, 4]),
  bias: new Float32Array(3),
};

function set(rows: number[][], labels: number[]): FeatureSet {
  return {
    features: Float32Array.from(rows.flat()),
    labels: Uint8Array.from(labels),
    count: rows.length,
    dims: rows[0]?.length ?? 3,
  };
}

const argmax = (p: number[]) => p.indexOf(Math.max(...p));

Deno.test("personal head - learns a writer's habit and keeps reading everyone else's digits", () => {
  // This writer's 2s look like everyone's 0s, with a little of feature 2.
  const user = set(Array.from({ length: 10 }, () => [1, 0, 0.6]), new Array(10).fill(2));
  const rehearsal = set(
    [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0.1, 0], [0, 1, 0.1], [0.1, 0, 1]],
    [0, 1, 2, 0, 1, 2],
  );
  assert.equal(argmax(headProbabilities(IDENTITY, Float32Array.from([1, 0, 0.6]))), 0);
  const head = trainPersonalHead(IDENTITY, user, rehearsal, { steps: 300, userShare: 0.5 });
  assert.equal(argmax(headProbabilities(head, Float32Array.from([1, 0, 0.6]))), 2);
  assert.equal(argmax(headProbabilities(head, Float32Array.from([1, 0, 0]))), 0);
  assert.equal(argmax(headProbabilities(head, Float32Array.from([0, 1, 0]))), 1);
  // The shipped head is left as it was.
  assert.deepEqual([...IDENTITY.kernel], [4, 0, 0, 0, 4, 0, 0, 0, 4]);
});

Deno.test("personal head - without digits of the user's it stays the shipped head; the same input trains the same head", () => {
  const empty = set([], []);
  const rehearsal = set([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 1, 2]);
  const a = trainPersonalHead(IDENTITY, set([[0, 1, 1]], [2]), rehearsal);
  const b = trainPersonalHead(IDENTITY, set([[0, 1, 1]], [2]), rehearsal);
  assert.deepEqual(a, b);
  const unchanged = trainPersonalHead(IDENTITY, empty, empty);
  assert.deepEqual(unchanged.kernel, IDENTITY.kernel);
});

Deno.test("personal head - refuses features of the wrong size", () => {
  assert.throws(
    () => trainPersonalHead(IDENTITY, set([[1, 2]], [0]), set([], [])),
    RangeError,
  );
});

Deno.test("personal head - withHead runs the shipped model with the given final layer", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  const r = makeRng(3);
  const digit = Float32Array.from({ length: 784 }, () => (r() < 0.2 ? r() : 0));
  // The shipped head itself gives the shipped output.
  const same = withHead(model, model.head!());
  const a = predictProbabilities(model, [digit])[0];
  const b = predictProbabilities(same, [digit])[0];
  a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) < 1e-5));
  // A head that always says 7.
  const head = model.head!();
  head.kernel.fill(0);
  head.bias.fill(0);
  head.bias[7] = 10;
  const sevens = withHead(model, head);
  assert.equal(argmax(predictProbabilities(sevens, [digit])[0]), 7);
  const before = tf.memory().numTensors;
  sevens.dispose();
  same.dispose();
  assert.equal(tf.memory().numTensors, before - 4, "only the heads' own tensors are freed");
  model.dispose();
});
