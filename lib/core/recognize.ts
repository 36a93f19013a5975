/**
 * Image → digits: preprocessing, then the model (and the no-digit head) on
 * every digit crop in one batch, then lib/core/result.ts builds the result.
 * The convenience for callers that run everything in one place (CLI, tests);
 * the server and the browser preprocess elsewhere and call
 * `classifyDigits` or `buildResult` themselves. Tensors are created and
 * freed inside `predictBatch`, so repeated calls leave
 * `tf.memory().numTensors` unchanged.
 */
import type { PreprocessResult, RasterImage, RecognitionResult } from "./image_types.ts";
import { preprocessImage, type PreprocessOptions } from "./preprocess.ts";
import { type DigitModel, predictBatch } from "./model_runner.ts";
import { buildResult, modelInputs, type ResultOptions, UNSURE_BELOW } from "./result.ts";
import { noDigitSettingsOf } from "./no_digit.ts";

export { modelInputs, UNSURE_BELOW };

/** Preprocessing options plus how to judge the outputs. */
export interface RecognizeOptions
  extends PreprocessOptions, Omit<ResultOptions, "preprocessMs" | "modelMs"> {
  /** The open-set "digit or not" head (static/model/no_digit.json); without it nothing is rejected. */
  noDigitHead?: DigitModel;
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
 * Runs the model on already preprocessed digits (e.g. preprocessing done in
 * a worker) and builds the result.
 */
export function classifyDigits(
  model: DigitModel,
  pre: PreprocessResult,
  options: RecognizeOptions = {},
  preprocessMs = 0,
): RecognitionResult {
  const t0 = now();
  const outputs = predictBatch(model, modelInputs(pre), options.noDigitHead);
  const modelMs = pre.digits.length ? now() - t0 : 0;
  // The head's own calibrated threshold, unless the caller sets one.
  const noDigit = { ...noDigitSettingsOf(options.noDigitHead), ...options.noDigit };
  return buildResult(pre, outputs, { ...options, noDigit, preprocessMs, modelMs });
}
