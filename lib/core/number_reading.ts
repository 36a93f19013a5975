/**
 * Reading a number by recognition: a shape that may hold touching digits
 * comes with pieces between candidate cuts (`DigitCrop.pieces`), each read
 * by the classifier like any digit. Kept is the chain of pieces from the
 * shape's left edge to its right edge that the classifier reads best
 * jointly (the sum of the log probabilities of each piece's reading), the
 * shape read whole among the chains. Pure: the result builder passes in the
 * model's rows.
 */
import type { Box, DecimalMark, DigitCrop, PreprocessResult } from "./image_types.ts";
import { rightEdge } from "./split_candidates.ts";

/** One digit of a reading: where it is and its 10 probabilities. */
export interface ReadPiece {
  box: Box;
  probabilities: number[];
}

/** One digit of the chosen reading of a number. */
export interface ReadDigit extends ReadPiece {
  /** The model rows (indices into `numberInputs` order) its probabilities are the mean of. */
  rows: number[];
}

/** How `readNumber` read an image's digits. */
export interface NumberReading {
  /** The digits, in reading order. */
  digits: ReadDigit[];
  /** The number with its decimal marks ("72.5"), when it has any. */
  reading?: string;
  /** The clockwise turn (degrees) of the chosen reading, when not upright. */
  turned?: number;
  /** The slant (degrees) the chosen reading's line was sheared upright by, when it was. */
  slant?: number;
}

/**
 * Every 28×28 input the model must read for `pre`, in the order
 * `readNumber` expects its rows: each crop's own rendering, its
 * alternatives, its pieces, crop after crop; then the same for each turned
 * reading. One batch for all of them.
 */
export function numberInputs(pre: PreprocessResult): Float32Array[] {
  const inputs = (digits: DigitCrop[]) =>
    digits.flatMap((d) => [d.pixels, ...(d.alternatives ?? []), ...splitInputs(d)]);
  return [pre.digits, ...(pre.turned ?? []).map((t) => t.digits)].flatMap(inputs);
}

const topOf = (p: number[]) => p.reduce((m, v) => Math.max(m, v), 0);

/**
 * The number in `pre`, read from the model's probabilities for
 * `numberInputs(pre)`: a crop with several renderings gets their mean (its
 * true width unknown, each counts as equally likely, so one distorted
 * rendering cannot outvote the rest); a crop with pieces is read whole or
 * split (`bestReading`); of the upright and turned readings the upright one
 * is kept unless a turned one is clearly surer (`bestTurn`); decimal marks
 * are put back. Each digit says which rows it came from, so other per-input
 * outputs (a rejection head's) can be averaged the same way.
 */
export function readNumber(pre: PreprocessResult, rows: number[][]): NumberReading {
  let next = 0;
  const readCrop = (d: DigitCrop): ReadDigit[] => {
    const n = 1 + (d.alternatives?.length ?? 0);
    const own = Array.from({ length: n }, (_, k) => next + k);
    const p = rows[next].map((_, c) => own.reduce((s, r) => s + rows[r][c], 0) / n);
    next += n;
    const count = splitInputs(d).length, first = next;
    next += count;
    const reading = bestReading(d, p, rows.slice(first, first + count));
    if (reading.length === 1 && reading[0].probabilities === p) {
      return [{ ...reading[0], rows: own }];
    }
    return reading.map((r) => ({
      ...r,
      rows: [first + rows.slice(first, first + count).indexOf(r.probabilities)],
    }));
  };
  const readLine = (crops: DigitCrop[]) => {
    // Each crop's first digit: where a decimal mark before that crop goes.
    const firstOf: number[] = [];
    const digits: ReadDigit[] = [];
    for (const d of crops) {
      firstOf.push(digits.length);
      digits.push(...readCrop(d));
    }
    return { digits, firstOf };
  };
  const upright = readLine(pre.digits);
  const turned = (pre.turned ?? []).map((t) => ({
    degrees: t.degrees,
    slant: t.slant,
    marks: t.marks,
    ...readLine(t.digits),
  }));
  const confidences = (ds: ReadDigit[]) => ds.map((d) => ({ confidence: topOf(d.probabilities) }));
  const pick = bestTurn(
    [upright, ...turned].map((r) => confidences(r.digits)),
    [0, ...turned.map((t) => t.degrees)],
  );
  // Marks belong to the upright reading (upside down, a point is no longer
  // at the foot), or to a slanted line's, found again once it stood upright.
  // Slanted, a point at the foot between two digits lies under the next
  // one's foot and is only seen upright: when the line as it came reads as
  // many digits, their marks are its marks.
  const slanted = turned.find((t) => t.slant !== undefined);
  const uprightMarks = pre.marks?.length || slanted?.digits.length !== upright.digits.length
    ? { marks: pre.marks, firstOf: upright.firstOf }
    : { marks: slanted.marks, firstOf: slanted.firstOf };
  const chosen = pick > 0
    ? turned[pick - 1]
    : { ...upright, ...uprightMarks, degrees: 0, slant: undefined };
  // A slanted line sheared upright is read as it came: no turn to report.
  const result: NumberReading = {
    digits: chosen.digits,
    ...(chosen.degrees ? { turned: chosen.degrees } : {}),
    ...(chosen.slant !== undefined ? { slant: chosen.slant } : {}),
  };
  if (chosen.marks?.length) {
    const text = chosen.digits.map((d) => String(d.probabilities.indexOf(topOf(d.probabilities))))
      .join("");
    result.reading = withMarks(text, chosen.marks, chosen.firstOf);
  }
  return result;
}

