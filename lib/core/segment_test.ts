import assert from "node:assert/strict";
import { type Component, labelComponents, removeLines } from "./segment.ts";
import { makeRng } from "./random.ts";
import { withScratch } from "./scratch.ts";

/** 8-connected components by flood fill, numbered in order of their first pixel (raster order). */
function floodFill(mask: Uint8Array, w: number, h: number) {
  const labels = new Int32Array(w * h);
  const components: Component[] = [];
  for (let start = 0; start < w * h; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = components.length + 1;
    const c: Component = { label, x0: w, y0: h, x1: 0, y1: 0, area: 0 };
    const stack = [start];
    labels[start] = label;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % w, y = (i - x) / w;
      c.area++;
      c.x0 = Math.min(c.x0, x), c.y0 = Math.min(c.y0, y);
      c.x1 = Math.max(c.x1, x + 1), c.y1 = Math.max(c.y1, y + 1);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx, ny = y + dy, j = ny * w + nx;
          if (nx < 0 || ny < 0 || nx >= w || ny >= h || !mask[j] || labels[j]) continue;
          labels[j] = label;
          stack.push(j);
        }
      }
    }
    components.push(c);
  }
  return { labels, components };
}

/** Random blobs and strokes: spirals, combs and diagonal chains test the merges. */
function randomMask(seed: number, w: number, h: number, density: number): Uint8Array {
  const random = makeRng(seed);
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = random() < density ? 1 : 0;
  return mask;
}

Deno.test("labelComponents - labels and statistics match a flood fill (8-connected, first pixel order)", () => {
  const sizes: [number, number][] = [[1, 1], [1, 17], [23, 1], [5, 5], [64, 48], [131, 97]];
  for (const [w, h] of sizes) {
    for (const density of [0.05, 0.3, 0.45, 0.6, 0.9]) {
      const mask = randomMask(w * 1000 + density * 100, w, h, density);
      const expected = floodFill(mask, w, h);
      for (const inScratch of [false, true]) {
        const run = () => labelComponents(mask, w, h);
        const got = inScratch ? withScratch(() => structuredClone(run())) : run();
        assert.deepEqual(got.components, expected.components, `${w}×${h} at ${density}`);
        assert.deepEqual([...got.labels], [...expected.labels], `${w}×${h} at ${density}`);
      }
    }
  }
});

Deno.test("labelComponents - a U joined only at its foot and a diagonal staircase are one shape each", () => {
  const rows = [
    "#...#..#....",
    "#...#...#...",
    "#...#....#..",
    "#####.....#.",
  ];
  const w = rows[0].length, h = rows.length;
  const mask = Uint8Array.from(rows.join(""), (ch) => (ch === "#" ? 1 : 0));
  const { components } = labelComponents(mask, w, h);
  assert.deepEqual(components.map((c) => [c.x0, c.y0, c.x1, c.y1, c.area]), [
    [0, 0, 5, 4, 11],
    [7, 0, 11, 4, 4],
  ]);
});

Deno.test("removeLines - a rule across the page goes, the digits crossing it stay", () => {
  const w = 200, h = 120;
  const mask = new Uint8Array(w * h);
  for (let x = 0; x < w; x++) mask[60 * w + x] = mask[61 * w + x] = 1; // the rule
  for (let y = 30; y < 90; y++) mask[y * w + 50] = mask[y * w + 51] = mask[y * w + 52] = 1; // a 1
  assert.equal(removeLines(mask, w, h), 1);
  assert.equal(mask[60 * w + 10], 0, "the rule is gone");
  assert.equal(mask[60 * w + 51], 1, "the stroke crossing it stays");
});

Deno.test("removeLines - with ink in under 60 % of the columns and rows nothing changes", () => {
  const w = 200, h = 150;
  // Dense ink (a bold scribble) in a block 110 wide and 80 tall: no line can span the page.
  const mask = randomMask(3, w, h, 0);
  const random = makeRng(5);
  for (let y = 20; y < 100; y++) {
    for (let x = 30; x < 140; x++) {
      mask[y * w + x] = random() < 0.8 ? 1 : 0;
    }
  }
  const before = mask.slice();
  assert.equal(removeLines(mask, w, h), 0);
  assert.deepEqual(mask, before);
});
