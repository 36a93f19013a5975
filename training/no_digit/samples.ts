/**
 * Training samples of the no-digit head, as the app's preprocessing cuts
 * them: 28×28 model inputs labelled digit / writing / symbol / drawing.
 * Digits are MNIST training digits (augmented as the digit model was, and
 * drawn on paper alone or as numbers and read back through
 * `preprocessImage`); the rest are generated pictures (shapes.ts).
 */
import type { Rng } from "../../lib/core/random.ts";
import { augmentDigit } from "../augment.ts";
import { scanLikeDigit } from "../scan_augment.ts";
import { writingStyleVariant } from "../style_augment.ts";
import type { DigitSet } from "../../lib/core/idx.ts";
import { resample } from "../../lib/core/resample.ts";
import { preprocessImage } from "../../lib/core/preprocess.ts";
import { negativeScene, paper, renderScene, texturePicture } from "./shapes.ts";
import { SHAPE_CLASSES } from "../../lib/core/no_digit.ts";

/** Class indices (lib/core/no_digit.ts SHAPE_CLASSES order). */
export const DIGIT = 0, WRITING = 1, SYMBOL = 2, DRAWING = 3;

/** Labelled 28×28 inputs. */
export interface SampleSet {
  inputs: Float32Array[];
  labels: number[];
}

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();

function mnistDigit(set: DigitSet, i: number): Float32Array {
  return Float32Array.from(set.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
}

/** A random MNIST training digit, sometimes in a continental style (barred 7, flagged 1, slashed 0). */
function styledDigit(set: DigitSet, rng: Rng): Float32Array {
  const i = Math.floor(rng() * set.count);
  return writingStyleVariant(mnistDigit(set, i), set.labels[i], rng);
}

/** MNIST digits side by side on paper (one digit, or a number of 2–5), read back by preprocessing. */
function numberOnPaper(set: DigitSet, rng: Rng, count: number): Float32Array[] {
  const scale = uniform(rng, 2, 6);
  const side = Math.round(28 * scale);
  const gap = Math.round(side * uniform(rng, -0.15, 0.2));
  const margin = Math.round(side * uniform(rng, 0.2, 0.8));
  const w = 2 * margin + count * side + (count - 1) * gap, h = 2 * margin + side;
  const ink = new Float32Array(w * h);
  for (let k = 0; k < count; k++) {
    const digit = resample({ width: 28, height: 28, data: styledDigit(set, rng) }, side, side);
    const ox = margin + k * (side + gap), oy = margin + Math.round(uniform(rng, -0.1, 0.1) * side);
    for (let y = 0; y < side; y++) {
      const yy = y + oy;
      if (yy < 0 || yy >= h) continue;
      for (let x = 0; x < side; x++) {
        const i = yy * w + ox + x;
        ink[i] = Math.max(ink[i], Math.min(1, digit.data[y * side + x]));
      }
    }
  }
  const pre = preprocessImage(paper(ink, w, h, rng));
  // Only when preprocessing found the digits as written (touching ones merge: not a clean sample).
  return pre.digits.length === count ? pre.digits.map((d) => d.pixels) : [];
}

/**
 * `n` digit samples, a quarter each: augmented MNIST (as the digit model
 * was trained), scan-like (frame-filling 16×16 scans read back through
 * preprocessing, as Semeion and USPS stored their digits), one digit drawn
 * on paper, and numbers of 2–5 digits on paper.
 */
export function digitSamples(set: DigitSet, n: number, rng: Rng): Float32Array[] {
  const out: Float32Array[] = [];
  while (out.length < n) {
    const r = rng();
    if (r < 0.5) {
      const x = new Float32Array(784);
      augmentDigit(styledDigit(set, rng), x, 0, rng);
      out.push(r < 0.25 ? x : scanLikeDigit(x, rng) ?? x);
    } else {
      out.push(...numberOnPaper(set, rng, r < 0.75 ? 1 : 2 + Math.floor(rng() * 4)));
    }
  }
  return out.slice(0, n);
}

/** At least `n` samples of a negative class: every shape preprocessing finds in each picture. */
export function negativeSamples(cls: number, n: number, rng: Rng): Float32Array[] {
  const out: Float32Array[] = [];
  let guard = 0;
  while (out.length < n && guard++ < n * 20) {
    const picture = cls === DRAWING && rng() < 0.15 ? texturePicture(rng) : renderScene(
      negativeScene(SHAPE_CLASSES[cls] as "writing" | "symbol" | "drawing", rng),
      rng,
    );
    const pre = preprocessImage(picture);
    for (const d of pre.digits) out.push(d.pixels);
  }
  return out.slice(0, n);
}

/** A balanced-ish labelled set: `perClass` samples of each of the four classes. */
export function buildSampleSet(set: DigitSet, perClass: number, rng: Rng): SampleSet {
  const inputs: Float32Array[] = [], labels: number[] = [];
  const add = (xs: Float32Array[], label: number) => {
    for (const x of xs) {
      inputs.push(x);
      labels.push(label);
    }
  };
  add(digitSamples(set, perClass, rng), DIGIT);
  for (const cls of [WRITING, SYMBOL, DRAWING]) add(negativeSamples(cls, perClass, rng), cls);
  return { inputs, labels };
}
