import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { buildInferenceModel } from "./model_def.ts";
import { encodeModel, float32ToFloat16Bits, loadModelFiles, quantizeWeights } from "./model_io.ts";
import { lrAt } from "./trainer.ts";
import { formatDuration, renderProgress } from "./progress.ts";

await tf.setBackend("cpu");

Deno.test("model_io - float16 conversion rounds to the nearest half", () => {
  assert.equal(float32ToFloat16Bits(0), 0);
  assert.equal(float32ToFloat16Bits(1), 0x3c00);
  assert.equal(float32ToFloat16Bits(-2), 0xc000);
  assert.equal(float32ToFloat16Bits(65504), 0x7bff);
  assert.equal(float32ToFloat16Bits(1e6), 0x7c00); // overflow → infinity
  assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00); // tie → even
  assert.equal(float32ToFloat16Bits(2 ** -24), 0x0001); // smallest subnormal
});

Deno.test("model_io - uint8 quantization keeps zero exact and errors within half a step", () => {
  const values = new Float32Array([-0.5, 0, 0.1, 0.25, 1.5]);
  const spec = [{ name: "w", shape: [5], dtype: "float32" as const }];
  const q = quantizeWeights(spec, new Uint8Array(values.buffer), "uint8");
  assert.equal(q.data.length, 5);
  const { scale, min } = q.specs[0].quantization as { scale: number; min: number };
  values.forEach((v, i) => assert.ok(Math.abs(q.data[i] * scale + min - v) <= scale / 2 + 1e-7));
  assert.equal(q.data[1] * scale + min, 0);
});

Deno.test("model_io - every weight encoding loads back into the same predictions", async () => {
  const model = buildInferenceModel();
  const x = tf.randomUniform([4, 28, 28, 1], 0, 1, "float32", 3);
  const want = (model.predict(x) as tf.Tensor).arraySync() as number[][];
  for (const dtype of ["float32", "float16", "uint8"] as const) {
    const files = await encodeModel(model, dtype);
    const n = model.countParams();
    assert.equal(files.shard.length, n * { float32: 4, float16: 2, uint8: 1 }[dtype]);
    const loaded = await loadModelFiles(files);
    const got = (loaded.predict(x) as tf.Tensor).arraySync() as number[][];
    const tol = { float32: 1e-6, float16: 1e-2, uint8: 5e-2 }[dtype];
    want.forEach((row, i) =>
      row.forEach((v, j) =>
        assert.ok(Math.abs(v - got[i][j]) < tol, `${dtype} ${v} vs ${got[i][j]}`)
      )
    );
    loaded.dispose();
  }
  model.dispose();
});

Deno.test("trainer - the learning rate warms up, peaks, then decays by cosine", () => {
  assert.ok(Math.abs(lrAt(0, 1, 0.1) - 0.05) < 1e-12);
  assert.equal(lrAt(0.1, 1, 0.1), 1);
  assert.ok(lrAt(0.55, 1, 0.1) < 0.51 && lrAt(0.55, 1, 0.1) > 0.49);
  assert.ok(Math.abs(lrAt(1, 1, 0.1) - 0.001) < 1e-12);
});

Deno.test("progress - renders epoch, samples/s, loss, accuracy and ETA", () => {
  const line = renderProgress({
    epoch: 2,
    epochs: 10,
    done: 50,
    total: 100,
    samplesPerS: 123.4,
    loss: 0.1234,
    acc: 0.9876,
    etaS: 3725,
  });
  for (
    const part of ["epoch 2/10", "50%", "123 samples/s", "loss 0.1234", "acc 98.76%", "ETA 1:02:05"]
  ) {
    assert.ok(line.includes(part), `${part} missing from ${line}`);
  }
  assert.equal(formatDuration(65), "1:05");
});
