import assert from "node:assert/strict";
import { makeRng } from "../lib/core/random.ts";
import { loadMnistSplit, locateMnist } from "./mnist_files.ts";
import { DEFAULT_SCAN, scanLikeDigit, type ScanOptions } from "./scan_augment.ts";
import { inkBox } from "../tests/recognition/helpers.ts";

const test = await loadMnistSplit(await locateMnist(), "test");
const digit = (i: number) =>
  Float32Array.from(test.images.subarray(i * 784, i * 784 + 784), (v) => v / 255);
const indexOf = (label: number) => test.labels.indexOf(label);

const STRETCH: ScanOptions = { ...DEFAULT_SCAN, fillP: 1, alternativeP: 0 };

Deno.test("scanLikeDigit - gives a 28×28 input in [0,1] that differs from the original", () => {
  const src = digit(0);
  const out = scanLikeDigit(src, makeRng(1));
  assert.ok(out);
  assert.equal(out.length, 784);
  for (const v of out) assert.ok(v >= 0 && v <= 1);
  assert.notDeepEqual(Array.from(out), Array.from(src));
  // Still a digit of ordinary size: preprocessing fitted it to the 20×20 box.
  const { w, h } = inkBox(out, 0.3);
  assert.ok(Math.max(w, h) >= 18 && Math.max(w, h) <= 21, `ink box ${w}×${h}`);
});

Deno.test("scanLikeDigit - stretches a narrow digit towards a square, as frame-normalised scans did", () => {
  const one = digit(indexOf(1));
  const { w: w0, h: h0 } = inkBox(one, 0.3);
  const rng = makeRng(5);
  for (let k = 0; k < 5; k++) {
    const out = scanLikeDigit(one, rng, STRETCH);
    assert.ok(out);
    const { w, h } = inkBox(out, 0.3);
    assert.ok(w / h > 1.5 * (w0 / h0), `aspect ${w}/${h} vs the original's ${w0}/${h0}`);
  }
});

Deno.test("scanLikeDigit - the same seed gives the same image; a blank digit gives null", () => {
  const src = digit(3);
  assert.deepEqual(scanLikeDigit(src, makeRng(9)), scanLikeDigit(src, makeRng(9)));
  assert.equal(scanLikeDigit(new Float32Array(784), makeRng(9)), null);
});
