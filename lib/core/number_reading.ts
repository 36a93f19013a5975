/**
 * Reading a number by recognition: a shape that may hold touching digits
 * comes with pieces between candidate cuts (`DigitCrop.pieces`), each read
 * by the classifier like any digit. Kept is the chain of pieces from the
 * shape's left edge to its right edge that the classifier reads best
 * jointly (the sum of the log probabilities of each piece's reading), the
 * shape read whole among the chains. Pure: the result builder passes in the
 * model's rows.
 */
import type { Box, DecimalMark, DigitCrop } from "./image_types.ts";

/** One digit of a reading: where it is and its 10 probabilities. */
export interface ReadPiece {
  box: Box;
  probabilities: number[];
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
  const last = pieces.reduce((m, p) => Math.max(m, p.to), 0);
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
