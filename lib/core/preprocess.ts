/**
 * Any image → MNIST-like 28×28 digit inputs. The one preprocessing used by
 * the browser, the server, the CLI and the tests, so they all agree.
 *
 * Pipeline (each stage in its own module):
 * 1. `toGrey`: luma with alpha composited, shrunk in the same pass so the
 *    image holds at most `workPixels` (0.3 MP) and its longer side is at
 *    most `maxWorkSide` (a 12 MP photo costs one sparse read of its bytes);
 * 2. `inkMap`: polarity, background levelling (shadows, coloured paper),
 *    noise estimate; a blank or pure-noise image stops here with a reason;
 * 3. hysteresis threshold (strong ink seeds, faint ink connects), removal of
 *    ruled lines (`segment.ts`), shapes that frame the picture or a form
 *    field dropped (`shape_filters.ts`), connected components grouped into
 *    digits, left to right (`segment.ts`);
 * 4. per digit, the MNIST construction rule (`mnist_frame.ts`): stroke width
 *    brought near MNIST's, longer side fitted to 20 px with an anti-aliased
 *    downscale, aspect kept, placed in 28×28 so the centre of mass is at the
 *    centre;
 * 5. other readings of the same image, for the recogniser to choose from: a
 *    tilted line levelled (`rotate.ts`), slanted writing sheared upright
 *    (`slant.ts`), the image upside down or sideways.
 */
import type {
  Box,
  DecimalMark,
  DigitCrop,
  GreyImage,
  PreprocessResult,
  RasterImage,
  TurnedReading,
} from "./image_types.ts";
import { toGrey } from "./resample.ts";
import { inkMap } from "./ink.ts";
import {
  type DigitGroup,
  findDecimalMarks,
  groupDigits,
  labelComponents,
  removeLines,
} from "./segment.ts";
import { lineAngle, rotateGrey } from "./rotate.ts";
import { estimateSlant, shearGrey } from "./slant.ts";
import { dropBoxes, dropFrameEdges, dropRules, pageEdges } from "./shape_filters.ts";
import { enclosedMarks } from "./enclosed_marks.ts";
import { digitToMnist } from "./mnist_frame.ts";
import { candidatePieces, rightEdge } from "./split_candidates.ts";
import { scratchUint8, withScratch } from "./scratch.ts";

/** Tuning knobs; the defaults are what the photo benchmark was measured with. */
export interface PreprocessOptions {
  /** Longest side of the working image (default 1280); the result's `workSize` is its [w, h]. */
  maxWorkSide?: number;
  /**
   * Pixels of the working image (default 640×480). An area budget rather
   * than a side: a wide photo of a long number keeps enough height per digit.
   */
  workPixels?: number;
  /** Below this peak ink contrast (0–1) the image is blank (default 0.06). */
  minContrast?: number;
  /** Below this peak-to-noise ratio the image is noise (default 6). */
  minSnr?: number;
  /** Thicken thin strokes towards MNIST's width (default true). */
  normaliseStroke?: boolean;
  /** Stroke width to aim for, in pixels of the 28×28 image (default 2.2). */
  targetStroke?: number;
  /** Straighten slanted digits by their second moments (default false). */
  deskew?: boolean;
  /** At most this many digits are returned (default 16). */
  maxDigits?: number;
  /** Quantile of a digit's ink values mapped to full white (default 0.7). */
  levelQuantile?: number;
  /** Thin strokes wider than this many times the target (0 = never; default 0). */
  thinAbove?: number;
  /**
   * Widths (relative) to also try for a digit that fills a tiny image edge to
   * edge (default [0.7, 0.5, 0.35]; [] to turn off). Such images were
   * size-normalised to their frame, as Semeion and USPS scans were, which
   * stretches narrow digits (a 1 with a flag becomes a wide 4-like shape);
   * the recogniser averages the probabilities of all the readings.
   */
  aspectHypotheses?: number[];
  /**
   * Offer ways to cut a shape wider than a digit into touching digits, for
   * the recogniser to choose by reading them (default true).
   */
  splitTouching?: boolean;
  /** Level a tilted line of writing before reading it (default true). */
  levelLine?: boolean;
  /**
   * Also offer the reading of slanted writing sheared upright, when it leans
   * by at least this many degrees (default 15; 0 = never).
   */
  deslantAbove?: number;
  /**
   * Also offer the readings of the image turned by 180°, and by 90° and
   * 270° when its shapes lie on their side (default true).
   */
  tryTurned?: boolean;
}

