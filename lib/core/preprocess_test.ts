import assert from "node:assert/strict";
import type { GreyImage, RasterImage } from "./image_types.ts";
import { preprocessImage } from "./preprocess.ts";
import { MNIST_SIZE, strokeWidth } from "./mnist_frame.ts";
import {
  canvas,
  digit,
  inkBox,
  leanRight,
  line,
  mnistTestDigits,
  toRgba,
} from "../../tests/recognition/helpers.ts";
import { makeRng } from "./random.ts";

/** Centre of mass and ink bounding box of a 28×28 crop. */
function geometry(px: Float32Array) {
  let m = 0, sx = 0, sy = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = px[y * 28 + x];
      m += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  const { w, h } = inkBox(px, 0.05);
  return { cx: sx / m, cy: sy / m, w, h };
}

/** Pearson correlation of two equal-length arrays. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Best correlation over shifts of up to one pixel: MNIST's rounding of the centre may differ. */
function shiftedCorrelation(a: Float32Array, b: Float32Array): number {
  let best = -1;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const s = new Float32Array(784);
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const sx = x + dx, sy = y + dy;
          if (sx >= 0 && sy >= 0 && sx < 28 && sy < 28) s[y * 28 + x] = a[sy * 28 + sx];
        }
      }
      best = Math.max(best, correlation(s, b));
    }
  }
  return best;
}

/** A page (dark ink on light paper) with a 7 of height 120 at (x, y). */
function pageWithSeven(x = 260, y = 180, w = 640, h = 480): GreyImage {
  const img = canvas(w, h, 0.92);
  digit(img, 7, x, y, 120, 9, 0.1);
  return img;
}

function oneDigit(image: RasterImage) {
  const r = preprocessImage(image);
  assert.equal(
    r.digits.length,
    1,
    `expected one digit, got ${r.digits.length} (${r.reason ?? ""})`,
  );
  return r.digits[0];
}

Deno.test("preprocess - centres the digit by its centre of mass and fits it in 20×20", () => {
  for (const [x, y] of [[20, 20], [500, 330], [260, 180]]) {
    const d = oneDigit(toRgba(pageWithSeven(x, y)));
    assert.equal(d.pixels.length, MNIST_SIZE * MNIST_SIZE);
    const g = geometry(d.pixels);
    assert.ok(
      Math.abs(g.cx - 14.5) <= 1 && Math.abs(g.cy - 14.5) <= 1,
      `centre of mass at ${g.cx}, ${g.cy}`,
    );
    assert.ok(g.h <= 21 && g.h >= 19, `height ${g.h}`);
    assert.ok(g.w <= 20, `width ${g.w}`);
    // The box is in input pixels, around where the 7 was drawn (72×120 plus the stroke).
    const [bx, by, bw, bh] = d.box;
    assert.ok(Math.abs(bx - (x - 5)) <= 4 && Math.abs(by - (y - 5)) <= 4, `box ${d.box}`);
    assert.ok(Math.abs(bw - 82) <= 6 && Math.abs(bh - 130) <= 6, `box ${d.box}`);
  }
});

Deno.test("preprocess - keeps the aspect ratio of a narrow 1", () => {
  const img = canvas(300, 300, 1);
  digit(img, 1, 120, 60, 180, 12, 0);
  const g = geometry(oneDigit(toRgba(img)).pixels);
  assert.ok(g.h >= 19 && g.h <= 21, `height ${g.h}`);
  assert.ok(g.w <= 12, `a 1 must stay narrow, width ${g.w}`);
});

Deno.test("preprocess - reads dark-on-light and light-on-dark alike", () => {
  const darkOnLight = pageWithSeven();
  const lightOnDark: GreyImage = { ...darkOnLight, data: darkOnLight.data.map((v) => 1 - v) };
  const a = preprocessImage(toRgba(darkOnLight));
  const b = preprocessImage(toRgba(lightOnDark));
  assert.equal(a.inverted, true);
  assert.equal(b.inverted, false);
  assert.ok(correlation(a.digits[0].pixels, b.digits[0].pixels) > 0.98);
});

