import assert from "node:assert/strict";
import { enclosedMarks } from "./enclosed_marks.ts";
import { labelComponents } from "./segment.ts";
import { preprocessImage } from "./preprocess.ts";
import type { GreyImage } from "./image_types.ts";
import { canvas, digit, ellipse, line, toRgba } from "../../tests/recognition/helpers.ts";

const INK = 0.12;

/** Dark ink on light paper, drawn by `draw` on a w×h page. */
function page(w: number, h: number, draw: (img: GreyImage) => void) {
  const img = canvas(w, h, 0.93);
  draw(img);
  return img;
}

/** A filled dot: a small ellipse drawn thick enough to close. */
function dot(img: GreyImage, cx: number, cy: number, r: number) {
  line(img, cx, cy, cx + 0.01, cy, 2 * r, INK);
}

/** The marks enclosed by the one shape made of every component of `img`'s ink. */
function marksOf(img: GreyImage): number {
  const mask = Uint8Array.from(img.data, (v) => (v < 0.5 ? 1 : 0));
  const { labels, components } = labelComponents(mask, img.width, img.height);
  const shape = {
    labels: components.map((c) => c.label),
    x0: Math.min(...components.map((c) => c.x0)),
    y0: Math.min(...components.map((c) => c.y0)),
    x1: Math.max(...components.map((c) => c.x1)),
    y1: Math.max(...components.map((c) => c.y1)),
  };
  return enclosedMarks(shape, components, labels, img.width);
}

/** A face: outline, two dot eyes and a nose, each a separate mark. */
const face = (img: GreyImage) => {
  ellipse(img, 100, 100, 70, 80, 6, INK);
  dot(img, 75, 80, 5);
  dot(img, 125, 80, 5);
  line(img, 100, 95, 100, 115, 5, INK);
};

Deno.test("enclosed marks - a face holds its eyes and nose inside its outline", () => {
  assert.equal(marksOf(page(200, 200, face)), 3);
});

Deno.test("enclosed marks - a digit's loops are empty", () => {
  for (const d of [0, 4] as const) {
    assert.equal(marksOf(page(200, 200, (img) => digit(img, d, 50, 20, 160, 8, INK))), 0);
  }
  // An 8: two loops touching, nothing inside either.
  const eight = page(200, 220, (img) => {
    ellipse(img, 100, 60, 40, 40, 8, INK);
    ellipse(img, 100, 150, 50, 50, 8, INK);
  });
  assert.equal(marksOf(eight), 0);
});

Deno.test("enclosed marks - marks outside the outline or in an open shape do not count", () => {
  // Eyes beside the face, not in it.
  const beside = page(300, 200, (img) => {
    ellipse(img, 100, 100, 70, 80, 6, INK);
    dot(img, 230, 80, 5);
    dot(img, 260, 80, 5);
  });
  assert.equal(marksOf(beside), 0);
  // A C-shaped outline leaks: its dots are not enclosed.
  const open = page(200, 200, (img) => {
    for (let k = 0; k < 30; k++) {
      const a = 0.6 + (k / 29) * (2 * Math.PI - 1.2),
        b = 0.6 + ((k + 1) / 29) * (2 * Math.PI - 1.2);
      line(
        img,
        100 + 70 * Math.cos(a),
        100 + 80 * Math.sin(a),
        100 + 70 * Math.cos(b),
        100 + 80 * Math.sin(b),
        6,
        INK,
      );
    }
    dot(img, 80, 80, 5);
    dot(img, 80, 120, 5);
  });
  assert.equal(marksOf(open), 0);
  // A speck of noise is no mark.
  const speck = page(200, 200, (img) => {
    ellipse(img, 100, 100, 70, 80, 6, INK);
    img.data[100 * 200 + 90] = INK;
  });
  assert.equal(marksOf(speck), 0);
});

Deno.test("enclosed marks - preprocessing tells the crop of a smiley with dot eyes, not of a 0", () => {
  const smiley = preprocessImage(toRgba(page(200, 200, face)));
  assert.equal(smiley.digits.length, 1);
  assert.ok((smiley.digits[0].enclosedMarks ?? 0) >= 2, `${smiley.digits[0].enclosedMarks}`);
  assert.equal(smiley.turned?.[0].digits[0].enclosedMarks, smiley.digits[0].enclosedMarks);
  const zero = preprocessImage(toRgba(page(200, 200, (img) => digit(img, 0, 50, 20, 160, 8, INK))));
  assert.equal(zero.digits.length, 1);
  assert.equal(zero.digits[0].enclosedMarks, undefined);
});