const DEFAULTS: Required<PreprocessOptions> = {
  maxWorkSide: 1280,
  workPixels: 640 * 480,
  minContrast: 0.06,
  minSnr: 6,
  normaliseStroke: true,
  targetStroke: 2.2,
  deskew: false,
  maxDigits: 16,
  levelQuantile: 0.7,
  thinAbove: 0,
  aspectHypotheses: [0.7, 0.5, 0.35],
  splitTouching: true,
  levelLine: true,
  deslantAbove: 15,
  tryTurned: true,
};

/**
 * The longer side preprocessing shrinks a `width`×`height` image to (never
 * enlarging): within `maxWorkSide`, and `workPixels` in area.
 */
export function workingSide(
  width: number,
  height: number,
  options: PreprocessOptions = {},
): number {
  const opt = { ...DEFAULTS, ...options };
  const byArea = Math.sqrt(opt.workPixels / (width * height));
  return Math.min(opt.maxWorkSide, Math.max(width, height) * byArea);
}

/**
 * Finds the digits in `image` and turns each into a 28×28 MNIST-style input
 * (white on black, values in [0, 1]), left to right. When there is no digit
 * (blank, uniform, noise, nothing digit-sized), `digits` is empty and
 * `reason` says why.
 */
export function preprocessImage(
  image: RasterImage,
  options: PreprocessOptions = {},
): PreprocessResult {
  // The working images live only for this call: their arrays are reused by the next one.
  return withScratch(() => preprocessWith(image, options));
}

function preprocessWith(image: RasterImage, options: PreprocessOptions): PreprocessResult {
  const opt = { ...DEFAULTS, ...options };
  const { grey } = toGrey(image, workingSide(image.width, image.height, options));
  const fx = image.width / grey.width, fy = image.height / grey.height;
  const workSize: [number, number] = [grey.width, grey.height];
  const toImage = (b: WorkBox) => scaleBox(b, fx, fy, image.width, image.height);
  const read = readGrey(grey, opt, toImage);
  const { inverted } = read;
  if (read.digits.length === 0) return { digits: [], inverted, workSize, reason: read.reason };

  const result: PreprocessResult = { digits: read.digits, inverted, workSize };
  if (read.marks.length) result.marks = read.marks;
  const turned: TurnedReading[] = [];
  // A tilted line of writing, levelled and read again, is offered too: the
  // model knows upright digits, and grouping assumes a horizontal line. The
  // recogniser keeps it only if the model reads it clearly better.
  // Two centres say little (a 7's hangs low), so it takes three digits.
  const tilt = opt.levelLine && read.groups.length >= 3 ? lineAngle(read.groups) : 0;
  if (Math.abs(tilt) >= 5 && Math.abs(tilt) <= 40) {
    const level = rotateGrey(grey, -tilt);
    const again = readGrey(level.image, opt, (b) => toImage(level.back(b)));
    if (again.digits.length) turned.push({ degrees: -Math.round(tilt), digits: again.digits });
  }
  // A digit filling a tiny frame (a scan normalised to it) is one digit by
  // construction: shearing it could only split it.
  const framed = read.digits.some((d) => d.alternatives);
  const slant = opt.deslantAbove > 0 && !framed ? read.slant() : 0;
  if (Math.abs(slant) >= opt.deslantAbove && slant !== 0) {
    // Slanted digits overlap in x, so they group into one shape that no
    // vertical cut can split; stood upright they come apart. Offered like a
    // levelled line: kept only when the model reads it clearly better.
    const upright = shearGrey(grey, slant);
    const again = readGrey(upright.image, opt, (b) => toImage(upright.back(b)));
    if (again.digits.length) {
      turned.push({
        degrees: 0,
        slant,
        digits: again.digits,
        ...(again.marks.length ? { marks: again.marks } : {}),
      });
    }
  }
  if (opt.tryTurned) {
    // The photo may be upside down or sideways: offer those readings too.
    turned.push({ degrees: 180, digits: turnCrops(read.digits) });
    if (looksSideways(read.groups)) {
      for (const degrees of [90, 270] as const) {
        const t = rotateGrey(grey, degrees);
        const r = readGrey(t.image, opt, (b) => toImage(t.back(b)));
        if (r.digits.length) turned.push({ degrees, digits: r.digits });
      }
    }
  }
  if (turned.length) result.turned = turned;
  return result;
}