Deno.test("preprocess - reproduces MNIST digits drawn large on a photo-like page", async () => {
  const digits = await mnistTestDigits(12);
  for (const [k, src] of digits.entries()) {
    // Dark ink on grey paper, 12× enlarged, off-centre, with a shadow gradient.
    const page = canvas(640, 480, 0);
    for (let y = 0; y < 480; y++) {
      for (let x = 0; x < 640; x++) {
        const paper = 0.9 - 0.35 * (x / 640);
        const v = src[Math.floor((y - 60) / 12) * 28 + Math.floor((x - 150) / 12)] ?? 0;
        const inside = x >= 150 && x < 150 + 336 && y >= 60 && y < 60 + 336;
        page.data[y * 640 + x] = inside ? paper * (1 - 0.85 * v) : paper;
      }
    }
    const d = oneDigit(toRgba(page));
    const c = shiftedCorrelation(d.pixels, src);
    assert.ok(c > 0.8, `MNIST test digit ${k}: correlation ${c.toFixed(3)}`);
  }
});

Deno.test("preprocess - copes with a rotated digit", () => {
  const upright = pageWithSeven();
  const rotated = canvas(640, 480, 0.92);
  const a = (20 * Math.PI) / 180, cx = 320, cy = 240;
  for (let y = 0; y < 480; y++) {
    for (let x = 0; x < 640; x++) {
      // Inverse rotation: sample the upright page.
      const sx = Math.round(cx + (x - cx) * Math.cos(a) + (y - cy) * Math.sin(a));
      const sy = Math.round(cy - (x - cx) * Math.sin(a) + (y - cy) * Math.cos(a));
      if (sx >= 0 && sy >= 0 && sx < 640 && sy < 480) {
        rotated.data[y * 640 + x] = upright.data[sy * 640 + sx];
      }
    }
  }
  const g = geometry(oneDigit(toRgba(rotated)).pixels);
  assert.ok(Math.abs(g.cx - 14.5) <= 1 && Math.abs(g.cy - 14.5) <= 1);
  assert.ok(Math.max(g.w, g.h) >= 19 && Math.max(g.w, g.h) <= 21);
});

Deno.test("preprocess - thickens thin pen strokes towards MNIST's width", () => {
  const img = canvas(800, 600, 0.85);
  digit(img, 4, 300, 100, 400, 2, 0.2);
  const d = oneDigit(toRgba(img));
  const sw = strokeWidth({ width: 28, height: 28, data: d.pixels });
  assert.ok(sw >= 1.8 && sw <= 4, `stroke width ${sw.toFixed(2)} px`);
});

Deno.test("preprocess - levels a strong shadow gradient", () => {
  const clean = oneDigit(toRgba(pageWithSeven())).pixels;
  const shaded = pageWithSeven();
  for (let y = 0; y < 480; y++) {
    for (let x = 0; x < 640; x++) {
      // A shadow darkening the lower left corner to a third of the light.
      const shade = 1 - 0.65 * Math.max(0, 1 - Math.hypot(x, 480 - y) / 500);
      shaded.data[y * 640 + x] *= shade;
    }
  }
  const d = oneDigit(toRgba(shaded));
  assert.ok(correlation(d.pixels, clean) > 0.9);
});

Deno.test("preprocess - ignores ruled lines and a margin line", () => {
  const clean = oneDigit(toRgba(pageWithSeven())).pixels;
  const ruled = pageWithSeven();
  for (let y = 30; y < 480; y += 45) line(ruled, 0, y, 640, y + 6, 2, 0.55);
  line(ruled, 60, 0, 60, 480, 2, 0.5);
  const d = oneDigit(toRgba(ruled));
  assert.ok(correlation(d.pixels, clean) > 0.85, `correlation ${correlation(d.pixels, clean)}`);
});

Deno.test("preprocess - handles coloured ink on coloured paper", () => {
  const img = pageWithSeven();
  // Yellowish paper, blue ink.
  const rgba = toRgba(img);
  for (let i = 0; i < img.data.length; i++) {
    const ink = img.data[i] < 0.5;
    rgba.data.set(ink ? [30, 50, 170] : [245, 225, 140], i * 4);
  }
  oneDigit(rgba);
});

