/**
 * Candidate cuts of a shape that may hold several touching or overlapping
 * digits (a cheque amount, "1000" written in one stroke, the tight box of a
 * slanted scan). Preprocessing has no model, so it only proposes: the
 * columns where the ink is thinnest are cut candidates, and every span
 * between two of them that is digit-wide becomes a piece, rendered and read
 * like any digit; `number_reading.ts` then keeps the chain of pieces the
 * classifier reads best jointly (or the shape whole).
 */
import type { DigitGroup } from "./segment.ts";
import type { DigitCrop } from "./image_types.ts";

/** Options for `candidatePieces`. */
export interface SplitOptions {
  /** Shapes narrower than this times their height are not split (default 0.75). */
  minAspect?: number;
  /** Most cut candidates inside one shape (default 10). */
  maxCuts?: number;
  /** Narrowest piece, as a share of the shape's height (default 0.12). */
  minPieceWidth?: number;
  /**
   * Lowest piece, as a share of the shape's height (default 0.55): digits
   * written in one go are about as tall as each other, while the arms of a
   * tick or a cross cut apart are not.
   */
  minPieceHeight?: number;
  /** Widest piece, as a share of the shape's height (default 1.1). */
  maxPieceWidth?: number;
}

/** A span of a shape between two cut candidates. */
export interface Piece extends DigitGroup {
  /** Index of its left and right cut: 0 = the shape's left edge, `cuts + 1` its right edge. */
  from: number;
  to: number;
}

/**
 * Pieces of group `g` (label image `labels`, width `w`) between its cut
 * candidates: the columns where the column ink count has a local minimum at
 * most half the typical count (where touching digits meet, the ink is
 * thinnest), the deepest `maxCuts` of them. Returns the number of cuts and
 * every piece between two cuts whose width is plausible for a digit, the
 * shape as a whole excluded; none for a shape narrower than a digit pair.
 */
export function candidatePieces(
  g: DigitGroup,
  labels: Int32Array,
  w: number,
  options: SplitOptions = {},
): { cuts: number; pieces: Piece[] } {
  const bw = g.x1 - g.x0, bh = g.y1 - g.y0;
  if (bw < (options.minAspect ?? 0.75) * bh || bw < 8) return { cuts: 0, pieces: [] };
  const members = new Set(g.labels);
  const column = new Float32Array(bw);
  // Top and bottom contours: first and last ink row of each column.
  const top = new Float32Array(bw).fill(bh), bottom = new Float32Array(bw).fill(-1);
  for (let y = g.y0; y < g.y1; y++) {
    for (let x = g.x0; x < g.x1; x++) {
      if (!members.has(labels[y * w + x])) continue;
      const c = x - g.x0;
      column[c]++;
      if (top[c] === bh) top[c] = y - g.y0;
      bottom[c] = y - g.y0;
    }
  }
  const sorted = Float32Array.from(column).sort();
  const typical = sorted[sorted.length >> 1];
  const minWidth = Math.max(2, (options.minPieceWidth ?? 0.12) * bh);
  const maxWidth = (options.maxPieceWidth ?? 1.1) * bh;
  const minHeight = (options.minPieceHeight ?? 0.55) * bh;
  // Where touching digits meet, the ink is thin (a column-count minimum), or
  // the top contour dips and the bottom contour rises between their bellies.
  const depth = new Float32Array(bw);
  const reach = Math.max(2, Math.round(0.3 * bh));
  for (let x = Math.ceil(minWidth); x < bw - minWidth; x++) {
    let topAround = bh, bottomAround = -1;
    for (let k = Math.max(0, x - reach); k <= Math.min(bw - 1, x + reach); k++) {
      if (Math.abs(k - x) < reach / 3) continue;
      topAround = Math.min(topAround, top[k]);
      bottomAround = Math.max(bottomAround, bottom[k]);
    }
    const valley = Math.max(top[x] - topAround, bottomAround - bottom[x]) / bh;
    const thin = 1 - column[x] / (typical || 1);
    depth[x] = Math.max(valley >= 0.15 ? valley : 0, thin >= 0.5 ? thin : 0);
  }
  // The deepest point of each run of candidate columns.
  const minima: number[] = [];
  for (let x = 0; x < bw; x++) {
    if (!depth[x]) continue;
    let end = x, at = x;
    while (end + 1 < bw && depth[end + 1]) {
      end++;
      if (depth[end] > depth[at]) at = end;
    }
    minima.push(depth[at] === depth[x] && depth[end] === depth[x] ? Math.round((x + end) / 2) : at);
    x = end;
  }
  const cuts = minima
    .sort((a, b) => depth[b] - depth[a])
    .slice(0, options.maxCuts ?? 10)
    .sort((a, b) => a - b);
  const edges = [0, ...cuts, bw];
  const pieces: Piece[] = [];
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const width = edges[j] - edges[i];
      if (width < minWidth || width > maxWidth || (i === 0 && j === edges.length - 1)) continue;
      const p = piece(g, members, labels, w, edges[i], edges[j]);
      if (p.area > 0 && p.y1 - p.y0 >= minHeight) pieces.push({ ...p, from: i, to: j });
    }
  }
  return { cuts: cuts.length, pieces };
}

/** The part of `g` in its columns [a, b) (relative to `g.x0`), box tightened to its ink. */
function piece(
  g: DigitGroup,
  members: Set<number>,
  labels: Int32Array,
  w: number,
  a: number,
  b: number,
): DigitGroup {
  let y0 = g.y1, y1 = g.y0, area = 0;
  for (let y = g.y0; y < g.y1; y++) {
    for (let x = g.x0 + a; x < g.x0 + b; x++) {
      if (!members.has(labels[y * w + x])) continue;
      area++;
      if (y < y0) y0 = y;
      if (y + 1 > y1) y1 = y + 1;
    }
  }
  return { labels: g.labels, x0: g.x0 + a, x1: g.x0 + b, y0: Math.min(y0, y1), y1, area };
}

/** Index of `crop`'s right edge among its cuts (0 is its left edge). */
export function rightEdge(crop: DigitCrop): number {
  return crop.cuts !== undefined
    ? crop.cuts + 1
    : (crop.pieces ?? []).reduce((m, p) => Math.max(m, p.to), 0);
}
