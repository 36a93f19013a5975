/**
 * The "no digit" decision: which shapes of an image are not digits, and
 * whether the image as a whole holds none, with what it holds instead.
 *
 * Per shape, an open-set head on the digit model's penultimate features
 * (static/model/no_digit.json, trained by training/no_digit/train.ts on
 * generated letters, symbols, doodles, fragments and textures) gives class
 * probabilities for digit / writing / symbol / drawing. Per image, the share
 * of rejected shapes and the layout of all shapes decide: a word is several
 * shapes on one line, most of them no digit, even when its "o" and "l" pass
 * as 0 and 1; a photo of an object or a texture breaks into many shapes
 * scattered over the picture.
 */
import type { Box, NoDigitKind } from "./image_types.ts";

/** The head's classes, in the order of its outputs. */
export const SHAPE_CLASSES = ["digit", "writing", "symbol", "drawing"] as const;

/** Thresholds of the decision. */
export interface NoDigitSettings {
  /** A shape is not a digit when the head gives it at least this (default 0.5). */
  shapeThreshold?: number;
  /**
   * The image holds no digit when at least this share of its shapes are not
   * digits (default 0.5); with one or two shapes, all of them must be.
   */
  imageShare?: number;
  /**
   * In an image that still reads as digits, a rejected shape is left out of
   * the reading only when its not-digit probability reaches this (default
   * 0.9) and the digit model is unsure of it too (confidence under
   * `dropBelowConfidence`, default 0.7): a stray doubt must not cost a real
   * number one of its digits.
   */
  dropThreshold?: number;
  dropBelowConfidence?: number;
  /**
   * A shape the digit model reads with at least this confidence is a digit
   * whatever the head says (default 0.95): the head was trained on
   * generated shapes, the digit model on real digits, and a real digit
   * must not be rejected.
   */
  keepAboveConfidence?: number;
  /**
   * An image of one shape that the digit model reads with at least this
   * confidence (default 0.7) is rejected only when the shape turned upside
   * down is no digit either: 0, 1, 6, 8 and 9 read as digits both ways up
   * and are the digits most like lines and loops, while a letter, a mark or
   * a doodle stays what it is. On MNIST test digits alone this halves the
   * rejections between 0.7 and the keep guard for a loss of 1–3 points of
   * generated lone non-digits (see BENCHMARKS.md, "Recognition on real
   * images").
   */
  secondOpinionAbove?: number;
  /**
   * A shape with at least this many separate marks inside its own holes
   * (default 2; `DigitCrop.enclosedMarks`) is no digit whatever the head
   * says, unless the digit model is sure of it (`keepAboveConfidence`): a
   * digit's loops are empty, a face holds its eyes. On the dev sets no digit
   * holds even one such mark.
   */
  enclosedMarksAtLeast?: number;
}

const DEFAULTS: Required<NoDigitSettings> = {
  shapeThreshold: 0.5,
  imageShare: 0.5,
  dropThreshold: 0.9,
  dropBelowConfidence: 0.7,
  keepAboveConfidence: 0.95,
  secondOpinionAbove: 0.7,
  enclosedMarksAtLeast: 2,
};

/** One shape as the decision sees it. */
export interface ShapeEvidence {
  box: Box;
  /** The head's class probabilities (SHAPE_CLASSES order). */
  classes: number[];
  /** The digit model's confidence in its reading of the shape. */
  confidence?: number;
  /** The head's class probabilities for the shape turned by 180°, when it was read so. */
  turnedClasses?: number[];
  /** Separate marks inside the shape's holes (`DigitCrop.enclosedMarks`). */
  enclosedMarks?: number;
}

/** The decision for one image. */
export interface NoDigitVerdict {
  /** True when the image holds no digit. */
  noDigit: boolean;
  /** What it holds instead, when `noDigit`. */
  kind?: NoDigitKind;
  /** Per shape: true when it is left out of the reading. */
  dropped: boolean[];
  /** Per shape: its not-digit probability. */
  notDigit: number[];
  /** Per shape: the non-digit class it resembles most. */
  shapeKind: NoDigitKind[];
}

/** The words the page and the API use for each kind. */
export const NO_DIGIT_REASONS: Record<NoDigitKind, string> = {
  blank: "the image looks blank",
  noise: "only noise was found, no stroke stands out",
  nothing: "nothing shaped like a digit was found",
  writing: "this looks like writing, not digits",
  symbol: "this looks like a symbol or a mark (such as + − × = ✓ or a box), not a digit",
  drawing: "this looks like a drawing, not digits",
  photo: "this looks like a photo without digits",
};