Deno.test("preprocess - splits a number into digits, left to right", () => {
  const img = canvas(900, 300, 0.95);
  const order = [1, 7, 4, 0] as const;
  order.forEach((d, i) => digit(img, d, 120 + i * 170, 80 + (i % 2) * 15, 130, 10, 0.05));
  // A full stop between the second and third digit belongs to neither.
  line(img, 388, 208, 390, 208, 12, 0.05);
  const r = preprocessImage(toRgba(img));
  assert.equal(r.digits.length, 4);
  assert.ok(r.digits[1].box[0] + r.digits[1].box[2] < 380, `second box ${r.digits[1].box}`);
  assert.ok(r.digits[2].box[0] > 400, `third box ${r.digits[2].box}`);
  const xs = r.digits.map((d) => d.box[0]);
  assert.deepEqual(xs, [...xs].sort((a, b) => a - b));
  for (let i = 1; i < 4; i++) {
    const prev = r.digits[i - 1].box;
    assert.ok(prev[0] + prev[2] <= r.digits[i].box[0], "digit boxes must not overlap");
  }
});

Deno.test("preprocess - merges the pieces of a broken digit", () => {
  // A 7 whose bar is not connected to its stem, and a 4 drawn as two strokes.
  const img = canvas(600, 300, 1);
  line(img, 100, 80, 190, 80, 9, 0);
  line(img, 185, 98, 135, 230, 9, 0);
  line(img, 400, 80, 350, 180, 9, 0);
  line(img, 350, 180, 440, 180, 9, 0);
  line(img, 425, 120, 425, 240, 9, 0);
  const r = preprocessImage(toRgba(img));
  assert.equal(r.digits.length, 2, `got ${r.digits.length} digits`);
});

Deno.test("preprocess - drops specks around a digit", () => {
  const img = pageWithSeven();
  const r = makeRng(3);
  for (let k = 0; k < 60; k++) {
    const x = Math.floor(r() * 640), y = Math.floor(r() * 480);
    line(img, x, y, x + 1, y, 2 + r() * 2, 0.2);
  }
  const d = oneDigit(toRgba(img));
  const [, , bw, bh] = d.box;
  assert.ok(bw < 100 && bh < 140, `the box should hold only the 7: ${d.box}`);
});

Deno.test("preprocess - says there is no digit in blank, uniform or noise images", () => {
  const r = makeRng(5);
  const cases: [string, GreyImage][] = [
    ["white", canvas(640, 480, 1)],
    ["grey", canvas(300, 200, 0.4)],
    ["black", canvas(28, 28, 0)],
    ["noise", {
      width: 320,
      height: 240,
      data: Float32Array.from({ length: 320 * 240 }, () => r()),
    }],
    ["faint noise", {
      width: 320,
      height: 240,
      data: Float32Array.from({ length: 320 * 240 }, () => 0.6 + 0.1 * r()),
    }],
    ["gradient", {
      width: 400,
      height: 300,
      data: Float32Array.from({ length: 400 * 300 }, (_, i) => 0.3 + 0.6 * ((i % 400) / 400)),
    }],
  ];
  for (const [name, img] of cases) {
    const res = preprocessImage(toRgba(img));
    assert.equal(res.digits.length, 0, `${name}: found ${res.digits.length} digits`);
    assert.ok(res.reason, `${name}: a reason is given`);
  }
});

Deno.test("preprocess - reads strokes on a transparent canvas, black or white", () => {
  for (const ink of [0, 255]) {
    const w = 200, h = 200;
    const data = new Uint8Array(w * h * 4);
    const shape = canvas(w, h, 0);
    digit(shape, 7, 60, 40, 120, 10, 1);
    for (let i = 0; i < w * h; i++) {
      data.set([ink, ink, ink, Math.round(shape.data[i] * 255)], i * 4);
    }
    oneDigit({ width: w, height: h, data, channels: 4 });
  }
});

