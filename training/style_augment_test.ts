import assert from "node:assert/strict";
import { makeRng } from "../lib/core/random.ts";
import { loadMnistSplit, locateMnist } from "./mnist_files.ts";
import { writingStyleVariant } from "./style_augment.ts";
import { inkBox } from "../tests/recognition/helpers.ts";

const test = await loadMnistSplit(await locateMnist(), "test");
const firstOf = (label: number) => {
  const i = test.labels.indexOf(label);
  return Float32Array.from(test.images.subarray(i * 784, i * 784 + 784), (v) => v / 255);
};

/** Pixels that became ink (> 0.5) in `after` but were not in `before`, as [x, y]. */
function newInk(before: Float32Array, after: Float32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < 784; i++) {
    if (after[i] > 0.5 && before[i] <= 0.5) out.push([i % 28, (i / 28) | 0]);
  }
  return out;
}

Deno.test("writingStyleVariant - crosses a 7's stem with a horizontal bar in its middle", () => {
  const seven = firstOf(7);
  const { y0: top, y1: bottom } = inkBox(seven, 0.3);
  const rng = makeRng(2);
  for (let k = 0; k < 5; k++) {
    const added = newInk(seven, writingStyleVariant(seven, 7, rng, 1));
    assert.ok(added.length >= 6, `only ${added.length} new pixels`);
    const xs = added.map(([x]) => x), ys = added.map(([, y]) => y);
    const wide = Math.max(...xs) - Math.min(...xs), tall = Math.max(...ys) - Math.min(...ys);
    assert.ok(wide > 2 * tall, `the bar is ${wide} wide and ${tall} tall`);
    const mid = ys.reduce((a, b) => a + b) / ys.length;
    const at = (mid - top) / (bottom - top);
    assert.ok(at > 0.3 && at < 0.8, `bar at ${at.toFixed(2)} of the height`);
  }
});

Deno.test("writingStyleVariant - gives a 1 an up-stroke down-left of its top", () => {
  const one = firstOf(1);
  const { y0: top, y1: bottom } = inkBox(one, 0.3);
  const rng = makeRng(3);
  for (let k = 0; k < 5; k++) {
    const flagged = writingStyleVariant(one, 1, rng, 1);
    const added = newInk(one, flagged);
    assert.ok(added.length >= 4, `only ${added.length} new pixels`);
    let topX = 0, n = 0;
    for (let x = 0; x < 28; x++) if (one[top * 28 + x] > 0.3) topX += x, n++;
    topX /= n;
    for (const [x, y] of added) {
      assert.ok(x <= topX + 2, `new ink at x=${x}, right of the top (${topX.toFixed(1)})`);
      assert.ok(y <= top + 0.5 * (bottom - top) + 2, `new ink at y=${y}, low in the digit`);
    }
  }
});

Deno.test("writingStyleVariant - slashes a 0 from bottom left to top right", () => {
  const zero = firstOf(0);
  const rng = makeRng(4);
  for (let k = 0; k < 5; k++) {
    const added = newInk(zero, writingStyleVariant(zero, 0, rng, 1));
    assert.ok(added.length >= 4, `only ${added.length} new pixels`);
    // Up and to the right: x grows as y shrinks.
    const mx = added.reduce((a, [x]) => a + x, 0) / added.length;
    const my = added.reduce((a, [, y]) => a + y, 0) / added.length;
    const cov = added.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
    assert.ok(cov < 0, `the slash runs the wrong way (covariance ${cov})`);
  }
});

Deno.test("writingStyleVariant - leaves other digits, and 1s and 7s not drawn, unchanged", () => {
  const three = firstOf(3);
  assert.equal(writingStyleVariant(three, 3, makeRng(1), 1), three);
  const seven = firstOf(7);
  assert.equal(writingStyleVariant(seven, 7, makeRng(1), 0), seven);
});