/** The kind behind preprocessing's reason for finding no shape at all. */
export function kindOfPreprocessReason(reason: string | undefined): NoDigitKind {
  if (reason?.startsWith("blank")) return "blank";
  if (reason?.startsWith("noise")) return "noise";
  return "nothing";
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

/**
 * Shapes spread over the picture in two dimensions rather than written on
 * one line: many of them, whose vertical extent is several times their
 * typical height (a texture, the edges of an object).
 */
export function scatteredShapes(boxes: Box[]): boolean {
  if (boxes.length < 6) return false;
  const h = median(boxes.map((b) => b[3]));
  const top = Math.min(...boxes.map((b) => b[1]));
  const bottom = Math.max(...boxes.map((b) => b[1] + b[3]));
  return bottom - top > 2.5 * h;
}

/** Decides, from the head's verdict on each shape and their layout, see the module comment. */
export function judgeShapes(
  shapes: ShapeEvidence[],
  settings: NoDigitSettings = {},
): NoDigitVerdict {
  const s = { ...DEFAULTS, ...settings };
  // Structural evidence: marks inside a shape's holes make it a drawing (a face, an object).
  const enclosing = shapes.map((x) => (x.enclosedMarks ?? 0) >= s.enclosedMarksAtLeast);
  const notDigit = shapes.map((x, i) => enclosing[i] ? 1 : 1 - x.classes[0]);
  const shapeKind = shapes.map((x, i) => {
    if (enclosing[i]) return "drawing";
    let best = 1;
    for (let k = 2; k < x.classes.length; k++) if (x.classes[k] > x.classes[best]) best = k;
    return SHAPE_CLASSES[best] as NoDigitKind;
  });
  const lone = shapes.length === 1;
  const rejected = notDigit.map((p, i) => {
    const { confidence = 0, turnedClasses } = shapes[i];
    if (confidence >= s.keepAboveConfidence) return false;
    if (enclosing[i]) return true;
    if (p < s.shapeThreshold) return false;
    // A lone shape read fairly confidently: the upside-down view must agree (see settings).
    if (lone && confidence >= s.secondOpinionAbove && turnedClasses) {
      return 1 - turnedClasses[0] >= s.shapeThreshold;
    }
    return true;
  });
  const count = rejected.filter(Boolean).length;
  const enough = shapes.length <= 2
    ? count === shapes.length
    : count >= s.imageShare * shapes.length;
  if (shapes.length && enough) {
    return {
      noDigit: true,
      kind: imageKind(shapes, rejected, enclosing),
      dropped: shapes.map(() => true),
      notDigit,
      shapeKind,
    };
  }
  return {
    noDigit: false,
    dropped: notDigit.map((p, i) =>
      rejected[i] && p >= s.dropThreshold && (shapes[i].confidence ?? 0) < s.dropBelowConfidence
    ),
    notDigit,
    shapeKind,
  };
}

/** What a no-digit image holds: photo, writing, or its shapes' most likely kind. */
function imageKind(
  shapes: ShapeEvidence[],
  rejected: boolean[],
  enclosing: boolean[],
): NoDigitKind {
  const boxes = shapes.map((x) => x.box);
  if (scatteredShapes(boxes)) return "photo";
  if (shapes.length >= 3) return "writing";
  if (enclosing.some(Boolean)) return "drawing";
  // One or two shapes: the kind with the most probability among the rejected ones.
  const sum = new Array(SHAPE_CLASSES.length).fill(0);
  shapes.forEach((x, i) => {
    if (rejected[i]) x.classes.forEach((p, k) => sum[k] += p);
  });
  let best = 1;
  for (let k = 2; k < sum.length; k++) if (sum[k] > sum[best]) best = k;
  return SHAPE_CLASSES[best] as NoDigitKind;
}

/**
 * The settings a head was calibrated for: its training run stores the
 * not-digit probability above which only a sliver of generated and MNIST
 * digits fall (`shape_threshold` in its metadata).
 */
export function noDigitSettingsOf(head?: { metadata: Record<string, unknown> }): NoDigitSettings {
  const t = head?.metadata.shape_threshold;
  return typeof t === "number" && t > 0 && t < 1 ? { shapeThreshold: t } : {};
}
