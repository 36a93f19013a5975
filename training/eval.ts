/**
 * `deno task eval [--model DIR] [--data DIR] [--backend wasm|cpu] [--report DIR]`:
 * evaluates a tfjs layers model folder (default static/model) on the 10,000
 * MNIST test digits and prints accuracy, per-class precision/recall, the
 * confusion matrix, parameters, multiply-adds and weight bytes.
 */
import { parseCli } from "../lib/server/cli_args.ts";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { loadMnistSplit, locateMnist } from "./mnist_files.ts";
import { countMacs } from "./model_def.ts";
import { evaluateModel } from "./export.ts";
import { formatMetrics } from "./metrics.ts";
import { loadModelDir, readModelArtifacts, type WeightDtype } from "./model_io.ts";
import { writeReport } from "./report.ts";

const { values } = parseCli(
  {
    options: {
      model: { type: "string", default: "static/model" },
      data: { type: "string" },
      backend: { type: "string", default: "wasm" },
      report: { type: "string" },
    },
  },
  "usage: deno task eval [--model DIR] [--data DIR] [--backend wasm|cpu] [--report DIR]\n" +
    "Evaluates a model folder (default static/model) on the 10,000 MNIST test digits.",
);

tf.enableProdMode();
await tf.setBackend(values.backend!);
const dir = values.model!;
const artifacts = await readModelArtifacts(dir);
const model = await loadModelDir(dir);
const test = await loadMnistSplit(await locateMnist(values.data), "test");
const t0 = performance.now();
const { metrics, predicted, confidence } = await evaluateModel(model, test);
const seconds = (performance.now() - t0) / 1000;
const weightBytes = (artifacts.weightData as ArrayBuffer).byteLength;
const meta = (artifacts.userDefinedMetadata ?? {}) as Record<string, unknown>;
const dtypes = new Set((artifacts.weightSpecs ?? []).map((s) => s.quantization?.dtype ?? s.dtype));
const params = model.countParams();
const macs = countMacs(model);
console.log(`model ${dir} (version ${meta.version ?? "?"}), backend ${tf.getBackend()}`);
console.log(formatMetrics(metrics));
console.log(
  `parameters ${params}, ${
    (macs / 1e6).toFixed(2)
  } M multiply-adds/digit, weights ${weightBytes} bytes ` +
    `(${[...dtypes].join("+")}); ${(test.count / seconds).toFixed(0)} digits/s`,
);
if (values.report) {
  const dtype = [...dtypes][0] as WeightDtype;
  const modelJson = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  const variant = {
    dtype,
    weightBytes,
    modelJsonBytes: (await Deno.stat(`${dir}/model.json`)).size,
    testAccuracy: metrics.accuracy,
    metrics,
    predicted,
    confidence,
    files: { modelJson, shard: new Uint8Array(0) },
  };
  await writeReport(values.report, {
    test,
    variants: [variant],
    chosen: variant,
    params,
    macs,
    backend: tf.getBackend(),
    seed: Number(meta.seed ?? 0),
    modelDir: dir,
  });
  console.log(`report written to ${values.report}/`);
}
Deno.exit(0);