Deno.test("preprocess - accepts grey rasters and tiny MNIST-sized inputs", async () => {
  const [src] = await mnistTestDigits(1);
  const grey = Uint8Array.from(src, (v) => Math.round(v * 255));
  const d = oneDigit({ width: 28, height: 28, data: grey, channels: 1 });
  assert.ok(shiftedCorrelation(d.pixels, src) > 0.95);
});

Deno.test("preprocess - shrinks a 12 MP photo to the working size before anything else", () => {
  const w = 4032, h = 3024;
  const data = new Uint8Array(w * h * 4).fill(230);
  // A dark 7 about 1200 px tall, drawn directly at full resolution.
  const small = canvas(w / 8, h / 8, 0);
  digit(small, 7, 200, 100, 160, 5, 1);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (small.data[(y >> 3) * (w / 8) + (x >> 3)] > 0.5) {
        data.fill(40, (y * w + x) * 4, (y * w + x) * 4 + 3);
      }
    }
  }
  const r = preprocessImage({ width: w, height: h, data });
  assert.equal(r.digits.length, 1);
  // The cost is bounded by the working image, whatever the photo's size (speed: BENCHMARKS.md).
  assert.ok(r.workSize[0] * r.workSize[1] <= 640 * 480 + 1000, `work size ${r.workSize}`);
  assert.ok(Math.abs(r.workSize[0] / r.workSize[1] - w / h) < 0.01, "the aspect is kept");
  // A smaller limit on the longer side wins over the area budget.
  const capped = preprocessImage({ width: w, height: h, data }, { maxWorkSide: 400 });
  assert.equal(Math.max(...capped.workSize), 400);
  assert.equal(capped.digits.length, 1);
  // Boxes still come back in pixels of the full photo.
  const [bx, by] = r.digits[0].box;
  assert.ok(Math.abs(bx - 1600) < 80 && Math.abs(by - 800) < 80, `box ${r.digits[0].box}`);
});

Deno.test("preprocess - ignores the dark table around a photographed page", () => {
  const w = 800, h = 600;
  const img = canvas(w, h, 0.18);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // A slightly rotated sheet running off the bottom of the picture, lit unevenly.
      const xr = x - (y - 300) * 0.05;
      if (xr > 120 && xr < 690 && y > 50) img.data[y * w + x] = 0.85 - 0.2 * (y / h);
    }
  }
  digit(img, 4, 330, 180, 200, 10, 0.15);
  const d = oneDigit(toRgba(img));
  const [bx, by, bw, bh] = d.box;
  assert.ok(
    Math.abs(bx - 325) < 15 && Math.abs(by - 175) < 15 && bw < 150 && bh < 230,
    `box ${d.box}`,
  );
});

Deno.test("preprocess - keeps a large digit that touches the picture's edges", () => {
  const img = canvas(300, 300, 1);
  digit(img, 1, 110, -5, 320, 20, 0);
  const g = geometry(oneDigit(toRgba(img)).pixels);
  assert.ok(g.h >= 19 && g.w <= 14, `${g.w}×${g.h}`);
});

Deno.test("preprocess - finds a digit in a grainy photo", () => {
  const clean = oneDigit(toRgba(pageWithSeven())).pixels;
  const img = pageWithSeven();
  const r = makeRng(9);
  for (let i = 0; i < img.data.length; i++) {
    // Gaussian grain, σ = 0.15 (Box–Muller).
    img.data[i] += 0.15 * Math.sqrt(-2 * Math.log(r() + 1e-9)) * Math.cos(2 * Math.PI * r());
  }
  const d = oneDigit(toRgba(img));
  assert.ok(correlation(d.pixels, clean) > 0.8, `correlation ${correlation(d.pixels, clean)}`);
});

