import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import type { DigitModel } from "./model_runner.ts";
import { loadModelFile } from "../server/model_file.ts";
import { recognize } from "./recognize.ts";
import { initInferenceBackend } from "../server/tf_backend.ts";
import { decodeImage } from "../server/decode_image.ts";
import type { RasterImage } from "./image_types.ts";
import { canvas, mnistTestDigits, modelPath, toRgba } from "../../tests/recognition/helpers.ts";
import { fixtureBytes, type FixtureName } from "../../tests/fixtures/photos.ts";

await initInferenceBackend();
const model = await loadModelFile(modelPath());

/** Paints MNIST digits side by side on light paper as dark ink, 6× enlarged. */
async function numberPage(count: number) {
  const digits = await mnistTestDigits(count);
  const page = canvas(120 + count * 150, 300, 0.9);
  digits.forEach((src, k) => {
    for (let y = 0; y < 168; y++) {
      for (let x = 0; x < 168; x++) {
        const v = src[Math.floor(y / 6) * 28 + Math.floor(x / 6)];
        const i = (60 + y) * page.width + 60 + k * 150 + x - 9;
        page.data[i] = Math.min(page.data[i], 0.9 * (1 - 0.9 * v));
      }
    }
  });
  return toRgba(page);
}

Deno.test("recognize - reads a number written as MNIST digits, left to right", async () => {
  // The first four MNIST test digits are 7, 2, 1, 0.
  const r = recognize(model, await numberPage(4));
  assert.equal(r.noDigit, false);
  assert.equal(r.digits, "7210");
  assert.equal(r.predictions.length, 4);
  for (const p of r.predictions) {
    assert.equal(p.probabilities.length, 10);
    assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-3);
    assert.ok(Math.abs(p.confidence - Math.max(...p.probabilities)) < 1e-3);
    assert.equal(p.box.length, 4);
  }
});

Deno.test("recognize - timings put the model's time in modelMs and none there when no model ran", async () => {
  const page = await numberPage(1);
  // The shipped model made 30 ms slower: that time must show up as model time.
  const slow: DigitModel = {
    ...model,
    predict(x: tf.Tensor): tf.Tensor {
      const end = performance.now() + 30;
      while (performance.now() < end) { /* busy: recognize is synchronous */ }
      return model.predict(x);
    },
  };
  const r = recognize(slow, page);
  assert.equal(r.digits, "7");
  assert.ok(r.timings.modelMs >= 30, `modelMs ${r.timings.modelMs}`);
  assert.ok(r.timings.preprocessMs > 0 && Number.isFinite(r.timings.preprocessMs));
  // A blank image stops in preprocessing: the model is never asked.
  const blank = recognize(slow, toRgba(canvas(320, 240, 0.95)));
  assert.equal(blank.timings.modelMs, 0);
  assert.ok(blank.timings.preprocessMs > 0);
});

Deno.test("recognize - says no digit instead of guessing on a blank image", () => {
  const r = recognize(model, toRgba(canvas(320, 240, 0.95)));
  assert.equal(r.noDigit, true);
  assert.equal(r.digits, "");
  assert.deepEqual(r.predictions, []);
  assert.ok(r.reason);
});

Deno.test("recognize - flags readings under the confidence threshold as unsure", async () => {
  const page = await numberPage(1);
  assert.equal(recognize(model, page, { unsureBelow: 0 }).unsure, false);
  assert.equal(recognize(model, page, { unsureBelow: 1.01 }).unsure, true);
});

Deno.test("recognize - leaks no tensors over 100 predictions", async () => {
  const page = await numberPage(2);
  recognize(model, page); // warm-up: backends may cache on first use
  const before = tf.memory().numTensors;
  for (let k = 0; k < 100; k++) recognize(model, page);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("recognize - reads a number from phone photos put side by side", async () => {
  // Four photo-like single digits (blue pen on paper, JPEG) → one 2072×518 picture of "1930".
  const files: FixtureName[] = ["phone_1.jpg", "phone_9.jpg", "phone_3.jpg", "phone_0.jpg"];
  const photos = await Promise.all(files.map(async (f) => decodeImage(await fixtureBytes(f))));
  const h = Math.min(...photos.map((p) => p.height));
  const w = photos.reduce((a, p) => a + p.width, 0);
  const data = new Uint8Array(w * h * 4);
  let ox = 0;
  for (const p of photos) {
    for (let y = 0; y < h; y++) {
      data.set(p.data.subarray(y * p.width * 4, (y + 1) * p.width * 4), (y * w + ox) * 4);
    }
    ox += p.width;
  }
  const picture: RasterImage = { width: w, height: h, data };
  const r = recognize(model, picture);
  assert.equal(r.digits, "1930");
  // Each box lies within its own photo.
  r.predictions.forEach((p, i) => {
    assert.ok(p.box[0] >= i * 518 && p.box[0] + p.box[2] <= (i + 1) * 518, `box ${p.box}`);
  });
});
