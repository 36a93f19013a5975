/**
 * `deno task train:no-digit [--data DIR] [--per-class N] [--epochs N] [--hidden N] [--out DIR]
 *   [--seed N] [--head-seed N] [--digit-weight W]`
 *
 * Trains the open-set head that tells digits from other shapes (letters,
 * symbols, marks, drawings, textures) on the frozen digit model's
 * penultimate features (the 96 pooled channels), and writes it beside the
 * model as `no_digit.json` + `no_digit.bin`. The digit model itself is not
 * touched, so its MNIST accuracy stays what it was.
 *
 * Samples (samples.ts): MNIST training digits and generated pictures of
 * non-digits, all read through the app's own preprocessing. No real dev
 * image (../shared) is used. Features are computed chunk by chunk and kept
 * in `--cache` (default training/no_digit/cache/), so an interrupted run
 * resumes where it stopped; the head itself trains in seconds.
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { initBackend } from "../backend.ts";
import { makeRng } from "../../lib/core/random.ts";
import { loadMnistSplit, locateMnist } from "../mnist_files.ts";
import { encodeModel } from "../model_io.ts";
import { type DigitModel, inputBatch } from "../../lib/core/model_runner.ts";
import { loadModelFile } from "../../lib/server/model_file.ts";
import { NO_DIGIT_HEAD_FILE } from "../../lib/core/model_runner.ts";
import { SHAPE_CLASSES } from "../../lib/core/no_digit.ts";
import { digitSamples, negativeSamples } from "./samples.ts";

const FEATURES = 96;
/** lib/core/no_digit.ts's default keepAboveConfidence. */
const KEEP_ABOVE = 0.95;
/**
 * Per class, bumped whenever samples.ts or shapes.ts draw that class
 * differently, so its cached features are not reused.
 */
const GENERATOR_VERSION = [2, 2, 3, 4];

/** Penultimate features of `inputs`, in batches (and the digit model's confidence in each). */
function featuresOf(
  model: DigitModel,
  inputs: Float32Array[],
  confidence?: Float32Array,
): Float32Array {
  const out = new Float32Array(inputs.length * FEATURES);
  for (let i = 0; i < inputs.length; i += 256) {
    const x = inputBatch(model, inputs.slice(i, i + 256));
    const { output, features } = model.predictWithFeatures!(x);
    out.set(features.dataSync() as Float32Array, i * FEATURES);
    if (confidence) {
      const top = tf.max(output, 1);
      confidence.set(top.dataSync() as Float32Array, i);
      top.dispose();
    }
    tf.dispose([x, output, features]);
  }
  return out;
}

/** Features and labels of one chunk, from the cache when an earlier run made them. */
async function chunk(
  cache: string,
  name: string,
  make: () => { inputs: Float32Array[]; labels: number[] },
  model: DigitModel,
): Promise<{ x: Float32Array; y: Uint8Array }> {
  const path = `${cache}/${name}.bin`;
  try {
    const bytes = await Deno.readFile(path);
    const n = new DataView(bytes.buffer).getUint32(0, true);
    return {
      x: new Float32Array(bytes.buffer.slice(4, 4 + n * FEATURES * 4)),
      y: bytes.slice(4 + n * FEATURES * 4, 4 + n * FEATURES * 4 + n),
    };
  } catch { /* not cached yet */ }
  const { inputs, labels } = make();
  const x = featuresOf(model, inputs), y = Uint8Array.from(labels);
  const bytes = new Uint8Array(4 + x.byteLength + y.length);
  new DataView(bytes.buffer).setUint32(0, y.length, true);
  bytes.set(new Uint8Array(x.buffer), 4);
  bytes.set(y, 4 + x.byteLength);
  await Deno.writeFile(`${path}.tmp`, bytes);
  await Deno.rename(`${path}.tmp`, path);
  return { x, y };
}

function concat(parts: { x: Float32Array; y: Uint8Array }[]) {
  const n = parts.reduce((a, p) => a + p.y.length, 0);
  const x = new Float32Array(n * FEATURES), y = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    x.set(p.x, o * FEATURES);
    y.set(p.y, o);
    o += p.y.length;
  }
  return { x, y, n };
}

