/**
 * `deno run -A training/bench_backends.ts [--steps N] [--write]`: training
 * throughput (samples/s) of the shipped architecture on each TensorFlow.js
 * backend Deno offers here, with random data. Stock wasm is tried first
 * (before our kernels are installed) to show what it lacks. With --write the
 * table goes into BENCHMARKS.md's Training section.
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs"; // stock gradient functions
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { buildTrainingModel, countMacs, foldIntoInferenceModel } from "./model_def.ts";
import { installWasmTrainingKernels } from "./tf_wasm_training_kernels.ts";
import { mdTable, updateBenchmarksFile } from "./benchmarks_md.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { steps: { type: "string", default: "3" }, write: { type: "boolean", default: false } },
});
const steps = Number(values.steps);

/** Times `steps` training steps after one warm-up step; returns samples/s or the error. */
async function bench(batch: number, n: number): Promise<string> {
  const model = buildTrainingModel();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: "categoricalCrossentropy" });
  const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, "float32", 1);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, "int32", 2), 10).toFloat();
  try {
    await model.trainOnBatch(x, y);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await model.trainOnBatch(x, y);
    return ((batch * n) / ((performance.now() - t0) / 1000)).toFixed(1);
  } catch (e) {
    return `fails: ${(e as Error).message.split("\n")[0].slice(0, 90)}`;
  } finally {
    model.dispose();
    tf.dispose([x, y]);
  }
}

tf.enableProdMode();
const rows: (string | number)[][] = [];
await tf.setBackend("wasm");
const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
rows.push(["wasm (stock tfjs 4.22)", 128, await bench(128, 1)]);
console.log(rows.at(-1)!.join("  "));
installWasmTrainingKernels();
rows.push([
  `wasm + training/tf_wasm_training_kernels.ts${simd ? " (SIMD, 1 thread)" : ""}`,
  128,
  await bench(128, steps),
]);
console.log(rows.at(-1)!.join("  "));
await tf.setBackend("cpu");
// The cpu backend needs minutes per 128-digit step; a smaller batch measures the same per-digit cost.
rows.push(["cpu (stock)", 16, await bench(16, 1)]);
console.log(rows.at(-1)!.join("  "));
// deno-lint-ignore no-explicit-any
const gpu = (navigator as any).gpu;
const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
const adapterName = adapter
  ? `${adapter.info?.vendor ?? ""} ${adapter.info?.description ?? adapter.info?.device ?? ""}`
    .trim()
  : "";
if (adapter) {
  try {
    await import("@tensorflow/tfjs-backend-webgpu");
    await tf.setBackend("webgpu");
    rows.push([`webgpu (${adapterName || "adapter"})`, 128, await bench(128, steps)]);
  } catch (e) {
    rows.push([`webgpu (${adapterName})`, 128, `fails: ${(e as Error).message.slice(0, 90)}`]);
  }
} else {
  rows.push(["webgpu", "-", "no adapter from navigator.gpu on this machine"]);
}
console.log(rows.at(-1)!.join("  "));

const folded = foldIntoInferenceModel(buildTrainingModel());
const table = mdTable(["backend", "batch", "training samples/s"], rows);
const text =
  `### Training throughput per backend\n\nWritten by \`deno run -A training/bench_backends.ts --write\` ` +
  `on ${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ` +
  `tfjs 4.22.0, ${new Date().toISOString().slice(0, 10)}. Random data, the shipped architecture ` +
  `(${folded.countParams()} parameters after BatchNorm folding, ${
    (countMacs(folded) / 1e6).toFixed(2)
  } M ` +
  `multiply-adds per digit), Adam, ${steps} timed steps after one warm-up step.\n\n${table}`;
console.log(text);
if (values.write) await updateBenchmarksFile("BENCHMARKS.md", "training:backends", text);
Deno.exit(0);
