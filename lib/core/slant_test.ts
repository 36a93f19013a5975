import assert from "node:assert/strict";
import { estimateSlant, shearGrey } from "./slant.ts";
import type { GreyImage } from "./image_types.ts";

/** Ink pixels of three parallel strokes 30 px tall leaning by `degrees` (tops to the right). */
function strokes(degrees: number): { xs: number[]; ys: number[] } {
  const t = Math.tan((degrees * Math.PI) / 180);
  const xs: number[] = [], ys: number[] = [];
  for (const base of [20, 40, 60]) {
    for (let y = 0; y < 30; y++) {
      for (let d = 0; d < 2; d++) xs.push(Math.round(base + d + t * (30 - y))), ys.push(y);
    }
  }
  return { xs, ys };
}

Deno.test("slant - finds how far strokes lean, either way, and none for upright ones", () => {
  for (const degrees of [0, 20, 35, -25]) {
    const { xs, ys } = strokes(degrees);
    const found = estimateSlant(xs, ys);
    assert.ok(Math.abs(found - degrees) <= 2.5, `${degrees}° found as ${found}°`);
  }
  assert.equal(estimateSlant([], []), 0);
});

Deno.test("slant - shearing stands a leaning stroke upright and maps its box back", () => {
  // A dark stroke leaning right by 30° on light paper.
  const w = 60, h = 40, t = Math.tan((30 * Math.PI) / 180);
  const data = new Float32Array(w * h).fill(0.9);
  for (let y = 5; y < 35; y++) {
    const x = Math.round(15 + t * (35 - y));
    data[y * w + x] = data[y * w + x + 1] = 0.1;
  }
  const img: GreyImage = { width: w, height: h, data };
  const { image, back } = shearGrey(img, 30);
  // Each row's darkest column: upright, they all lie within a pixel or two.
  const columns: number[] = [];
  for (let y = 5; y < 35; y++) {
    let best = 0;
    for (let x = 0; x < image.width; x++) {
      if (image.data[y * image.width + x] < image.data[y * image.width + best]) best = x;
    }
    columns.push(best);
  }
  assert.ok(Math.max(...columns) - Math.min(...columns) <= 2, `columns ${columns}`);
  // Paper stays paper where the shear uncovers the canvas.
  assert.ok(Math.abs(image.data[0] - 0.9) < 1e-6);
  // The upright stroke's box maps back onto the leaning one's.
  const x = Math.min(...columns);
  const box = back({ x0: x, y0: 5, x1: x + 3, y1: 35 });
  assert.ok(box.x0 <= 16 && box.x1 >= 15 + t * 30, `box ${JSON.stringify(box)}`);
  assert.deepEqual([box.y0, box.y1], [5, 35]);
});
