/**
 * The personal model as the page runs it: the retrained final layer
 * (personal_head.ts), and, for a writer with a consistent slant or paper
 * angle, that warp undone before reading (personal_warp.ts).
 *
 * Undoing a writer's 45° paper turn reads their digits right, and reads
 * everyone else's digits turned the wrong way; so the undone reading is only
 * taken for a digit the shipped model is unsure of (top probability under
 * {@link CONFIDENT}), shaped like the writer's digits rather than like the
 * shipped rehearsal digits, and read more confidently undone. Without a warp
 * the retrained layer alone reads, as before.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { DenseHead, DigitModel } from "./model_runner.ts";
import {
  type FeatureSet,
  featureSet,
  headProbabilities,
  type PersonalTrainOptions,
  splitModel,
  trainPersonalHead,
  withHead,
} from "./personal_head.ts";
import {
  candidateWarps,
  chooseWarp,
  digitGeometry,
  type DigitWarp,
  IDENTITY_WARP,
  isIdentityWarp,
  neighbourWarps,
  shapeLogDensity,
  type ShapeStats,
  shapeStats,
  unwarpDigit,
} from "./personal_warp.ts";

/** What is trained, stored and sent to the recognition worker (plain data). */
export interface PersonalModel {
  head: DenseHead;
  /** The writer's slant or paper angle, undone before reading; identity when none fits. */
  warp: DigitWarp;
  /** Shape of the user's digits and of the rehearsal digits (which reading to trust). */
  userShape: ShapeStats;
  genericShape: ShapeStats;
}

/** Top probability at or above which the shipped model's reading stands. */
export const CONFIDENT = 0.9;
/**
 * Nats by which a warp must beat reading the user's digits as they are (one
 * rule for every user, chosen on the benchmark's writers: at 0.1 the 30°
 * paper turn was missed in one of two draws, at 0.05 found in three of three).
 */
export const WARP_MARGIN = 0.05;
/** At most this many of the user's digits choose the warp (each is read 19 times). */
export const WARP_FIT_DIGITS = 30;

/**
 * The writer's warp: the candidate under which the shipped model reads the
 * user's digits (`inputs`, 28×28) with the lowest mean negative log-likelihood
 * of their labels, when it clearly beats reading them as they are.
 */
export function fitWriterWarp(
  model: DigitModel,
  inputs: Float32Array[],
  labels: number[],
  margin = WARP_MARGIN,
): DigitWarp {
  const n = Math.min(inputs.length, WARP_FIT_DIGITS);
  if (n === 0) return IDENTITY_WARP;
  // The most recent digits (the history lists newest first): the writer as they write now.
  const xs = inputs.slice(0, n), ys = labels.slice(0, n);
  const base = splitModel(model).head();
  const nllOf = (warp: DigitWarp) => {
    const set = featureSet(model, xs.map((x) => unwarpDigit(x, warp)), ys);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const p = headProbabilities(base, set.features.subarray(i * set.dims, (i + 1) * set.dims));
      sum -= Math.log(Math.max(1e-6, p[ys[i]]));
    }
    return sum / n;
  };
  // Coarse, then half a step either side of the best coarse warp.
  const candidates = candidateWarps();
  const nll = candidates.map(nllOf);
  let best = 0;
  for (let c = 1; c < candidates.length; c++) if (nll[c] < nll[best]) best = c;
  for (const w of neighbourWarps(candidates[best])) (candidates.push(w), nll.push(nllOf(w)));
  return chooseWarp(candidates, nll, margin);
}

/**
 * Trains the personal model on the user's digits (`inputs`, 28×28 in [0, 1],
 * with `labels`) and the rehearsal digits (their inputs, for their shape, and
 * their features): the warp first, then the final layer on the user's digits
 * with the warp undone.
 */
export function trainPersonalModel(
  model: DigitModel,
  inputs: Float32Array[],
  labels: number[],
  rehearsal: { inputs: Float32Array[]; features: FeatureSet },
  options: Partial<PersonalTrainOptions> & { warpMargin?: number } = {},
): PersonalModel {
  const warp = fitWriterWarp(model, inputs, labels, options.warpMargin);
  const unwarped = isIdentityWarp(warp) ? inputs : inputs.map((x) => unwarpDigit(x, warp));
  const user = featuresInSlices(model, unwarped, labels);
  return {
    head: trainPersonalHead(splitModel(model).head(), user, rehearsal.features, options),
    warp,
    userShape: shapeStats(inputs),
    genericShape: shapeStats(rehearsal.inputs),
  };
}

/** Features of many inputs, 100 at a time (a phone's worker stays small). */
export function featuresInSlices(
  model: DigitModel,
  inputs: Float32Array[],
  labels: number[],
): FeatureSet {
  const dims = splitModel(model).head().inputs;
  const out = new Float32Array(inputs.length * dims);
  for (let i = 0; i < inputs.length; i += 100) {
    const part = featureSet(model, inputs.slice(i, i + 100), labels.slice(i, i + 100));
    out.set(part.features, i * dims);
  }
  return { features: out, labels: Uint8Array.from(labels), count: inputs.length, dims };
}

/**
 * Which reading of one digit stands: `stock` (the shipped model's
 * probabilities for the digit as it is) or `undone` (the personal layer's,
 * the writer's warp undone), given the digit's {@link digitGeometry}.
 */
export function chooseReading(
  personal: PersonalModel,
  stock: number[],
  undone: number[],
  geometry: number[],
): number[] {
  const s = Math.max(...stock), u = Math.max(...undone);
  if (s >= CONFIDENT || u <= s) return stock;
  const mine = shapeLogDensity(personal.userShape, geometry) >
    shapeLogDensity(personal.genericShape, geometry);
  return mine ? undone : stock;
}

/**
 * `base` read through the personal model: what the page runs once
 * personalised. Shares (does not own) the base model's weights.
 */
export function withPersonal(base: DigitModel, personal: PersonalModel): DigitModel {
  const headed = withHead(base, personal.head);
  const { warp } = personal;
  if (isIdentityWarp(warp)) return headed;
  const [h, w, c] = base.inputShape;
  const size = h * w * c;
  return {
    ...headed,
    predict(x: tf.Tensor): tf.Tensor {
      const n = x.shape[0]!;
      const pixels = x.dataSync() as Float32Array;
      const inputs = Array.from({ length: n }, (_, i) => pixels.subarray(i * size, (i + 1) * size));
      const batch = new Float32Array(n * size);
      inputs.forEach((d, i) => batch.set(unwarpDigit(d, warp), i * size));
      const stockT = base.predict(x);
      const undoneT = tf.tidy(() => headed.predict(tf.tensor(batch, x.shape)));
      const stock = stockT.arraySync() as number[][];
      const undone = undoneT.arraySync() as number[][];
      stockT.dispose();
      undoneT.dispose();
      return tf.tensor2d(
        inputs.map((d, i) => chooseReading(personal, stock[i], undone[i], digitGeometry(d))),
        [n, personal.head.units],
      );
    },
  };
}
