import assert from "node:assert/strict";
import { makeRng } from "../lib/augment.ts";
import { loadMnistSplit } from "../lib/mnist_files.ts";
import { DEFAULT_SCAN, scanLikeDigit, type ScanOptions } from "../lib/scan_augment.ts";
import { mnistDir } from "./mnist_dir.ts";

const test = await loadMnistSplit(mnistDir(), "test");
const digit = (i: number) =>
  Float32Array.from(test.images.subarray(i * 784, i * 784 + 784), (v) => v / 255);
const index_of = (label: number) => test.labels.indexOf(label);

/** Width and height of the ink (> 0.3) of a 28×28 digit. */
function ink_box(img: Float32Array): [number, number] {
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (img[y * 28 + x] <= 0.3) continue;
      x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
    }
  }
  return [x1 - x0 + 1, y1 - y0 + 1];
}

const STRETCH: ScanOptions = { ...DEFAULT_SCAN, fill_p: 1, alternative_p: 0 };

Deno.test("scanLikeDigit - gives a 28×28 input in [0,1] that differs from the original", () => {
  const src = digit(0);
  const out = scanLikeDigit(src, makeRng(1));
  assert.ok(out);
  assert.equal(out.length, 784);
  for (const v of out) assert.ok(v >= 0 && v <= 1);
  assert.notDeepEqual(Array.from(out), Array.from(src));
  // Still a digit of ordinary size: preprocessing fitted it to the 20×20 box.
  const [w, h] = ink_box(out);
  assert.ok(Math.max(w, h) >= 18 && Math.max(w, h) <= 21, `ink box ${w}×${h}`);
});

Deno.test("scanLikeDigit - stretches a narrow digit towards a square, as frame-normalised scans did", () => {
  const one = digit(index_of(1));
  const [w0, h0] = ink_box(one);
  const rng = makeRng(5);
  for (let k = 0; k < 5; k++) {
    const out = scanLikeDigit(one, rng, STRETCH);
    assert.ok(out);
    const [w, h] = ink_box(out);
    assert.ok(w / h > 1.5 * (w0 / h0), `aspect ${w}/${h} vs the original's ${w0}/${h0}`);
  }
});

Deno.test("scanLikeDigit - the same seed gives the same image; a blank digit gives null", () => {
  const src = digit(3);
  assert.deepEqual(scanLikeDigit(src, makeRng(9)), scanLikeDigit(src, makeRng(9)));
  assert.equal(scanLikeDigit(new Float32Array(784), makeRng(9)), null);
});
