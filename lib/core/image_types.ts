/**
 * Image and result types shared by decoding, preprocessing, recognition, the
 * server, the browser islands and the CLI. Types only: no runtime code, so
 * importing this never pulls anything into a bundle.
 */

/**
 * An 8-bit raster, row-major, `channels` interleaved bytes per pixel:
 * 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA. A browser `ImageData`
 * (`{width, height, data}`) fits as is: `channels` defaults to
 * `data.length / (width * height)`.
 */
export interface RasterImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  channels?: 1 | 2 | 3 | 4;
}

/** An RGBA raster as produced by the decoders (always 4 channels). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
  channels: 4;
}

/** A single-channel float image, row-major, values usually in [0, 1]. */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** An axis-aligned box `[x, y, width, height]` in pixels of the original image. */
export type Box = [number, number, number, number];

/** One digit found in an image, ready for the model. */
export interface DigitCrop {
  /** 28×28 = 784 values in [0, 1], white digit on black, MNIST layout. */
  pixels: Float32Array;
  /** Where the digit is in the original (input) image. */
  box: Box;
  /**
   * Other renderings of the same digit worth reading too (e.g. narrower, when
   * the source image stretched it to its frame); the probabilities of all
   * renderings are averaged.
   */
  alternatives?: Float32Array[];
  /**
   * Spans of the shape between candidate cuts, when it may hold several
   * touching digits (`lib/core/split_candidates.ts`): `from`/`to` index its
   * cuts, 0 being its left edge. The result keeps the chain of pieces the
   * classifier reads best jointly, or the shape whole
   * (`lib/core/number_reading.ts`).
   */
  pieces?: (DigitCrop & { from: number; to: number })[];
  /**
   * How many cut candidates the shape has, with `pieces`: a chain must run
   * from its left edge (0) to its right edge (`cuts + 1`), so no part of the
   * shape is left unread.
   */
  cuts?: number;
  /**
   * Separate marks lying inside the shape's own holes (a face's eyes, the
   * details inside an object's outline), when there are any
   * (`lib/core/enclosed_marks.ts`): a digit's loops are empty.
   */
  enclosedMarks?: number;
}

/** What preprocessing found in an image. */
export interface PreprocessResult {
  /** The digits, left to right; empty when the image holds no digit. */
  digits: DigitCrop[];
  /** True when the ink was dark on a light background (and was inverted). */
  inverted: boolean;
  /** Size of the image preprocessing worked on after the initial downscale. */
  workSize: [number, number];
  /** Why no digit was found, when `digits` is empty. */
  reason?: string;
  /** Decimal points and commas between digits, each before digit `before`. */
  marks?: DecimalMark[];
  /**
   * The digits as they would be read were the image turned (upside down,
   * sideways, a tilted line levelled), in reading order of the turned
   * image; kept only when the model reads them clearly better.
   */
  turned?: TurnedReading[];
}

/**
 * The digits of an image read as if it were turned clockwise by `degrees`:
 * 90, 180 or 270 for a photo taken sideways or upside down, a few degrees
 * to level a tilted line.
 */
export interface TurnedReading {
  degrees: number;
  /**
   * Degrees of slant (positive: leaning right) the writing was sheared by to
   * stand upright, for a reading of slanted writing; `degrees` is then 0.
   */
  slant?: number;
  digits: DigitCrop[];
  /** Decimal marks between `digits` (a slanted line's, found again once upright). */
  marks?: DecimalMark[];
}

/** A decimal point or comma written between two digits. */
export interface DecimalMark {
  /** Index in `PreprocessResult.digits` of the digit it precedes. */
  before: number;
  mark: "." | ",";
  box: Box;
}

/** The model's reading of one digit. */
export interface DigitPrediction {
  digit: number;
  /** Probability of `digit`, in [0, 1]. */
  confidence: number;
  /** The 10 class probabilities, index = digit. */
  probabilities: number[];
  box: Box;
  /** The no-digit head's probability that this shape is not a digit (absent without the head). */
  notDigit?: number;
}

/**
 * What an image without digits holds, as far as recognition can tell:
 * `blank` (no contrast), `noise`, `nothing` (no digit-sized shape),
 * `writing` (letters, words), `symbol` (+ − × ÷ =, ticks, crosses, boxes),
 * `drawing` (doodles, smileys), `photo` (objects, textures).
 */
export type NoDigitKind =
  | "blank"
  | "noise"
  | "nothing"
  | "writing"
  | "symbol"
  | "drawing"
  | "photo";

/** A shape the no-digit head judged not to be a digit; it is left out of the reading. */
export interface RejectedShape {
  box: Box;
  /** What it looks like: writing, symbol or drawing. */
  kind: NoDigitKind;
  /** Probability that it is not a digit. */
  notDigit: number;
}

/** The result of recognising an image. */
export interface RecognitionResult {
  /** The digits read left to right, e.g. "2026"; "" when none was found. */
  digits: string;
  predictions: DigitPrediction[];
  /**
   * The number as written when it holds a decimal point or comma between
   * its digits ("72.5"); absent otherwise (then it is `digits`).
   */
  reading?: string;
  /** Clockwise turn (degrees) under which the image was read, when not as it came. */
  turned?: number;
  /** True when no digit was found in the image. */
  noDigit: boolean;
  /** True when any prediction's confidence is under the threshold. */
  unsure: boolean;
  /** Human-readable reason when `noDigit`, e.g. "this looks like writing, not digits". */
  reason?: string;
  /** What the image holds instead of digits, when `noDigit`. */
  kind?: NoDigitKind;
  /** Shapes found but judged not to be digits (left out of `digits`). */
  rejected?: RejectedShape[];
  /** Milliseconds spent in preprocessing and in the model. */
  timings: { preprocessMs: number; modelMs: number };
}
