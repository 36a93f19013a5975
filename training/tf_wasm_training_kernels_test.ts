import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs"; // stock gradient functions
import "@tensorflow/tfjs-backend-cpu";
import { installWasmTrainingKernels } from "./tf_wasm_training_kernels.ts";

installWasmTrainingKernels();
await tf.setBackend("wasm");

type Case = { stride: number; pad: "same" | "valid"; k: number; cin: number; cout: number };

/** Gradients of a small conv → BN-ish → matmul loss with respect to input, filter, bias and matrix. */
function grads(backend: string, c: Case): number[][] {
  tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.randomNormal([3, 9, 10, c.cin], 0, 1, "float32", 1);
    const w = tf.randomNormal([c.k, c.k, c.cin, c.cout], 0, 0.5, "float32", 2);
    const b = tf.randomNormal([c.cout], 0, 1, "float32", 3);
    const m = tf.randomNormal([20, 7], 0, 1, "float32", 4);
    const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, m: tf.Tensor) => {
      const y = tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: c.stride,
        pad: c.pad,
        bias: b,
      });
      const mean = tf.mean(y, [0, 1, 2]);
      const variance = tf.mean(tf.square(tf.sub(y, mean)), [0, 1, 2]);
      const gamma = tf.randomNormal([c.cout], 1, 0.2, "float32", 5),
        beta = tf.randomNormal([c.cout], 0, 0.2, "float32", 6);
      const n = tf.batchNorm(y, mean, variance, beta, gamma, 1e-3);
      const flat = tf.slice(tf.reshape(tf.relu(n), [3, -1]), [0, 0], [3, 20]);
      return tf.sum(tf.square(tf.matMul(flat, m)));
    };
    return tf.grads(f)([x, w, b, m]).map((t) => Array.from(t.dataSync()));
  });
}

const cases: Case[] = [
  { stride: 1, pad: "same", k: 3, cin: 4, cout: 5 },
  { stride: 1, pad: "valid", k: 3, cin: 1, cout: 8 },
  { stride: 2, pad: "same", k: 3, cin: 4, cout: 5 },
  { stride: 2, pad: "valid", k: 5, cin: 3, cout: 4 },
  { stride: 1, pad: "same", k: 5, cin: 2, cout: 3 },
];

for (const c of cases) {
  Deno.test(
    `wasm kernels - conv/matmul/batchnorm gradients match cpu (stride ${c.stride}, ${c.pad}, ${c.k}×${c.k})`,
    () => {
      const want = grads("cpu", c);
      const got = grads("wasm", c);
      const names = ["input", "filter", "bias", "matrix"];
      want.forEach((w, i) => {
        assert.equal(got[i].length, w.length);
        const scale = Math.max(1, ...w.map(Math.abs));
        const err = Math.max(...w.map((v, j) => Math.abs(v - got[i][j]))) / scale;
        assert.ok(err < 1e-4, `${names[i]} gradient differs from cpu by ${err}`);
      });
    },
  );
}

Deno.test("wasm kernels - transposed matmuls match cpu", () => {
  const run = (backend: string) => {
    tf.setBackend(backend);
    return tf.tidy(() => {
      const a = tf.randomNormal([2, 6, 4], 0, 1, "float32", 5);
      const b = tf.randomNormal([2, 5, 6], 0, 1, "float32", 6);
      return [
        tf.matMul(a, b, true, true),
        tf.matMul(a, tf.transpose(b, [0, 2, 1]), true, false),
        tf.matMul(tf.transpose(a, [0, 2, 1]), b, false, true),
      ].map((t) => Array.from(t.dataSync()));
    });
  };
  const want = run("cpu"), got = run("wasm");
  want.forEach((w, i) => w.forEach((v, j) => assert.ok(Math.abs(v - got[i][j]) < 1e-4)));
});

Deno.test("wasm kernels - a conv layer trains on wasm without leaking tensors", () => {
  tf.setBackend("wasm");
  const w = tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 0.3, "float32", 7));
  const x = tf.randomNormal([4, 8, 8, 2], 0, 1, "float32", 8) as tf.Tensor4D;
  const opt = tf.train.sgd(0.01);
  const loss = () =>
    tf.tidy(() => tf.mean(tf.square(tf.conv2d(x, w as tf.Tensor4D, 1, "same")))) as tf.Scalar;
  const before = loss().dataSync()[0];
  opt.minimize(loss); // warm-up step allocates the optimizer's state
  const tensors = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) opt.minimize(loss);
  assert.equal(tf.memory().numTensors, tensors);
  assert.ok(loss().dataSync()[0] < before);
});
