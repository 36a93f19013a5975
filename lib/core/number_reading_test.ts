import assert from "node:assert/strict";
import type { DigitCrop, GreyImage } from "./image_types.ts";
import { bestReading, bestTurn, splitInputs } from "./number_reading.ts";
import { loadModel } from "./model_runner.ts";
import { recognize } from "./recognize.ts";
import { initInferenceBackend } from "../server/tf_backend.ts";
import {
  canvas,
  decimalNumber,
  digit,
  inkBox,
  leanRight,
  mnistTestDigits,
  modelPath,
  toRgba,
} from "../../tests/recognition/helpers.ts";

/** Ten probabilities with `p` on `digit` and the rest spread evenly. */
const sure = (top: number, p: number) =>
  Array.from({ length: 10 }, (_, k) => k === top ? p : (1 - p) / 9);

/** A crop 40 px wide, cuts 0–3 at x = 0, 10, 20, 40: pieces 0→2, 2→3 and a wrong chain 0→1, 1→3. */
function cropWithPieces(): DigitCrop {
  const px = new Float32Array(784);
  const piece = (from: number, to: number, x: number, w: number) => ({
    pixels: px,
    box: [x, 0, w, 20] as [number, number, number, number],
    from,
    to,
  });
  return {
    pixels: px,
    box: [0, 0, 40, 20],
    pieces: [piece(0, 2, 0, 20), piece(2, 3, 20, 20), piece(0, 1, 0, 10), piece(1, 3, 10, 30)],
  };
}

Deno.test("number reading - keeps the chain of pieces the classifier reads best, left to right", () => {
  const crop = cropWithPieces();
  assert.equal(splitInputs(crop).length, 4);
  const rows = [sure(1, 0.97), sure(0, 0.95), sure(7, 0.5), sure(4, 0.5)];
  const reading = bestReading(crop, sure(6, 0.3), rows);
  assert.deepEqual(reading.map((r) => r.probabilities.indexOf(Math.max(...r.probabilities))), [
    1,
    0,
  ]);
  assert.deepEqual(reading.map((r) => r.box[0]), [0, 20]);
});

Deno.test("number reading - reads a shape whole when that is as sure as any split", () => {
  const crop = cropWithPieces();
  const rows = [sure(1, 0.9), sure(1, 0.9), sure(7, 0.5), sure(4, 0.5)];
  const reading = bestReading(crop, sure(0, 0.95), rows);
  assert.equal(reading.length, 1);
  assert.deepEqual(reading[0].box, crop.box);
  // No pieces at all: the whole reading.
  assert.equal(bestReading({ ...crop, pieces: undefined }, sure(3, 0.4), []).length, 1);
});

// The first MNIST test digits are 7 2 1 0 4 1 4 9 5 9.
const MNIST_LABELS = [7, 2, 1, 0, 4, 1, 4, 9, 5, 9];

/**
 * MNIST digits `indices`, 5× enlarged, dark on light paper, each placed so
 * its ink overlaps the previous digit's by `overlap` px: one connected shape.
 */
async function touchingNumber(indices: number[], overlap: number) {
  const all = await mnistTestDigits(Math.max(...indices) + 1);
  const s = 5;
  const page = canvas(80 + indices.length * 28 * s, 28 * s + 80, 0.92);
  let x = 40;
  for (const k of indices) {
    const src = all[k], box = inkBox(src, 0.1);
    const left = x - box.x0 * s;
    for (let y = 0; y < 28 * s; y++) {
      for (let xx = box.x0 * s; xx < (box.x1 + 1) * s; xx++) {
        const v = src[Math.floor(y / s) * 28 + Math.floor(xx / s)];
        const i = (40 + y) * page.width + left + xx;
        page.data[i] = Math.min(page.data[i], 0.92 * (1 - 0.9 * v));
      }
    }
    x += (box.x1 - box.x0 + 1) * s - overlap;
  }
  return toRgba(page);
}

Deno.test("number reading - splits touching MNIST digits by reading the candidate pieces", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  for (const indices of [[0, 1, 3], [2, 3, 3], [6, 3, 8]]) {
    const img = await touchingNumber(indices, 6);
    const want = indices.map((k) => MNIST_LABELS[k]).join("");
    const got = recognize(model, img);
    assert.equal(
      got.digits,
      want,
      `touching ${want}: ${got.digits} ${got.predictions.map((p) => p.box)}`,
    );
    // Without the splitting the touching digits are read as fewer shapes.
    assert.ok(recognize(model, img, { splitTouching: false }).digits.length < want.length);
  }
});

Deno.test("number reading - keeps a decimal point and a decimal comma between digits", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  for (const mark of [".", ","] as const) {
    const r = recognize(model, toRgba(decimalNumber(mark)));
    assert.equal(r.digits, "710", `${mark}: digits ${r.digits}`);
    assert.equal(r.reading, `71${mark}0`);
  }
  // No mark: no reading of its own.
  const plain = canvas(700, 300, 0.95);
  digit(plain, 7, 100, 80, 140, 11, 0.05);
  digit(plain, 1, 260, 80, 140, 11, 0.05);
  assert.equal(recognize(model, toRgba(plain)).reading, undefined);
});

