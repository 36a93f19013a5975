import assert from "node:assert/strict";
import { pageEdges } from "./shape_filters.ts";
import { labelComponents } from "./segment.ts";
import { preprocessImage } from "./preprocess.ts";
import type { GreyImage } from "./image_types.ts";
import { canvas, digit, line, toRgba } from "../../tests/recognition/helpers.ts";

const INK = 0.15;

/** The labels `pageEdges` finds in `img`'s ink (darker than half grey). */
function edgesOf(img: GreyImage): number {
  const mask = Uint8Array.from(img.data, (v) => (v < 0.5 ? 1 : 0));
  const { labels, components } = labelComponents(mask, img.width, img.height);
  return pageEdges(components, labels, img.width, img.height).size;
}

/** A photo of an empty page: grainy paper, thin shadows along its top, left and right edges. */
function emptyPage(w: number, h: number): GreyImage {
  const img = canvas(w, h, 0.85);
  let seed = 7;
  for (let i = 0; i < img.data.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    img.data[i] += 0.03 * (seed / 2147483648 - 0.5);
  }
  line(img, 0, 0.5, w, 0.5, 1, INK);
  line(img, 0.5, 0, 0.5, h, 1, INK);
  line(img, w - 0.5, 0, w - 0.5, h, 1, INK);
  return img;
}

Deno.test("shape filters - the edges of a photographed empty page are page edges", () => {
  assert.equal(edgesOf(emptyPage(40, 40)), 1);
  assert.equal(edgesOf(emptyPage(320, 240)), 1);
});

Deno.test("shape filters - a digit cropped to its frame is no page edge", () => {
  for (const d of [0, 1, 4, 7] as const) {
    const img = canvas(16, 16, 0.9);
    digit(img, d, 0, 0, 16, 2, INK);
    assert.equal(edgesOf(img), 0, `${d}`);
  }
  // A 7 whose bar runs along the top edge of a photo.
  const seven = canvas(200, 200, 0.9);
  digit(seven, 7, 40, 0, 200, 10, INK);
  assert.equal(edgesOf(seven), 0);
});

Deno.test("shape filters - an empty page with shadowed edges is blank, a digit on it is read", () => {
  const blank = preprocessImage(toRgba(emptyPage(40, 40)));
  assert.equal(blank.digits.length, 0);
  assert.match(blank.reason!, /^blank/);
  const written = emptyPage(120, 120);
  digit(written, 4, 40, 25, 70, 6, INK);
  assert.equal(preprocessImage(toRgba(written)).digits.length, 1);
});