/**
 * What each extra digit costs, in log probability (about log 0.9): each
 * digit a split adds must be read about 90 % surely for the split to beat
 * an equally sure whole reading, so a wide 0 is not cut into halves read as
 * two middling 1s.
 */
export const SPLIT_COST = 0.1;

/** The 28×28 inputs of `crop`'s pieces, in order. */
export function splitInputs(crop: DigitCrop): Float32Array[] {
  return (crop.pieces ?? []).map((p) => p.pixels);
}

const logTop = (p: number[]) => Math.log(Math.max(1e-6, p.reduce((m, v) => Math.max(m, v), 0)));

/**
 * Chooses how to read `crop`: whole (`whole`: its averaged probabilities)
 * or as a chain of its pieces, whose probabilities are `pieceRows` in
 * `splitInputs` order (dynamic programming over the cuts). Returns the
 * digits of the chosen reading, left to right.
 */
export function bestReading(
  crop: DigitCrop,
  whole: number[],
  pieceRows: number[][],
): ReadPiece[] {
  const pieces = crop.pieces ?? [];
  const wholeReading = [{ box: crop.box, probabilities: whole }];
  if (pieces.length === 0) return wholeReading;
  const last = rightEdge(crop);
  // best[j]: score of the best chain from the left edge to cut j, and its last piece.
  const best = new Array<{ score: number; piece: number }>(last + 1);
  best[0] = { score: 0, piece: -1 };
  const order = pieces.map((_, k) => k).sort((a, b) => pieces[a].from - pieces[b].from);
  for (const k of order) {
    const p = pieces[k], start = best[p.from];
    if (!start) continue;
    const score = start.score + logTop(pieceRows[k]) - SPLIT_COST;
    if (!best[p.to] || score > best[p.to].score) best[p.to] = { score, piece: k };
  }
  // The whole shape is one digit and pays no split cost; a chain pays one per digit after the first.
  if (!best[last] || best[last].score + SPLIT_COST <= logTop(whole)) return wholeReading;
  const chain: ReadPiece[] = [];
  for (let at = last; at > 0;) {
    const k = best[at].piece;
    chain.unshift({ box: pieces[k].box, probabilities: pieceRows[k] });
    at = pieces[k].from;
  }
  return chain;
}

/**
 * `digits` with each decimal mark put back before the digit it precedes;
 * `firstOf[i]` is where crop `i`'s digits start in `digits` (a crop may
 * have been read as several digits).
 */
export function withMarks(digits: string, marks: DecimalMark[], firstOf: number[]): string {
  const at = new Map(marks.map((m) => [firstOf[m.before], m.mark]));
  let out = "";
  for (let i = 0; i < digits.length; i++) out += (at.get(i) ?? "") + digits[i];
  return out;
}

/**
 * How much better (mean log probability of the digits' readings) a reading
 * turned by 180° must be to replace the upright one: about 0.95 against 0.7
 * per digit, since an upright 6 is a fine 9 upside down and must not flip.
 */
export const UPSIDE_DOWN_MARGIN = 0.3;
/** The same for a quarter turn or a levelled line, where no digit turns into another. */
export const TURN_MARGIN = 0.1;
/**
 * A turned reading must also be sure in itself (geometric mean confidence):
 * a poor image read poorly upright is no sign that it is turned, and its
 * turned reading would only trade one guess for another; a word or a
 * symbol turned sideways must not become a confident number (0.85 let 4
 * more of the no-digit dev images through).
 */
export const TURNED_AT_LEAST = 0.9;

/**
 * Which reading of a line to keep: the upright one (index 0) unless a
 * turned one is read clearly more surely, and surely in itself. `readings[k]` holds the digits'
 * confidences, `degrees[k]` its turn (0 for the upright one).
 */
export function bestTurn(readings: { confidence: number }[][], degrees: number[]): number {
  const score = (r: { confidence: number }[]) =>
    r.length
      ? r.reduce((s, p) => s + Math.log(Math.max(1e-6, p.confidence)), 0) / r.length
      : -Infinity;
  const upright = score(readings[0]);
  let best = 0, bestScore = upright;
  for (let k = 1; k < readings.length; k++) {
    const margin = degrees[k] === 180 ? UPSIDE_DOWN_MARGIN : TURN_MARGIN;
    const sk = score(readings[k]);
    if (sk > upright + margin && sk > bestScore && sk >= Math.log(TURNED_AT_LEAST)) {
      best = k, bestScore = sk;
    }
  }
  return best;
}