Deno.test("preprocess - reads digits written in the boxes of a form", () => {
  const img = canvas(700, 260, 0.95);
  ([7, 1, 4] as const).forEach((d, i) => {
    const x = 80 + i * 190;
    line(img, x, 40, x + 150, 40, 3, 0.3);
    line(img, x, 220, x + 150, 220, 3, 0.3);
    line(img, x, 40, x, 220, 3, 0.3);
    line(img, x + 150, 40, x + 150, 220, 3, 0.3);
    digit(img, d, x + 40, 70, 120, 9, 0.1);
  });
  const r = preprocessImage(toRgba(img));
  assert.equal(r.digits.length, 3);
  for (const d of r.digits) {
    assert.ok(d.box[3] < 140, `box ${d.box} should hold the digit, not its field`);
  }
});

Deno.test("preprocess - keeps a square-ish 0", () => {
  const img = canvas(200, 200, 1);
  for (
    const [x0, y0, x1, y1] of [[50, 40, 150, 40], [150, 40, 150, 160], [150, 160, 50, 160], [
      50,
      160,
      50,
      40,
    ]]
  ) {
    line(img, x0, y0, x1, y1, 12, 0);
  }
  oneDigit(toRgba(img));
});

Deno.test("preprocess - leaves out an underline, under a number or a single digit", () => {
  const img = canvas(900, 300, 0.95);
  ([1, 7, 4, 0] as const).forEach((d, i) => digit(img, d, 120 + i * 170, 60, 130, 10, 0.05));
  line(img, 100, 225, 700, 232, 6, 0.05);
  const r = preprocessImage(toRgba(img));
  assert.equal(r.digits.length, 4);
  for (const d of r.digits) {
    assert.ok(d.box[1] + d.box[3] < 210, `box ${d.box} should end above the underline`);
  }

  const single = pageWithSeven();
  line(single, 250, 320, 350, 322, 6, 0.1);
  const s = oneDigit(toRgba(single));
  assert.ok(s.box[1] + s.box[3] < 315, `box ${s.box} should end above the underline`);
});

Deno.test("preprocess - offers narrower renderings of a digit stretched to its tiny frame", () => {
  // A Semeion-style 16×16 scan: a flagged 1 stretched to fill the frame.
  const rows = [
    "............####",
    "...........#####",
    "..........######",
    ".........#####..",
    "........######..",
    "......####.###..",
    "....###....###..",
    "#####......###..",
    "...........###..",
    "...........###..",
    "...........###..",
    "...........###..",
    "...........###..",
    "...........###..",
    "...........###..",
    "...........###..",
  ];
  const data = Uint8Array.from(rows.join(""), (c) => (c === "#" ? 0 : 255));
  const d = oneDigit({ width: 16, height: 16, data, channels: 1 });
  assert.equal(d.alternatives?.length, 3);
  const widths = [d.pixels, ...d.alternatives!].map((p) => geometry(p).w);
  assert.ok(widths[3] < widths[0] * 0.6, `widths ${widths}`);
  // A digit with margins around it keeps its shape: no alternatives.
  assert.equal(oneDigit(toRgba(pageWithSeven())).alternatives, undefined);
});

Deno.test("preprocess - leaves out the bold rules of a strip of form cells, the cell walls included", () => {
  // A one-line form field cut out of a scan: 12 cells with 5 px walls, six filled.
  const img = canvas(1200, 100, 0.97);
  line(img, 0, 10, 1200, 10, 5, 0.1);
  line(img, 0, 90, 1200, 90, 5, 0.1);
  for (let x = 20; x < 1200; x += 95) line(img, x, 10, x, 90, 5, 0.1);
  const written = [0, 7, 1, 4, 0, 1] as const;
  written.forEach((d, i) => digit(img, d, 20 + 95 * i + 30, 25, 50, 5, 0.05));
  const r = preprocessImage(toRgba(img));
  assert.equal(r.digits.length, written.length, r.digits.map((d) => d.box).join(" | "));
  r.digits.forEach((d, i) => {
    const cell = 20 + 95 * i;
    assert.ok(d.box[0] > cell + 5 && d.box[0] + d.box[2] < cell + 95, `digit ${i}: ${d.box}`);
  });
});

