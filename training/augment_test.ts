import assert from "node:assert/strict";
import {
  augmentBatch,
  augmentDigit,
  type AugmentOptions,
  DEFAULT_AUGMENT,
  shuffledIndices,
} from "./augment.ts";
import { loadMnistSplit, locateMnist } from "./mnist_files.ts";
import { makeRng } from "../lib/core/random.ts";

const test = await loadMnistSplit(await locateMnist(), "test");
const first = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

Deno.test("augment - fills 784 values per digit, all within [0,1]", () => {
  const out = new Float32Array(64 * 784).fill(-1);
  augmentBatch(test.images, first(64), out, makeRng(1));
  for (const v of out) assert.ok(v >= 0 && v <= 1, `value ${v} out of range`);
  // Every digit still has ink after augmentation.
  for (let b = 0; b < 64; b++) {
    const ink = out.subarray(b * 784, b * 784 + 784).reduce((a, v) => a + v, 0);
    assert.ok(ink > 10, `digit ${b} lost its ink (${ink})`);
  }
});

Deno.test("augment - the same seed gives the same images, another seed different ones", () => {
  const a = new Float32Array(16 * 784),
    b = new Float32Array(16 * 784),
    c = new Float32Array(16 * 784);
  augmentBatch(test.images, first(16), a, makeRng(7));
  augmentBatch(test.images, first(16), b, makeRng(7));
  augmentBatch(test.images, first(16), c, makeRng(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("augment - with every range at zero it is the identity (scaled to [0,1])", () => {
  const none: AugmentOptions = {
    ...DEFAULT_AUGMENT,
    rotationDeg: 0,
    scale: [1, 1],
    aspect: 0,
    shear: 0,
    shiftPx: 0,
    thicknessP: 0,
    blurP: 0,
    noiseP: 0,
    contrastP: 0,
  };
  const out = new Float32Array(784);
  augmentDigit(test.images.subarray(0, 784), out, 0, makeRng(3), none);
  for (let i = 0; i < 784; i++) assert.ok(Math.abs(out[i] - test.images[i] / 255) < 1e-5);
  const plain = new Float32Array(784);
  augmentBatch(test.images, [0], plain, makeRng(3), null);
  assert.deepEqual(plain, out.map((v) => Math.fround(v)));
});

Deno.test("augment - keeps the digit roughly centred and of similar ink mass", () => {
  const n = 200;
  const out = new Float32Array(n * 784);
  augmentBatch(test.images, first(n), out, makeRng(11));
  let ratioSum = 0;
  for (let b = 0; b < n; b++) {
    let ink = 0, cx = 0, cy = 0, orig = 0;
    for (let i = 0; i < 784; i++) {
      const v = out[b * 784 + i];
      ink += v;
      cx += v * (i % 28);
      cy += v * Math.floor(i / 28);
      orig += test.images[b * 784 + i] / 255;
    }
    assert.ok(
      Math.abs(cx / ink - 13.5) < 6 && Math.abs(cy / ink - 13.5) < 6,
      `digit ${b} drifted off-centre`,
    );
    ratioSum += ink / orig;
  }
  const meanRatio = ratioSum / n;
  assert.ok(meanRatio > 0.7 && meanRatio < 1.5, `mean ink ratio ${meanRatio}`);
});

Deno.test("augment - seeded shuffles are permutations and reproducible", () => {
  const a = shuffledIndices(1000, makeRng(5));
  assert.deepEqual([...a].sort((x, y) => x - y), [...first(1000)]);
  assert.deepEqual(a, shuffledIndices(1000, makeRng(5)));
  assert.notDeepEqual(a, shuffledIndices(1000, makeRng(6)));
});
