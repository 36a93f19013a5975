import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import {
  loadModel,
  loadModelWithHead,
  ModelFormatError,
  modelFromArtifacts,
  type ModelJson,
  predictBatch,
  predictProbabilities,
} from "./model_runner.ts";
import { initInferenceBackend } from "../server/tf_backend.ts";
import { loadModelFile } from "../server/model_file.ts";
import { modelPath } from "../../tests/recognition/helpers.ts";
import { makeRng } from "./random.ts";

await initInferenceBackend();

/** Captures a tfjs-layers model as model.json content + weight bytes. */
async function artifactsOf(
  model: tfl.LayersModel,
): Promise<{ json: ModelJson; weights: ArrayBuffer }> {
  let art: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((a) => {
    art = a;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  return {
    json: {
      modelTopology: art!.modelTopology,
      weightsManifest: [{ paths: ["group1-shard1of1.bin"], weights: art!.weightSpecs! }],
    },
    weights: art!.weightData as ArrayBuffer,
  };
}

/** A small model using every layer type the runner supports, with non-trivial weights. */
function everyLayerModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(
    tfl.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 4,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
    }),
  );
  m.add(tfl.layers.batchNormalization());
  m.add(
    tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, padding: "valid" }),
  );
  m.add(tfl.layers.reLU({ maxValue: 6 }));
  m.add(
    tfl.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: "same", activation: "relu" }),
  );
  m.add(
    tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 1, padding: "valid", useBias: false }),
  );
  m.add(tfl.layers.activation({ activation: "relu" }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: "same" }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dropout({ rate: 0.3 }));
  m.add(tfl.layers.dense({ units: 16, activation: "relu" }));
  m.add(tfl.layers.dense({ units: 10, activation: "softmax" }));
  // Randomise every weight, BatchNorm statistics included, so nothing is an identity.
  const r = makeRng(7);
  const names = m.weights.map((w) => w.originalName);
  m.setWeights(
    m.getWeights().map((w, k) => {
      const v = Float32Array.from({ length: w.size }, () => (r() - 0.3) * 0.8);
      if (names[k].includes("moving_variance")) v.forEach((x, i) => (v[i] = 0.5 + Math.abs(x)));
      return tf.tensor(v, w.shape);
    }),
  );
  return m;
}

function gapModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(
    tfl.layers.conv2d({
      inputShape: [28, 28, 1],
      filters: 8,
      kernelSize: 3,
      padding: "same",
      activation: "relu",
    }),
  );
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dense({ units: 10, activation: "softmax" }));
  return m;
}

function randomBatch(n: number, seed: number): tf.Tensor4D {
  const r = makeRng(seed);
  return tf.tensor4d(Float32Array.from({ length: n * 784 }, () => r()), [n, 28, 28, 1]);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

Deno.test("model_runner - matches tfjs-layers on a model with every supported layer type", async () => {
  const reference = everyLayerModel();
  const { json, weights } = await artifactsOf(reference);
  const runner = modelFromArtifacts(json, weights);
  const x = randomBatch(5, 1);
  const expected = reference.predict(x) as tf.Tensor;
  const got = runner.predict(x);
  assert.deepEqual(got.shape, [5, 10]);
  assert.ok(maxAbsDiff(got, expected) < 1e-5, `difference ${maxAbsDiff(got, expected)}`);
  tf.dispose([x, expected, got]);
  runner.dispose();
  reference.dispose();
});

Deno.test("model_runner - dequantizes uint8 and float16 weights like tfjs-layers", async () => {
  const reference = gapModel();
  const { json, weights } = await artifactsOf(reference);
  const x = randomBatch(3, 2);
  for (const dtype of ["uint8", "float16"] as const) {
    // Quantize the way tfjs-converter does: affine uint8 per tensor, or IEEE half floats.
    const src = new Float32Array(weights);
    const specs = json.weightsManifest[0].weights;
    const parts: Uint8Array[] = [];
    let offset = 0;
    const qspecs = specs.map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const v = src.subarray(offset, offset + n);
      offset += n;
      if (dtype === "uint8") {
        const min = Math.min(...v), max = Math.max(...v);
        const scale = (max - min) / 255 || 1;
        parts.push(Uint8Array.from(v, (x) => Math.round((x - min) / scale)));
        return { ...s, quantization: { dtype, min, scale } };
      }
      const half = new Uint16Array(n);
      v.forEach((x, i) => (half[i] = toHalf(x)));
      parts.push(new Uint8Array(half.buffer));
      return { ...s, quantization: { dtype } };
    });
    const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let o = 0;
    for (const p of parts) {
      bytes.set(p, o);
      o += p.length;
    }
    const qjson: ModelJson = { ...json, weightsManifest: [{ paths: ["w.bin"], weights: qspecs }] };
    const layersModel = await tfl.loadLayersModel(tf.io.fromMemory({
      modelTopology: qjson.modelTopology as object,
      weightSpecs: qspecs,
      weightData: bytes.buffer,
    }));
    const runner = modelFromArtifacts(qjson, bytes.buffer);
    const expected = layersModel.predict(x) as tf.Tensor;
    const got = runner.predict(x);
    assert.ok(
      maxAbsDiff(got, expected) < 1e-5,
      `${dtype}: difference ${maxAbsDiff(got, expected)}`,
    );
    tf.dispose([expected, got]);
    runner.dispose();
    layersModel.dispose();
  }
  x.dispose();
  reference.dispose();
});

