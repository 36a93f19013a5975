/**
 * The one way to build a recognition result: preprocessing output + what
 * the model (and the no-digit head) said about its inputs → the
 * `RecognitionResult` that the server, the CLI, the browser and the history
 * all show. Pure: no tensors, no I/O, so each caller runs the model its own
 * way (synchronously, in a worker, asynchronously on a GPU) and they still
 * agree on the answer.
 */
import type {
  DigitPrediction,
  PreprocessResult,
  RecognitionResult,
  RejectedShape,
} from "./image_types.ts";
import { numberInputs, type ReadDigit, readNumber } from "./number_reading.ts";
import type { Box, DigitCrop } from "./image_types.ts";
import {
  judgeShapes,
  kindOfPreprocessReason,
  NO_DIGIT_REASONS,
  type NoDigitSettings,
} from "./no_digit.ts";

/** Confidence under which a reading is flagged `unsure` (default). */
export const UNSURE_BELOW = 0.7;

/** How to turn model outputs into a result. */
export interface ResultOptions {
  /** A digit whose top probability is under this is unsure (default 0.7). */
  unsureBelow?: number;
  /** Thresholds of the no-digit decision (lib/core/no_digit.ts). */
  noDigit?: NoDigitSettings;
  /** Milliseconds spent preprocessing (default 0). */
  preprocessMs?: number;
  /** Milliseconds spent in the model (default 0). */
  modelMs?: number;
}

/** One row per model input, in `modelInputs` order. */
export interface ModelOutputs {
  /** The 10 digit probabilities of each input. */
  probabilities: number[][];
  /** The no-digit head's class probabilities of each input (no rejection when absent). */
  shapeClasses?: number[][];
}

/**
 * Every 28×28 input the model must read for `pre`, in the order
 * `buildResult` expects their outputs: each digit's own rendering, its
 * alternatives and its pieces, digit after digit, then the same for each
 * turned reading (`numberInputs`). One batch for all of them.
 */
export function modelInputs(pre: PreprocessResult): Float32Array[] {
  return numberInputs(pre);
}

/**
 * The head's row of the rendering that looks most like a digit: the
 * renderings are guesses at the shape's true width, and one that reads as
 * a digit is enough to call the shape one.
 */