/** `img` turned clockwise by 90°, 180° or 270°. */
function turnRaster(img: GreyImage, degrees: 90 | 180 | 270): GreyImage {
  const { width: w, height: h } = img;
  const side = degrees === 180;
  const out = canvas(side ? w : h, side ? h : w, 0);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = img.data[y * w + x];
      if (degrees === 180) out.data[(h - 1 - y) * w + (w - 1 - x)] = v;
      else if (degrees === 90) out.data[x * h + (h - 1 - y)] = v;
      else out.data[(w - 1 - x) * h + y] = v;
    }
  }
  return out;
}

/** MNIST digits `indices` side by side, 5× enlarged, dark on light paper, with gaps. */
async function mnistNumber(indices: number[], step = 24): Promise<GreyImage> {
  const all = await mnistTestDigits(Math.max(...indices) + 1);
  const s = 5;
  const page = canvas(80 + indices.length * step * s, 28 * s + 80, 0.92);
  indices.forEach((k, i) => {
    for (let y = 0; y < 28 * s; y++) {
      for (let x = 0; x < 28 * s; x++) {
        const v = all[k][Math.floor(y / s) * 28 + Math.floor(x / s)];
        const at = (40 + y) * page.width + 40 + i * step * s + x;
        page.data[at] = Math.min(page.data[at], 0.92 * (1 - 0.9 * v));
      }
    }
  });
  return page;
}

Deno.test("number reading - reads a photo turned upside down or sideways the right way up", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  const page = await mnistNumber([4, 0, 1]); // 4 7 2
  assert.equal(recognize(model, toRgba(page)).digits, "472");
  assert.equal(recognize(model, toRgba(page)).turned, undefined);
  for (const degrees of [180, 90, 270] as const) {
    const r = recognize(model, toRgba(turnRaster(page, degrees)));
    assert.equal(r.digits, "472", `turned ${degrees}°: ${r.digits} ${r.turned}`);
    assert.equal(r.turned, (360 - degrees) % 360, `turned ${degrees}°`);
  }
});

Deno.test("number reading - levels a number written on a tilted line", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  const page = await mnistNumber([0, 1, 3, 4]); // 7 2 0 4
  const w = page.width, h = page.height;
  // Tilted by 35°, on a larger sheet.
  const t = (35 * Math.PI) / 180, big = canvas(w + 200, h + 400, 0.92);
  for (let y = 0; y < big.height; y++) {
    for (let x = 0; x < big.width; x++) {
      const dx = x - big.width / 2, dy = y - big.height / 2;
      const sx = Math.round(w / 2 + Math.cos(t) * dx + Math.sin(t) * dy);
      const sy = Math.round(h / 2 - Math.sin(t) * dx + Math.cos(t) * dy);
      if (sx >= 0 && sy >= 0 && sx < w && sy < h) {
        big.data[y * big.width + x] = page.data[sy * w + sx];
      }
    }
  }
  const r = recognize(model, toRgba(big));
  assert.equal(r.digits, "7204", `${r.digits} ${r.turned}`);
  assert.ok(r.turned !== undefined && Math.abs(r.turned + 35) <= 5, `turned ${r.turned}`);
  assert.notEqual(recognize(model, toRgba(big), { levelLine: false }).digits, "7204");
});

Deno.test("number reading - reads slanted digits that overlap in x by standing the line upright", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  // 6 and 9 written close and leaning by 35°: the foot of the 9 reaches under the 6.
  const page = toRgba(leanRight(await mnistNumber([11, 12], 15), 35));
  const r = recognize(model, page);
  assert.equal(r.digits, "69");
  // Sheared, not turned: the reading reports no turn.
  assert.equal(r.turned, undefined);
  assert.notEqual(recognize(model, page, { deslantAbove: 0 }).digits, "69");
});

Deno.test("number reading - keeps the decimal mark of a slanted number, seen once the line stands upright", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  for (const mark of [".", ","] as const) {
    // Leaning by 30°, the point at the foot of the 1 lies under the 0's foot.
    const page = toRgba(leanRight(decimalNumber(mark), 30, 0.95));
    const r = recognize(model, page);
    assert.equal(r.digits, "710", `${mark}: digits ${r.digits}`);
    assert.equal(r.reading, `71${mark}0`);
    assert.equal(r.turned, undefined);
  }
  // As it came alone, the point is lost between the slanted digits.
  const alone = recognize(model, toRgba(leanRight(decimalNumber("."), 30, 0.95)), {
    deslantAbove: 0,
  });
  assert.equal(alone.digits, "710");
  assert.equal(alone.reading, undefined);
});

Deno.test("number reading - keeps an upright 6 that reads as a surer 9 upside down, and a poor image upright", () => {
  const c = (...v: number[]) => v.map((confidence) => ({ confidence }));
  // A 6 at 0.8 upright is a 9 at 0.99 upside down: not clearly better.
  assert.equal(bestTurn([c(0.8), c(0.99)], [0, 180]), 0);
  // Upright gibberish, a sure reading sideways.
  assert.equal(bestTurn([c(0.4, 0.5), c(0.99, 0.97, 0.98), c(0.6)], [0, 90, 270]), 1);
  // Better, but not sure in itself: no sign of a turn.
  assert.equal(bestTurn([c(0.3), c(0.66)], [0, 180]), 0);
});