function buildHead(seed: number, hidden: number): tfl.Sequential {
  const head = tfl.sequential({ name: "no_digit_head" });
  head.add(tfl.layers.batchNormalization({ inputShape: [FEATURES], name: "norm" }));
  head.add(tfl.layers.dense({
    units: hidden,
    activation: "relu",
    name: "hidden",
    kernelInitializer: tfl.initializers.heNormal({ seed }),
  }));
  head.add(tfl.layers.dense({
    units: SHAPE_CLASSES.length,
    activation: "softmax",
    name: "classes",
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
  }));
  return head;
}

/** Share of rows whose not-digit probability (1 − class 0) reaches `t`, per true class. */
function rejectionRates(probs: Float32Array, y: Uint8Array, t: number): number[] {
  const k = SHAPE_CLASSES.length;
  const hit = new Array(k).fill(0), all = new Array(k).fill(0);
  for (let i = 0; i < y.length; i++) {
    all[y[i]]++;
    if (1 - probs[i * k] >= t) hit[y[i]]++;
  }
  return hit.map((h, c) => (all[c] ? h / all[c] : 0));
}

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      data: { type: "string" },
      "per-class": { type: "string", default: "3000" },
      val: { type: "string", default: "500" },
      epochs: { type: "string", default: "40" },
      hidden: { type: "string", default: "48" },
      "digit-weight": { type: "string", default: "3" },
      seed: { type: "string", default: "12" },
      "head-seed": { type: "string" },
      model: { type: "string", default: "static/model/model.json" },
      out: { type: "string", default: "static/model" },
      cache: { type: "string", default: "training/no_digit/cache" },
    },
  });
  const perClass = Number(values["per-class"]), val = Number(values.val);
  const seed = Number(values.seed);
  const started = performance.now();
  const log = (s: string) =>
    console.log(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${s}`);
  await initBackend("wasm");
  const model = await loadModelFile(values.model!);
  const dir = await locateMnist(values.data);
  const train = await loadMnistSplit(dir, "train");
  const test = await loadMnistSplit(dir, "test");
  await Deno.mkdir(values.cache!, { recursive: true });

  // Chunks of 500 per class, each with its own seed: a resumed run makes the same samples.
  const CHUNK = 500;
  const parts = [];
  for (
    const [split, count, base] of [["train", perClass, seed], ["val", val, seed + 5000]] as const
  ) {
    for (let c = 0; c < SHAPE_CLASSES.length; c++) {
      for (let k = 0; k * CHUNK < count; k++) {
        const n = Math.min(CHUNK, count - k * CHUNK);
        const name = `${split}-${SHAPE_CLASSES[c]}-${k}-${n}-s${base}-g${GENERATOR_VERSION[c]}`;
        const part = await chunk(values.cache!, name, () => {
          const rng = makeRng(base * 1000 + c * 100 + k);
          const inputs = c === 0 ? digitSamples(train, n, rng) : negativeSamples(c, n, rng);
          return { inputs, labels: inputs.map(() => c) };
        }, model);
        parts.push({ split, ...part });
        log(`${name}: ${part.y.length} samples`);
      }
    }
  }
  const trainSet = concat(parts.filter((p) => p.split === "train"));
  const valSet = concat(parts.filter((p) => p.split === "val"));
  // Every MNIST test digit, as the digit model reads it: none of them may be rejected.
  const mnistConfidence = new Float32Array(test.count);
  const mnistTest = featuresOf(
    model,
    Array.from(
      { length: test.count },
      (_, i) => Float32Array.from(test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
    ),
    mnistConfidence,
  );
  log(`features: ${trainSet.n} train, ${valSet.n} validation, ${test.count} MNIST test`);

  // The samples follow --seed; the head's initial weights may be drawn anew with --head-seed.
  const headSeed = Number(values["head-seed"] ?? seed);
  const head = buildHead(headSeed, Number(values.hidden));
  head.compile({ optimizer: tf.train.adam(2e-3), loss: "categoricalCrossentropy" });
  const xs = tf.tensor2d(trainSet.x, [trainSet.n, FEATURES]);
  const ys = tf.oneHot(tf.tensor1d(trainSet.y, "int32"), SHAPE_CLASSES.length);
  // A rejected real digit costs more than an accepted doodle: digits weigh more (--digit-weight).
  const digitWeight = Number(values["digit-weight"]);
  await head.fit(xs, ys, {
    epochs: Number(values.epochs),
    batchSize: 128,
    shuffle: true,
    classWeight: { 0: digitWeight, 1: 1, 2: 1, 3: 1 },
    verbose: 0,
    callbacks: {
      onEpochEnd: (e, l) => {
        if ((e + 1) % 10 === 0) log(`epoch ${e + 1}: loss ${l?.loss.toFixed(4)}`);
      },
    },
  });
  tf.dispose([xs, ys]);

  const predict = (x: Float32Array, n: number) =>
    tf.tidy(() =>
      (head.predict(tf.tensor2d(x, [n, FEATURES])) as tf.Tensor).dataSync() as Float32Array
    );
  const valProbs = predict(valSet.x, valSet.n);
  const testProbs = predict(mnistTest, test.count);
  // The threshold: at least 0.5, and high enough that at most 0.5 % of the validation digits
  // and 0.1 % of the MNIST test digits are rejected; the latter counts only digits the digit
  // model reads with less than KEEP_ABOVE confidence, as lib/core/no_digit.ts keeps the others.
  // Sorted not-digit probabilities of the rows `keep` selects (0 for the rows it clears).
  const notDigitOf = (probs: Float32Array, keep: (i: number) => boolean | "clear") => {
    const k = SHAPE_CLASSES.length, out: number[] = [];
    for (let i = 0; i * k < probs.length; i++) {
      const how = keep(i);
      if (how) out.push(how === "clear" ? 0 : 1 - probs[i * k]);
    }
    return out.sort((a, b) => a - b);
  };
  const quantileOf = (xs: number[], q: number) =>
    xs[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  const shapeThreshold = Math.min(
    0.95,
    Math.max(
      0.5,
      quantileOf(notDigitOf(valProbs, (i) => valSet.y[i] === 0), 0.995),
      quantileOf(notDigitOf(testProbs, (i) => mnistConfidence[i] < KEEP_ABOVE || "clear"), 0.999),
    ),
  );
  const metrics: Record<string, unknown> = {};
  for (const t of [0.5, shapeThreshold, 0.9]) {
    const rates = rejectionRates(valProbs, valSet.y, t);
    const mnist = rejectionRates(testProbs, new Uint8Array(test.count), t)[0];
    metrics[`reject_at_${t.toFixed(3)}`] = {
      ...Object.fromEntries(SHAPE_CLASSES.map((c, i) => [c, Number(rates[i].toFixed(4))])),
      mnist_test_digits: Number(mnist.toFixed(4)),
    };
    log(
      `not-digit ≥ ${t.toFixed(3)}: rejects ${
        SHAPE_CLASSES.map((c, i) => `${c} ${(rates[i] * 100).toFixed(1)} %`).join(", ")
      }; MNIST test digits ${(mnist * 100).toFixed(2)} %`,
    );
  }
  const files = await encodeModel(head, "float32", {
    kind: "no_digit_head",
    classes: SHAPE_CLASSES,
    base_model: model.metadata.version,
    seed,
    head_seed: headSeed,
    per_class: perClass,
    epochs: Number(values.epochs),
    hidden: Number(values.hidden),
    digit_weight: digitWeight,
    trained_at: new Date().toISOString(),
    shape_threshold: Number(shapeThreshold.toFixed(4)),
    validation: metrics,
  });
  const shard = NO_DIGIT_HEAD_FILE.replace(/\.json$/, ".bin");
  (files.modelJson.weightsManifest as { paths: string[] }[])[0].paths = [shard];
  await Deno.writeTextFile(
    `${values.out}/${NO_DIGIT_HEAD_FILE}`,
    JSON.stringify(files.modelJson, null, 1) + "\n",
  );
  await Deno.writeFile(`${values.out}/${shard}`, files.shard);
  log(`wrote ${values.out}/${NO_DIGIT_HEAD_FILE} (${files.shard.length} B of weights)`);
  head.dispose();
  model.dispose();
}

if (import.meta.main) await main();