type WorkBox = { x0: number; y0: number; x1: number; y1: number };

/** What one pass over a working image found (boxes of `digits` and `marks` in image pixels). */
interface GreyReading {
  digits: DigitCrop[];
  marks: DecimalMark[];
  /** The digits' groups, in working-image pixels. */
  groups: DigitGroup[];
  /** Slant of the digits' ink in degrees (`estimateSlant`), measured when asked. */
  slant: () => number;
  inverted: boolean;
  reason?: string;
}

/** Stages 2–4 of the pipeline on a working image; `toImage` maps its boxes to the input's. */
function readGrey(
  grey: GreyImage,
  opt: Required<PreprocessOptions>,
  toImage: (b: WorkBox) => Box,
): GreyReading {
  const map = inkMap(grey);
  const none = (reason: string): GreyReading => ({
    digits: [],
    marks: [],
    groups: [],
    slant: () => 0,
    inverted: map.inverted,
    reason,
  });
  if (map.peak < opt.minContrast) return none("blank: the image has no contrast");
  if (map.peak < opt.minSnr * map.noise) return none("noise: no stroke stands out of the noise");

  const { width: w, height: h } = grey;
  const ink = map.ink.data;
  // Hysteresis: faint pixels count only when connected to clearly inked ones.
  const high = Math.max(0.45 * map.peak, 4 * map.noise);
  const low = Math.max(0.2 * map.peak, 2.5 * map.noise);
  const mask = scratchUint8(w * h, false);
  for (let i = 0; i < mask.length; i++) mask[i] = ink[i] > low ? 1 : 0;
  removeLines(mask, w, h);
  const { labels, components } = labelComponents(mask, w, h);
  const strong = new Uint8Array(components.length + 1);
  for (let i = 0; i < ink.length; i++) if (labels[i] && ink[i] > high) strong[labels[i]] = 1;
  // The page's own edges and shadows go first: with nothing else, the page is blank.
  const edges = pageEdges(components, labels, w, h);
  const kept = dropRules(
    dropBoxes(
      dropFrameEdges(components.filter((c) => strong[c.label] && !edges.has(c.label)), w, h),
      labels,
      w,
    ),
    w,
    h,
  );
  const groups = groupDigits(kept, w, h).slice(0, opt.maxDigits);
  if (groups.length === 0) {
    return none(
      edges.size ? "blank: only the page's edges and shadows" : "no digit-sized shape found",
    );
  }

  const digits: DigitCrop[] = groups.map((g) => {
    const crop: DigitCrop = {
      pixels: digitToMnist(map.ink, labels, g, opt, 1),
      box: toImage(g),
    };
    // Marks inside the shape's holes (a face's eyes): evidence for the no-digit decision.
    const inside = enclosedMarks(g, kept, labels, w);
    if (inside) crop.enclosedMarks = inside;
    // A digit touching all four edges of a tiny image: its aspect ratio was
    // probably lost when the image was normalised to its frame.
    const fillsFrame = Math.max(w, h) <= 64 && g.x0 === 0 && g.y0 === 0 && g.x1 === w &&
      g.y1 === h;
    if (fillsFrame && opt.aspectHypotheses.length) {
      crop.alternatives = opt.aspectHypotheses.map((s) => digitToMnist(map.ink, labels, g, opt, s));
    } else if (opt.splitTouching) {
      const { cuts, pieces } = candidatePieces(g, labels, w);
      if (pieces.length) {
        crop.cuts = cuts;
        crop.pieces = pieces.map((p) => ({
          pixels: digitToMnist(map.ink, labels, p, opt),
          box: toImage(p),
          from: p.from,
          to: p.to,
        }));
      }
    }
    return crop;
  });
  const marks = findDecimalMarks(kept, groups).map((m) => ({
    before: m.before,
    mark: m.mark,
    box: toImage(m),
  }));
  const slant = () => inkSlant(labels, w, groups);
  return { digits, marks, groups, slant, inverted: map.inverted };
}

