/**
 * Browser end to end: the custom kernel sets (lib/browser/backends/*.ts)
 * cover every layer type lib/core/model_runner.ts supports, on every backend that
 * headless Chromium offers (wasm, cpu, webgl and webgpu on SwiftShader), and
 * agree with each other. A model replacing the shipped one may use any of
 * these layers.
 */
import assert from "node:assert/strict";
import { makeRng } from "../../lib/core/random.ts";
import { withRecognizer } from "./recognizer_helpers.ts";

/** Seeded random numbers in [-1, 1). */
function rng(seed: number) {
  const random = makeRng(seed);
  return () => 2 * random() - 1;
}

interface Layer {
  class_name: string;
  config: Record<string, unknown>;
}

/** A Sequential model.json using every supported layer type, with random weights. */
function everyLayerModel() {
  const random = rng(7);
  const layers: Layer[] = [];
  const manifest: { name: string; shape: number[]; dtype: string }[] = [];
  const values: number[] = [];
  const weight = (layer: string, name: string, shape: number[], positive = false, scale = 0.5) => {
    manifest.push({ name: `${layer}/${name}`, shape, dtype: "float32" });
    const n = shape.reduce((a, b) => a * b, 1);
    for (let i = 0; i < n; i++) values.push(positive ? 0.5 + Math.abs(random()) : random() * scale);
  };
  const add = (className: string, config: Record<string, unknown>) =>
    layers.push({ class_name: className, config });

  add("InputLayer", { name: "input", batch_input_shape: [null, 8, 8, 2] });
  add("Conv2D", { name: "c1", padding: "same", activation: "linear", use_bias: false });
  weight("c1", "kernel", [3, 3, 2, 4]);
  add("BatchNormalization", { name: "bn", axis: -1, epsilon: 1e-3 });
  weight("bn", "gamma", [4], true);
  weight("bn", "beta", [4]);
  weight("bn", "moving_mean", [4]);
  weight("bn", "moving_variance", [4], true);
  add("ReLU", { name: "r1", max_value: 6, negative_slope: 0.1 });
  add("DepthwiseConv2D", { name: "d1", padding: "same", activation: "relu6", use_bias: true });
  weight("d1", "depthwise_kernel", [3, 3, 4, 1]);
  weight("d1", "bias", [4]);
  add("DepthwiseConv2D", { name: "d2", padding: "valid", activation: "linear", use_bias: false });
  weight("d2", "depthwise_kernel", [3, 3, 4, 1]); // 8×8 → 6×6
  add("SeparableConv2D", { name: "s1", padding: "same", activation: "tanh", use_bias: true });
  weight("s1", "depthwise_kernel", [3, 3, 4, 1]);
  weight("s1", "pointwise_kernel", [1, 1, 4, 6]);
  weight("s1", "bias", [6]);
  for (const a of ["elu", "selu", "softplus", "swish", "sigmoid", "relu"]) {
    add("Activation", { name: `a_${a}`, activation: a });
  }
  add("AveragePooling2D", { name: "ap", pool_size: [2, 2], padding: "valid" }); // → 3×3
  add("Conv2D", { name: "c2", padding: "same", activation: "relu", strides: [1, 1] });
  weight("c2", "kernel", [3, 3, 6, 8]);
  weight("c2", "bias", [8]);
  add("MaxPooling2D", { name: "mp", pool_size: [2, 2], strides: [1, 1], padding: "valid" });
  add("GlobalAveragePooling2D", { name: "gap", keepdims: true }); // → 1×1×8
  add("Flatten", { name: "flat" });
  add("Dropout", { name: "drop", rate: 0.5 });
  add("Dense", { name: "fc1", activation: "linear", use_bias: false });
  weight("fc1", "kernel", [8, 12]);
  add("Dense", { name: "fc2", activation: "softmax" });
  weight("fc2", "kernel", [12, 10], false, 4); // Peaked probabilities: differences show.
  weight("fc2", "bias", [10]);

  const json = {
    format: "layers-model",
    modelTopology: { class_name: "Sequential", config: { name: "every_layer", layers } },
    weightsManifest: [{ paths: ["weights.bin"], weights: manifest }],
  };
  const inputs = [0, 1].map(() => Array.from({ length: 8 * 8 * 2 }, () => Math.abs(random())));
  return { json, weights: values, inputs };
}

Deno.test("recognizer - every layer type the runner supports runs on wasm, cpu, webgl and webgpu alike", async () => {
  const { json, weights, inputs } = everyLayerModel();
  await withRecognizer(async ({ page }) => {
    const outcome = await page.evaluate(async ({ json, weights, inputs }) => {
      // deno-lint-ignore no-explicit-any
      const d = (globalThis as any).digitRecognizer;
      const out: Record<string, number[][] | string> = {};
      const buffer = Float32Array.from(weights).buffer;
      const xs = inputs.map((x: number[]) => Float32Array.from(x));
      for (const backend of ["cpu", "wasm", "webgl", "webgpu"]) {
        try {
          out[backend] = await d.runArtifacts(backend, json, buffer, xs);
        } catch (e) {
          out[backend] = String((e as Error).message ?? e);
        }
      }
      return { out, after: document.documentElement.dataset.backend, probe: d.state().probe };
    }, { json, weights, inputs });
    const reference = outcome.out.cpu;
    assert.ok(Array.isArray(reference), `cpu: ${reference}`);
    for (const backend of ["wasm", "webgl", "webgpu"]) {
      const rows = outcome.out[backend];
      const offered = backend === "wasm" ||
        (backend === "webgl" ? outcome.probe.webgl : outcome.probe.webgpu) !== "none";
      if (!offered) continue; // This Chromium has no such API at all.
      assert.ok(Array.isArray(rows), `${backend}: ${rows}`);
      rows.forEach((row, i) =>
        row.forEach((v, k) =>
          assert.ok(
            Math.abs(v - reference[i][k]) < 2e-3,
            `${backend} row ${i} class ${k}: ${v} vs cpu ${reference[i][k]}`,
          )
        )
      );
    }
    assert.equal(outcome.after, "wasm", "the engine is back on its own backend");
  }, { args: ["--enable-unsafe-webgpu"] });
});