Deno.test("preprocess - reads small digits beside a scanner's dark margin and the page's edge", () => {
  // A narrow strip cut from a scanned register: black margin on the left,
  // the page's edge a broken dark line beside it, a small number further in.
  const img = canvas(110, 200, 0.93);
  for (let y = 0; y < 200; y++) for (let x = 0; x < 18; x++) img.data[y * 110 + x] = 0.04;
  line(img, 23, -5, 23, 50, 5, 0.15);
  digit(img, 4, 50, 110, 24, 2.5, 0.1);
  digit(img, 1, 68, 110, 24, 2.5, 0.1);
  const r = preprocessImage(toRgba(img));
  assert.equal(r.digits.length, 2, r.digits.map((d) => d.box).join(" | "));
  for (const d of r.digits) assert.ok(d.box[0] > 40, `box ${d.box} should hold a digit`);
});

Deno.test("preprocess - leaves out a brighter band along the edge of a 28×28 light-on-dark crop", () => {
  for (const side of ["left", "right", "top"] as const) {
    const img = canvas(28, 28, 0.08);
    digit(img, 7, 9, 5, 18, 2.2, 0.95);
    for (let k = 0; k < 28; k++) {
      for (let t = 0; t < 2; t++) {
        const [x, y] = side === "left" ? [t, k] : side === "right" ? [27 - t, k] : [k, t];
        img.data[y * 28 + x] = 0.6;
      }
    }
    const r = preprocessImage(toRgba(img));
    assert.equal(r.digits.length, 1, `${side}: ${r.digits.map((d) => d.box).join(" | ")}`);
    const [x, y, w, h] = r.digits[0].box;
    assert.ok(x >= 5 && y >= 3 && x + w <= 24 && h <= 22, `${side}: box ${r.digits[0].box}`);
  }
});

Deno.test("preprocess - removes the line a small cut-out number is written on, touching its digits", () => {
  const img = canvas(130, 60, 0.93);
  ([7, 1, 4] as const).forEach((d, i) => digit(img, d, 14 + i * 38, 8, 40, 3, 0.1));
  line(img, 0, 49, 130, 50, 2, 0.2);
  const r = preprocessImage(toRgba(img));
  assert.equal(r.digits.length, 3, r.digits.map((d) => d.box).join(" | "));
  for (const d of r.digits) assert.ok(d.box[2] < 40, `box ${d.box} should hold one digit`);
});

Deno.test("preprocess - offers slanted digits that overlap in x sheared upright, and upright writing as it is", () => {
  // "101" written close, leaning by 35°: the boxes of the leaning 1 and 0 overlap so far
  // that they group into one shape.
  const page = canvas(420, 220, 0.92);
  digit(page, 1, 60, 40, 140, 9, 0.1);
  digit(page, 0, 130, 40, 140, 9, 0.1);
  digit(page, 1, 200, 40, 140, 9, 0.1);
  assert.equal(preprocessImage(toRgba(page)).digits.length, 3);
  const r = preprocessImage(toRgba(leanRight(page, 35)));
  assert.equal(r.digits.length, 2);
  const slanted = r.turned?.find((t) => t.slant !== undefined);
  assert.ok(slanted, "no upright reading offered");
  assert.equal(slanted.degrees, 0);
  assert.ok(Math.abs(slanted.slant! - 35) <= 5, `slant ${slanted.slant}`);
  assert.equal(slanted.digits.length, 3);
  // Its boxes are in the slanted image's pixels, left to right, each within the image.
  const width = 420 + Math.ceil(Math.tan((35 * Math.PI) / 180) * 220);
  const xs = slanted.digits.map((d) => d.box[0]);
  assert.deepEqual(xs, [...xs].sort((a, b) => a - b));
  for (const [x, y, w, h] of slanted.digits.map((d) => d.box)) {
    assert.ok(x >= 0 && y >= 0 && x + w <= width && y + h <= 220, `box ${[x, y, w, h]}`);
  }
  // Upright writing is not sheared, nor is slanted writing when asked not to.
  assert.equal(preprocessImage(toRgba(page)).turned?.some((t) => t.slant !== undefined), false);
  assert.equal(
    preprocessImage(toRgba(leanRight(page, 35)), { deslantAbove: 0 }).turned?.some((t) =>
      t.slant !== undefined
    ),
    false,
  );
});