/** Most ink pixels `inkSlant` looks at: a sample is as good for a slant. */
const SLANT_SAMPLES = 20_000;

/** The slant of the ink of `groups` (label image `labels`, `w` wide), from a sample of its pixels. */
function inkSlant(labels: Int32Array, w: number, groups: DigitGroup[]): number {
  const members = new Set(groups.flatMap((g) => g.labels));
  const area = groups.reduce((s, g) => s + g.area, 0);
  const step = Math.max(1, Math.ceil(area / SLANT_SAMPLES));
  const xs: number[] = [], ys: number[] = [];
  // One pass over the box around all groups (their boxes may overlap).
  const x0 = Math.min(...groups.map((g) => g.x0)), x1 = Math.max(...groups.map((g) => g.x1));
  const y0 = Math.min(...groups.map((g) => g.y0)), y1 = Math.max(...groups.map((g) => g.y1));
  let k = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (members.has(labels[y * w + x]) && k++ % step === 0) xs.push(x), ys.push(y);
    }
  }
  return estimateSlant(xs, ys);
}

/** A 28×28 input turned by 180° (the MNIST frame is symmetric, so it stays centred). */
function turnPixels(px: Float32Array): Float32Array {
  return px.slice().reverse();
}

/** The crops of a line read upside down: each crop turned, their order reversed. */
function turnCrops(digits: DigitCrop[]): DigitCrop[] {
  return digits.map((d) => {
    const last = rightEdge(d);
    return {
      pixels: turnPixels(d.pixels),
      box: d.box,
      ...(d.enclosedMarks ? { enclosedMarks: d.enclosedMarks } : {}),
      ...(d.alternatives ? { alternatives: d.alternatives.map(turnPixels) } : {}),
      ...(d.pieces
        ? {
          cuts: d.cuts,
          pieces: d.pieces.map((p) => ({
            pixels: turnPixels(p.pixels),
            box: p.box,
            from: last - p.to,
            to: last - p.from,
          })),
        }
        : {}),
    };
  }).reverse();
}

/**
 * Digits lying on their side: most shapes wider than tall, or a tall shape
 * of several pieces (sideways digits stacked into one column).
 */
function looksSideways(groups: DigitGroup[]): boolean {
  const aspects = groups.map((g) => (g.x1 - g.x0) / (g.y1 - g.y0)).sort((a, b) => a - b);
  if (aspects[aspects.length >> 1] > 1.2) return true;
  return groups.some((g) => g.labels.length >= 2 && g.y1 - g.y0 >= 1.8 * (g.x1 - g.x0));
}

function scaleBox(
  g: { x0: number; y0: number; x1: number; y1: number },
  fx: number,
  fy: number,
  iw: number,
  ih: number,
): Box {
  const x = Math.max(0, Math.floor(g.x0 * fx)), y = Math.max(0, Math.floor(g.y0 * fy));
  const x1 = Math.min(iw, Math.ceil(g.x1 * fx)), y1 = Math.min(ih, Math.ceil(g.y1 * fy));
  return [x, y, x1 - x, y1 - y];
}
