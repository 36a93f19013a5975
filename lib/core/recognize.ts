/**
 * Image → digits: preprocessing, then the model on every digit crop in one
 * batch. The same function serves the browser, the server and the CLI.
 * Tensors are created and freed inside `predictProbabilities`, so repeated
 * calls leave `tf.memory().numTensors` unchanged.
 */
import type {
  DigitPrediction,
  PreprocessResult,
  RasterImage,
  RecognitionResult,
} from "./image_types.ts";
import { preprocessImage, type PreprocessOptions } from "./preprocess.ts";
import { type DigitModel, predictProbabilities } from "./model_runner.ts";

/** Confidence under which a reading is flagged `unsure` (default). */
export const UNSURE_BELOW = 0.7;

/** Preprocessing options plus the unsure threshold. */
export interface RecognizeOptions extends PreprocessOptions {
  /** A digit whose top probability is under this is unsure (default 0.7). */
  unsureBelow?: number;
}

const now = () => performance.now();

/** Reads the digits in `image` (RGBA/grey raster or browser ImageData). */
export function recognize(
  model: DigitModel,
  image: RasterImage,
  options: RecognizeOptions = {},
): RecognitionResult {
  const t0 = now();
  const pre = preprocessImage(image, options);
  const preprocessMs = now() - t0;
  return classifyDigits(model, pre, options, preprocessMs);
}

/**
 * Every 28×28 input the model must read for `pre`, in the order
 * `classifyDigits` expects their probabilities: each digit's own rendering,
 * then its alternatives, digit after digit. One batch for all of them.
 */
export function modelInputs(pre: PreprocessResult): Float32Array[] {
  return pre.digits.flatMap((d) => [d.pixels, ...(d.alternatives ?? [])]);
}

/**
 * Runs the model on already preprocessed digits (e.g. preprocessing done in
 * a worker) and assembles the result.
 */
export function classifyDigits(
  model: DigitModel,
  pre: PreprocessResult,
  options: RecognizeOptions = {},
  preprocessMs = 0,
): RecognitionResult {
  const threshold = options.unsureBelow ?? UNSURE_BELOW;
  if (pre.digits.length === 0) {
    return {
      digits: "",
      predictions: [],
      noDigit: true,
      unsure: false,
      reason: pre.reason ?? "no digit found",
      timings: { preprocessMs, modelMs: 0 },
    };
  }
  const t0 = now();
  const rows = predictProbabilities(model, modelInputs(pre));
  const modelMs = now() - t0;
  let next = 0;
  const predictions: DigitPrediction[] = pre.digits.map((d) => {
    // A digit with several renderings (its true width unknown) gets the mean
    // of their probabilities: each width counts as equally likely, so one
    // distorted rendering that looks like another digit cannot outvote the
    // rest, as it could when the most confident rendering won.
    const n = 1 + (d.alternatives?.length ?? 0);
    const p = rows[next].slice();
    for (let k = 1; k < n; k++) rows[next + k].forEach((v, c) => p[c] += v);
    for (let c = 0; c < p.length; c++) p[c] /= n;
    next += n;
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
    return {
      digit: best,
      confidence: p[best],
      probabilities: p.map((v) => Math.round(v * 1e4) / 1e4),
      box: d.box,
    };
  });
  return {
    digits: predictions.map((p) => String(p.digit)).join(""),
    predictions,
    noDigit: false,
    unsure: predictions.some((p) => p.confidence < threshold),
    timings: { preprocessMs, modelMs },
  };
}