function mostDigitLike(rows: number[][], from: number, n: number): number[] {
  let best = from;
  for (let k = from + 1; k < from + n; k++) if (rows[k][0] > rows[best][0]) best = k;
  return rows[best];
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * The marks enclosed by the crop a read digit came from (a piece of a split
 * shape lies within its shape's box), upright or turned.
 */
function enclosedMarksOf(pre: PreprocessResult, box: Box): number {
  const cx = box[0] + box[2] / 2, cy = box[1] + box[3] / 2;
  for (const d of [pre.digits, ...(pre.turned ?? []).map((t) => t.digits)].flat()) {
    const [x, y, w, h] = d.box;
    if (d.enclosedMarks && cx >= x && cx <= x + w && cy >= y && cy <= y + h) {
      return d.enclosedMarks;
    }
  }
  return 0;
}

/**
 * The head's most digit-like row among the renderings of a lone shape turned
 * by 180° (its second opinion, `secondOpinionAbove` in no_digit.ts), when
 * preprocessing offered that turn.
 */
function turnedHeadRow(pre: PreprocessResult, rows: number[][]): number[] | undefined {
  if (pre.digits.length !== 1) return undefined;
  const count = (digits: DigitCrop[]) => numberInputs({ ...pre, digits, turned: undefined }).length;
  let offset = count(pre.digits);
  for (const t of pre.turned ?? []) {
    if (t.degrees === 180 && t.digits.length === 1) {
      return mostDigitLike(rows, offset, 1 + (t.digits[0].alternatives?.length ?? 0));
    }
    offset += count(t.digits);
  }
  return undefined;
}

/**
 * The read digits as predictions, and the no-digit verdict on them when the
 * head ran (`turnedClasses`: a lone shape's 180° view, its second opinion).
 */
function judgeReading(
  pre: PreprocessResult,
  outputs: ModelOutputs,
  digits: ReadDigit[],
  turnedClasses: number[] | undefined,
  settings: NoDigitSettings | undefined,
) {
  const shapes = digits.map((d) => ({
    box: d.box,
    probabilities: d.probabilities,
    classes: outputs.shapeClasses
      ? mostDigitLike(outputs.shapeClasses, d.rows[0], d.rows.length)
      : undefined,
  }));
  const predictions: DigitPrediction[] = shapes.map(({ box, probabilities: p, classes }) => {
    let best = 0;
    for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
    return {
      digit: best,
      confidence: p[best],
      probabilities: p.map(round4),
      box,
      ...(classes ? { notDigit: round4(1 - classes[0]) } : {}),
    };
  });
  const verdict = shapes.every((s) => s.classes)
    ? judgeShapes(
      shapes.map((s, i) => ({
        box: s.box,
        classes: s.classes!,
        confidence: predictions[i].confidence,
        enclosedMarks: enclosedMarksOf(pre, s.box),
        ...(turnedClasses && shapes.length === 1 ? { turnedClasses } : {}),
      })),
      settings,
    )
    : undefined;
  return { shapes, predictions, verdict };
}

/**
 * Builds the result of one image from its preprocessing and the model's
 * outputs for `modelInputs(pre)`. A digit with several renderings (its true
 * width unknown) gets the mean of their digit probabilities: each width
 * counts as equally likely, so one distorted rendering cannot outvote the
 * rest; the no-digit head judges it by its most digit-like rendering. A
 * shape that may hold touching digits is read whole or split, and a turned
 * reading replaces the upright one, as `readNumber` decides.
 */
export function buildResult(
  pre: PreprocessResult,
  outputs: ModelOutputs,
  options: ResultOptions = {},
): RecognitionResult {
  const threshold = options.unsureBelow ?? UNSURE_BELOW;
  const timings = { preprocessMs: options.preprocessMs ?? 0, modelMs: options.modelMs ?? 0 };
  if (pre.digits.length === 0) {
    const kind = kindOfPreprocessReason(pre.reason);
    return {
      digits: "",
      predictions: [],
      noDigit: true,
      unsure: false,
      reason: kind === "nothing" ? NO_DIGIT_REASONS.nothing : pre.reason ?? NO_DIGIT_REASONS[kind],
      kind,
      timings,
    };
  }
  const expected = modelInputs(pre).length;
  if (outputs.probabilities.length !== expected) {
    throw new RangeError(`expected ${expected} output rows, got ${outputs.probabilities.length}`);
  }
  // Renderings averaged, touching digits split, the turn chosen (number_reading.ts).
  let number = readNumber(pre, outputs.probabilities);
  // The second opinion is the upright reading's shape turned: not for another reading.
  const turnedClasses = outputs.shapeClasses && number.turned === undefined &&
      number.slant === undefined
    ? turnedHeadRow(pre, outputs.shapeClasses)
    : undefined;
  let judged = judgeReading(pre, outputs, number.digits, turnedClasses, options.noDigit);
  // A line of shapes judged no digit does not become a number by being read sideways: a
  // quarter turn that merges the upright shapes into fewer ones (a row of form bubbles read
  // as one tall "1") is the opposite of a sideways number, whose stacked digits it separates.
  if ((number.turned === 90 || number.turned === 270) && judged.verdict?.noDigit === false) {
    const upright = readNumber({ ...pre, turned: undefined }, outputs.probabilities);
    if (upright.digits.length > number.digits.length) {
      const uprightJudged = judgeReading(pre, outputs, upright.digits, undefined, options.noDigit);
      if (uprightJudged.verdict?.noDigit) [number, judged] = [upright, uprightJudged];
    }
  }
  const { shapes, predictions, verdict } = judged;
  const rejected: RejectedShape[] = verdict
    ? shapes.flatMap((s, i) =>
      verdict.dropped[i]
        ? [{ box: s.box, kind: verdict.shapeKind[i], notDigit: round4(verdict.notDigit[i]) }]
        : []
    )
    : [];
  if (verdict?.noDigit) {
    return {
      digits: "",
      predictions: [],
      noDigit: true,
      unsure: false,
      reason: NO_DIGIT_REASONS[verdict.kind!],
      kind: verdict.kind,
      rejected,
      timings,
    };
  }
  const kept = predictions.filter((_, i) => !verdict?.dropped[i]);
  return {
    digits: kept.map((p) => String(p.digit)).join(""),
    // The marks sit between the digits as read; with a shape left out they no longer would.
    ...(number.reading && kept.length === predictions.length ? { reading: number.reading } : {}),
    ...(number.turned !== undefined ? { turned: number.turned } : {}),
    predictions: kept,
    noDigit: false,
    unsure: kept.some((p) => p.confidence < threshold),
    ...(rejected.length ? { rejected } : {}),
    timings,
  };
}
