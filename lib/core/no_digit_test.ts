import assert from "node:assert/strict";
import { judgeShapes, kindOfPreprocessReason, scatteredShapes } from "./no_digit.ts";
import { loadModelWithHead } from "./model_runner.ts";
import { recognize } from "./recognize.ts";
import { initInferenceBackend } from "../server/tf_backend.ts";
import type { Box, GreyImage } from "./image_types.ts";
import {
  canvas,
  digit,
  ellipse,
  line,
  mnistTestDigits,
  modelPath,
  polyline,
  toRgba,
} from "../../tests/recognition/helpers.ts";

Deno.test("no digit - the share of rejected shapes decides for the image", () => {
  const box: Box = [0, 0, 10, 20];
  const digitLike = { box, classes: [0.9, 0.05, 0.03, 0.02] };
  const letter = { box, classes: [0.2, 0.7, 0.05, 0.05] };
  assert.equal(judgeShapes([digitLike, digitLike, letter]).noDigit, false);
  assert.equal(judgeShapes([digitLike, letter, letter]).noDigit, true);
  assert.equal(judgeShapes([letter]).kind, "writing", "a lone letter is writing");
  assert.deepEqual(judgeShapes([digitLike, digitLike, letter]).dropped, [false, false, false]);
  assert.equal(judgeShapes([digitLike, letter], { imageShare: 0.9 }).noDigit, false);
  // The digit model's certainty wins over the head's doubt.
  assert.equal(judgeShapes([{ ...letter, confidence: 0.99 }]).noDigit, false);
  assert.equal(judgeShapes([{ ...letter, confidence: 0.6 }]).noDigit, true);
});

Deno.test("no digit - a lone shape read fairly confidently needs its upside-down view to agree", () => {
  const box: Box = [0, 0, 10, 20];
  const drawing = [0.01, 0.0, 0.0, 0.99];
  const asDigit = [0.9, 0.05, 0.03, 0.02];
  // Read as a digit upside down (a 6 that is a 9 turned): kept.
  const six = { box, classes: drawing, confidence: 0.8, turnedClasses: asDigit };
  assert.equal(judgeShapes([six]).noDigit, false);
  // A doodle stays a doodle either way up: rejected.
  assert.equal(judgeShapes([{ ...six, turnedClasses: drawing }]).noDigit, true);
  // The digit model unsure of it: the head alone decides, as before.
  assert.equal(judgeShapes([{ ...six, confidence: 0.5 }]).noDigit, true);
  // Not alone: the share of rejected shapes decides, the turned view is not asked.
  const other = { box, classes: drawing, confidence: 0.8 };
  assert.equal(judgeShapes([six, other]).noDigit, true);
});

Deno.test("no digit - marks inside a shape's holes make it a drawing, whatever the head says", () => {
  const box: Box = [0, 0, 10, 20];
  const asDigit = [0.98, 0.01, 0.0, 0.01];
  const face = { box, classes: asDigit, confidence: 0.92, enclosedMarks: 2 };
  const verdict = judgeShapes([face]);
  assert.equal(verdict.noDigit, true);
  assert.equal(verdict.kind, "drawing");
  assert.equal(verdict.shapeKind[0], "drawing");
  // One mark is not enough (a speck in a 0), and a sure digit stays a digit.
  assert.equal(judgeShapes([{ ...face, enclosedMarks: 1 }]).noDigit, false);
  assert.equal(judgeShapes([{ ...face, confidence: 0.97 }]).noDigit, false);
  // Beside digits, the enclosing shape is left out of the reading.
  const digitShape = { box, classes: asDigit, confidence: 0.99 };
  const mixed = judgeShapes([digitShape, digitShape, { ...face, confidence: 0.5 }]);
  assert.equal(mixed.noDigit, false);
  assert.deepEqual(mixed.dropped, [false, false, true]);
});

Deno.test("no digit - tells shapes on one line from shapes scattered over a picture", () => {
  const row: Box[] = Array.from({ length: 8 }, (_, i) => [i * 30, 100, 20, 40]);
  const scattered: Box[] = Array.from({ length: 8 }, (_, i) => [i * 30, (i % 4) * 90, 20, 40]);
  assert.equal(scatteredShapes(row), false);
  assert.equal(scatteredShapes(scattered), true);
  assert.equal(scatteredShapes(scattered.slice(0, 3)), false, "a few shapes are no texture");
});

Deno.test("no digit - preprocessing's reasons map to blank, noise and nothing", () => {
  assert.equal(kindOfPreprocessReason("blank: the image has no contrast"), "blank");
  assert.equal(kindOfPreprocessReason("noise: no stroke stands out of the noise"), "noise");
  assert.equal(kindOfPreprocessReason(undefined), "nothing");
});

await initInferenceBackend();
const { model, head } = await loadModelWithHead(modelPath());

/** Dark ink on light paper, drawn by `draw` on a w×h page. */
function page(w: number, h: number, draw: (img: GreyImage) => void) {
  const img = canvas(w, h, 0.93);
  draw(img);
  return toRgba(img);
}

const INK = 0.12;
const read = (img: ReturnType<typeof page>) => recognize(model, img, { noDigitHead: head });