/** float32 → IEEE 754 half bits (round to nearest, no subnormal care needed here). */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | Math.round(mant / 8192);
}

Deno.test("model_runner - loads model.json and shards from a path and a file URL", async () => {
  const reference = gapModel();
  const { json, weights } = await artifactsOf(reference);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(json));
    await Deno.writeFile(`${dir}/group1-shard1of1.bin`, new Uint8Array(weights));
    const x = randomBatch(2, 3);
    const expected = reference.predict(x) as tf.Tensor;
    for (const source of [`${dir}/model.json`, new URL(`file://${dir}/model.json`)]) {
      const runner = await loadModelFile(source);
      const got = runner.predict(x);
      assert.ok(maxAbsDiff(got, expected) < 1e-5);
      got.dispose();
      runner.dispose();
    }
    tf.dispose([x, expected]);
  } finally {
    await Deno.remove(dir, { recursive: true });
    reference.dispose();
  }
});

Deno.test("model_runner - refuses layer types it does not interpret", () => {
  const json: ModelJson = {
    modelTopology: {
      class_name: "Sequential",
      config: { layers: [{ class_name: "LSTM", config: { name: "lstm", units: 4 } }] },
    },
    weightsManifest: [{ paths: [], weights: [] }],
  };
  assert.throws(() => modelFromArtifacts(json, new ArrayBuffer(0)), ModelFormatError);
});

Deno.test("model_runner - equals tfjs-layers on the shipped model", async () => {
  const path = modelPath();
  const runner = await loadModelFile(path);
  const dir = path.slice(0, path.lastIndexOf("/"));
  const json = JSON.parse(await Deno.readTextFile(path));
  const shards = await Promise.all(
    json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) =>
      Deno.readFile(`${dir}/${p}`)
    ),
  );
  const bytes = new Uint8Array(shards.reduce((a: number, s: Uint8Array) => a + s.length, 0));
  let o = 0;
  for (const s of shards) {
    bytes.set(s, o);
    o += s.length;
  }
  const layersModel = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
    weightData: bytes.buffer,
  }));
  const x = randomBatch(8, 4);
  const expected = layersModel.predict(x) as tf.Tensor;
  const got = runner.predict(x);
  assert.deepEqual(got.shape, [8, 10]);
  assert.ok(maxAbsDiff(got, expected) < 1e-4, `difference ${maxAbsDiff(got, expected)}`);
  const rows = predictProbabilities(runner, [new Float32Array(784)]);
  assert.equal(rows[0].length, 10);
  assert.ok(Math.abs(rows[0].reduce((a, b) => a + b, 0) - 1) < 1e-4);
  tf.dispose([x, expected, got]);
  runner.dispose();
  layersModel.dispose();
});

Deno.test("model_runner - features are the final Dense layer's input: head(features) gives the model's output", async () => {
  const model = await loadModel(modelPath());
  const digits = Array.from({ length: 3 }, (_, i) => {
    const r = makeRng(40 + i);
    return Float32Array.from({ length: 784 }, () => (r() < 0.2 ? r() : 0));
  });
  const x = tf.tensor4d(digits.flatMap((d) => [...d]), [3, 28, 28, 1]);
  const before = tf.memory().numTensors;
  const f = model.features!(x);
  assert.deepEqual(f.shape, [3, 96]);
  const { inputs, units, kernel, bias } = model.head!();
  assert.deepEqual([inputs, units], [96, 10]);
  const features = await f.data();
  const expected = predictProbabilities(model, digits);
  for (let n = 0; n < 3; n++) {
    const z = Array.from(bias);
    for (let i = 0; i < inputs; i++) {
      for (let u = 0; u < units; u++) z[u] += features[n * inputs + i] * kernel[i * units + u];
    }
    const max = Math.max(...z);
    const e = z.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    e.forEach((v, u) => assert.ok(Math.abs(v / sum - expected[n][u]) < 1e-4));
  }
  f.dispose();
  assert.equal(tf.memory().numTensors, before, "features frees its intermediates");
  x.dispose();
  model.dispose();
});

Deno.test("model runner - features and probabilities come from one pass, and the head reads the features", async () => {
  const { model, head } = await loadModelWithHead(modelPath());
  assert.ok(head, "the shipped model has a no-digit head beside it");
  const x = randomBatch(3, 7);
  const { output, features } = model.predictWithFeatures!(x);
  const direct = model.predict(x);
  assert.deepEqual(features.shape, [3, 96], "the pooled channels the last Dense layer reads");
  assert.ok(maxAbsDiff(output, direct) < 1e-6);
  const inputs = [0, 1, 2].map((i) =>
    Float32Array.from(x.dataSync().subarray(i * 784, (i + 1) * 784))
  );
  const batch = predictBatch(model, inputs, head);
  assert.equal(batch.probabilities.length, 3);
  assert.equal(batch.shapeClasses?.length, 3);
  for (const row of batch.shapeClasses!) {
    assert.equal(row.length, 4);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  }
  const headDirect = head!.predict(features);
  assert.ok(Math.abs(headDirect.dataSync()[0] - batch.shapeClasses![0][0]) < 1e-5);
  assert.deepEqual(predictBatch(model, [], head), { probabilities: [], shapeClasses: [] });
  tf.dispose([x, output, features, direct, headDirect]);
  model.dispose();
  head!.dispose();
});
