import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs"; // stock gradient functions
import { loadMnistSplit, locateMnist } from "../training/mnist_files.ts";
import { foldIntoInferenceModel } from "../training/model_def.ts";
import { initBackend } from "../training/backend.ts";
import { classMetrics, predictDigits } from "../training/metrics.ts";
import { encodeModel, loadModelDir, writeModelDir } from "../training/model_io.ts";
import { DEFAULT_TRAIN, trainModel } from "../training/trainer.ts";

Deno.test("training smoke - one epoch on 3,000 digits lowers the loss; the saved model loads back and predicts", async () => {
  assert.equal(await initBackend("wasm"), "wasm");
  const full = await loadMnistSplit(await locateMnist(), "train");
  const n = 3000;
  const data = {
    ...full,
    count: n,
    images: full.images.subarray(0, n * 784),
    labels: full.labels.subarray(0, n),
  };
  const losses: number[] = [];
  const result = await trainModel(data, {
    ...DEFAULT_TRAIN,
    epochs: 1,
    lr: 4e-3,
    valSize: 300,
    augment: true,
    checkpointDir: null,
    quietProgress: true,
    log: () => {},
    onBatch: (_step, loss) => losses.push(loss),
  });
  assert.ok(losses.length >= 15, `only ${losses.length} steps`);
  const head = losses.slice(0, 4).reduce((a, b) => a + b) / 4;
  const tail = losses.slice(-4).reduce((a, b) => a + b) / 4;
  assert.ok(
    tail < head * 0.85,
    `loss did not fall: first steps ${head.toFixed(3)}, last ${tail.toFixed(3)}`,
  );

  // Ship it the way train.ts does: BatchNorm folded, uint8 weights, written to a folder.
  const dir = await Deno.makeTempDir();
  try {
    const folded = foldIntoInferenceModel(result.model);
    await writeModelDir(`${dir}/model`, await encodeModel(folded, "uint8", { smoke: true }));
    const json = JSON.parse(await Deno.readTextFile(`${dir}/model/model.json`));
    assert.match(json.userDefinedMetadata.version, /^[0-9a-f]{12}$/);
    assert.equal(json.weightsManifest[0].weights[0].quantization.dtype, "uint8");
    const loaded = await loadModelDir(`${dir}/model`);
    const test = await loadMnistSplit(await locateMnist(), "test");
    const probe = tf.tidy(() => loaded.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor);
    assert.deepEqual(probe.shape, [2, 10]);
    const sums = tf.tidy(() => tf.sum(probe, 1).dataSync());
    probe.dispose();
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-4, "outputs are probabilities");
    const { predicted } = await predictDigits(loaded, test.images, 500);
    const acc = classMetrics(predicted, test.labels.subarray(0, 500)).accuracy;
    // 23 steps cannot make a good model; well above chance (10 %) shows it learned and survived the round trip.
    assert.ok(acc > 0.3, `accuracy after the round trip only ${acc}`);
    folded.dispose();
    loaded.dispose();
  } finally {
    result.model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