Deno.test("no digit - the shipped model has its no-digit head", () => {
  assert.ok(head, "static/model/no_digit.json is missing");
  assert.equal(head!.metadata.base_model, model.metadata.version);
});

Deno.test("no digit - a drawn letter A is no digit", () => {
  const r = read(page(240, 240, (img) => {
    polyline(img, [[60, 200], [120, 40], [180, 200]], 12, INK);
    line(img, 85, 140, 155, 140, 12, INK);
  }));
  assert.equal(r.noDigit, true, `read as ${r.digits}`);
  assert.equal(r.digits, "");
});

Deno.test("no digit - a written word is writing", () => {
  // "HEY" in block capitals.
  const r = read(page(520, 200, (img) => {
    line(img, 40, 40, 40, 160, 10, INK);
    line(img, 120, 40, 120, 160, 10, INK);
    line(img, 40, 100, 120, 100, 10, INK);
    polyline(img, [[270, 40], [190, 40], [190, 160], [270, 160]], 10, INK);
    line(img, 190, 100, 250, 100, 10, INK);
    polyline(img, [[320, 40], [370, 100], [420, 40]], 10, INK);
    line(img, 370, 100, 370, 160, 10, INK);
  }));
  assert.equal(r.noDigit, true, `read as ${r.digits}`);
  assert.equal(r.kind, "writing");
  assert.match(r.reason!, /writing/);
});

Deno.test("no digit - a smiley is no digit, with or without its face", () => {
  for (const face of [true, false]) {
    const r = read(page(260, 260, (img) => {
      if (face) ellipse(img, 130, 130, 100, 100, 9, INK);
      ellipse(img, 95, 100, 12, 16, 9, INK);
      ellipse(img, 165, 100, 12, 16, 9, INK);
      const mouth = Array.from({ length: 21 }, (_, k) => {
        const a = 0.15 * Math.PI + (k / 20) * 0.7 * Math.PI;
        return [130 + 65 * Math.cos(a), 125 + 60 * Math.sin(a)];
      });
      polyline(img, mouth, 9, INK);
    }));
    assert.equal(r.noDigit, true, `${face ? "face" : "eyes and smile"} read as ${r.digits}`);
  }
});

Deno.test("no digit - a face with small dot eyes is a drawing", () => {
  const r = read(page(260, 260, (img) => {
    ellipse(img, 130, 130, 90, 105, 7, INK);
    for (const x of [100, 160]) line(img, x, 100, x + 0.01, 100, 11, INK);
    const mouth = Array.from({ length: 21 }, (_, k) => {
      const a = 0.2 * Math.PI + (k / 20) * 0.6 * Math.PI;
      return [130 + 50 * Math.cos(a), 135 + 45 * Math.sin(a)];
    });
    polyline(img, mouth, 7, INK);
  }));
  assert.equal(r.noDigit, true, `read as ${r.digits}`);
  assert.equal(r.kind, "drawing");
  assert.match(r.reason!, /drawing/);
});

Deno.test("no digit - a plus sign and a ticked box are no digits", () => {
  const plus = read(page(200, 200, (img) => {
    line(img, 100, 30, 100, 170, 12, INK);
    line(img, 30, 100, 170, 100, 12, INK);
  }));
  assert.equal(plus.noDigit, true, `+ read as ${plus.digits}`);
  const ticked = read(page(200, 200, (img) => {
    polyline(img, [[30, 30], [170, 30], [170, 170], [30, 170], [30, 30]], 6, INK);
    polyline(img, [[55, 100], [90, 140], [150, 50]], 10, INK);
  }));
  assert.equal(ticked.noDigit, true, `ticked box read as ${ticked.digits}`);
});

Deno.test("no digit - a blank page is blank", () => {
  const r = read(page(320, 240, () => {}));
  assert.equal(r.noDigit, true);
  assert.equal(r.kind, "blank");
});

Deno.test("no digit - drawn digits and MNIST digits are read, not rejected", async () => {
  const drawn = read(page(420, 200, (img) => {
    digit(img, 1, 40, 40, 120, 10, INK);
    digit(img, 7, 150, 40, 120, 10, INK);
    digit(img, 4, 280, 40, 120, 10, INK);
  }));
  assert.equal(drawn.noDigit, false);
  assert.equal(drawn.digits, "174");
  // 100 MNIST test digits, side by side in rows of 10, each read as a digit.
  const digits = await mnistTestDigits(100);
  let rejected = 0;
  for (let row = 0; row < 10; row++) {
    const img = page(10 * 120 + 60, 200, (p) => {
      for (let k = 0; k < 10; k++) {
        const src = digits[row * 10 + k];
        for (let y = 0; y < 112; y++) {
          for (let x = 0; x < 112; x++) {
            const v = src[Math.floor(y / 4) * 28 + Math.floor(x / 4)];
            const i = (44 + y) * p.width + 30 + k * 120 + x;
            p.data[i] = Math.min(p.data[i], 0.93 * (1 - 0.9 * v));
          }
        }
      }
    });
    const r = read(img);
    assert.equal(r.noDigit, false, `row ${row} answered no digit`);
    rejected += r.rejected?.length ?? 0;
  }
  assert.ok(rejected <= 1, `${rejected} of 100 MNIST digits left out`);
});
