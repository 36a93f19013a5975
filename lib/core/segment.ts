/**
 * Splitting an ink mask into digits: connected components, removal of ruled
 * lines, and grouping of components into digits read left to right.
 * Pure functions over a binary mask (1 = ink) of a `width`×`height` image.
 */
import { scratchInt32, scratchUint8 } from "./scratch.ts";

/** One 8-connected component of the mask. */
export interface Component {
  /** Label in the label image (1-based). */
  label: number;
  /** Bounding box, `x1`/`y1` exclusive. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Number of pixels. */
  area: number;
}

/** A group of components judged to form one digit. */
export interface DigitGroup {
  /** Labels of the member components. */
  labels: number[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  area: number;
}

/**
 * Labels the 8-connected components of `mask` (two-pass union–find).
 * Returns the label image (0 = background) and the components.
 */
export function labelComponents(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; components: Component[] } {
  const labels = scratchInt32(width * height);
  const parent: number[] = [0];
  const find = (a: number) => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const union = (a: number, b: number) => {
    const ra = find(a), rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!mask[i]) continue;
      // Already-visited neighbours W, NW, N, NE, as a decision tree (this
      // loop is hot): a labelled N touches the other three, which were
      // therefore joined to it when they were visited; NE and W (or NW)
      // touch only through this pixel.
      let l = 0;
      if (y > 0) {
        const up = i - width;
        l = labels[up];
        if (!l) {
          const ne = x + 1 < width ? labels[up + 1] : 0;
          const nw = x > 0 ? labels[up - 1] : 0;
          const w = x > 0 ? labels[i - 1] : 0;
          if (ne) {
            l = ne;
            if (w) union(ne, w);
            else if (nw) union(ne, nw);
          } else l = w || nw;
        }
      } else if (x > 0) l = labels[i - 1];
      if (!l) {
        l = parent.length;
        parent.push(l);
      }
      labels[i] = l;
    }
  }
  // Second pass: compact root labels to 1..n (in order of each component's
  // first pixel, whatever the provisional labels were) and gather statistics.
  const compact = new Int32Array(parent.length);
  const components: Component[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0, i = y * width; x < width; x++, i++) {
      if (!labels[i]) continue;
      const root = find(labels[i]);
      let c = compact[root];
      if (!c) {
        c = compact[root] = components.length + 1;
        components.push({ label: c, x0: x, y0: y, x1: x + 1, y1: y + 1, area: 0 });
      }
      labels[i] = c;
      const comp = components[c - 1];
      comp.area++;
      if (x < comp.x0) comp.x0 = x;
      if (x + 1 > comp.x1) comp.x1 = x + 1;
      if (y + 1 > comp.y1) comp.y1 = y + 1;
    }
  }
  return { labels, components };
}

/**
 * Removes long, thin, nearly horizontal or vertical lines (ruled or squared
 * paper, notebook margins, a table edge) from the mask, in place.
 *
 * A line is a band, at one of a few small angles, whose ink covers at least
 * `min_span` of the image's width (or height). Only the pixels of the band
 * whose run across the band is short are cleared, so digit strokes that
 * cross the line survive. Images under 64 px on the short side are left
 * alone (there the digit itself may span the whole frame), except for
 * horizontal lines in a wide strip.
 * Returns the number of lines removed.
 */
export function removeLines(
  mask: Uint8Array,
  width: number,
  height: number,
  minSpan = 0.6,
): number {
  // A strip half again as wide as tall (a number cut out with the line
  // it is written on) is searched for horizontal lines even when small: no
  // digit spans its width.
  const strip = width >= 1.5 * height && height >= 40;
  if (Math.min(width, height) < 64 && !strip) return 0;
  // A line spans at least `minSpan` of the columns (rows) it crosses: with
  // fewer columns (rows) holding any ink there is none to find, and the
  // search below, the costliest step of a camera frame, is skipped.
  const [columns, rows] = inkedColumnsAndRows(mask, width, height);
  let removed = columns >= width * minSpan
    ? removeHorizontalLines(mask, width, height, minSpan)
    : 0;
  if (Math.min(width, height) < 64 || rows < height * minSpan) return removed;
  // Vertical lines: the same on the transposed mask.
  const t = scratchUint8(width * height, false);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) t[x * height + y] = mask[y * width + x];
  }
  const vertical = removeHorizontalLines(t, height, width, minSpan);
  if (vertical) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) mask[y * width + x] = t[x * height + y];
    }
    removed += vertical;
  }
  return removed;
}

/** How many columns and how many rows of the mask hold ink. */
function inkedColumnsAndRows(mask: Uint8Array, width: number, height: number): [number, number] {
  const column = new Uint8Array(width);
  let columns = 0, rows = 0;
  for (let y = 0; y < height; y++) {
    let any = false;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      if (!mask[i]) continue;
      any = true;
      if (!column[x]) {
        column[x] = 1;
        columns++;
      }
    }
    if (any) rows++;
  }
  return [columns, rows];
}

function removeHorizontalLines(
  mask: Uint8Array,
  width: number,
  height: number,
  minSpan: number,
): number {
  // Ink pixels in column-major order, once: the projections below visit only
  // ink, and increasing x lets "distinct columns per row" be counted with one
  // last-seen column per row.
  const xs: number[] = [], ys: number[] = [];
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      if (mask[y * width + x]) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  const need = width * minSpan;
  if (xs.length < need) return 0;
  const maxThickness = Math.max(3, Math.round(Math.min(width, height) * 0.012));
  let removed = 0;
  for (let deg = -5; deg <= 5; deg += 0.5) {
    const slope = Math.tan((deg * Math.PI) / 180);
    // Row of each pixel once a line at this angle is straightened: y − slope·x.
    const offset = Math.ceil(Math.abs(slope) * width) + 2;
    const rows = height + 2 * offset;
    const seen = new Int32Array(rows).fill(-1);
    const count = new Int32Array(rows);
    const first = new Int32Array(rows).fill(-1);
    // Longest stretch of consecutive inked columns per band: a rule is drawn
    // in one go, while the tops of digits that touch both sides of a tight
    // crop line up only here and there.
    const run = new Int32Array(rows), longest = new Int32Array(rows);
    for (let k = 0; k < xs.length; k++) {
      if (!mask[ys[k] * width + xs[k]]) continue;
      const r = Math.round(ys[k] - slope * xs[k]) + offset;
      // Count into a 3-row band so a line between two angles still adds up.
      for (let b = r - 1; b <= r + 1; b++) {
        if (seen[b] !== xs[k]) {
          if (first[b] < 0) first[b] = xs[k];
          run[b] = seen[b] === xs[k] - 1 ? run[b] + 1 : 1;
          if (run[b] > longest[b]) longest[b] = run[b];
          seen[b] = xs[k];
          count[b]++;
        }
      }
    }
    for (let r = 1; r + 1 < rows; r++) {
      if (count[r] < need || count[r - 1] > count[r] || count[r + 1] > count[r]) continue;
      if (longest[r] < 0.3 * width) continue;
      // Ruled lines run edge to edge; a digit's bar, however long, does not.
      if (first[r] > width * 0.1 || seen[r] < width * 0.9) continue;
      removed++;
      // Vertical run through the band at each column: short = the line
      // itself, long = a stroke crossing it, which stays. "Short" follows the
      // line's own thickness (its median run), so the bold rules of a form or
      // a scanned table go as well as hairlines.
      const runs: [number, number][] = [];
      for (let x = 0; x < width; x++) {
        const yc = Math.round(r - offset + slope * x);
        let run: [number, number] = [-1, -1];
        // Nearest ink within two rows of the line's centre (rules bow a little in photos).
        for (const d of [0, -1, 1, -2, 2]) {
          const y0 = yc + d;
          if (y0 < 0 || y0 >= height || !mask[y0 * width + x]) continue;
          let top = y0, bottom = y0;
          while (top > 0 && mask[(top - 1) * width + x]) top--;
          while (bottom + 1 < height && mask[(bottom + 1) * width + x]) bottom++;
          run = [top, bottom];
          break;
        }
        runs.push(run);
      }
      const lengths = runs.filter(([t]) => t >= 0).map(([t, b]) => b - t + 1).sort((a, b) => a - b);
      const typical = lengths[lengths.length >> 1] ?? 0;
      // Only a band inked nearly all along is a rule drawn in one piece; a
      // band thicker than a rule is the dark edge of the page or a shadow
      // (dropped whole as a frame edge later). Both keep the hairline limit,
      // so a digit's stem that happens to line up with a rule stays.
      const thickest = Math.round(0.05 * Math.min(width, height));
      const solid = lengths.length >= 0.85 * width && typical <= thickest;
      const limit = solid
        ? Math.max(maxThickness, Math.min(Math.round(1.5 * typical) + 1, thickest))
        : maxThickness;
      runs.forEach(([top, bottom], x) => {
        if (top < 0 || bottom - top + 1 > limit) return;
        for (let y = top; y <= bottom; y++) mask[y * width + x] = 0;
      });
    }
  }
  return removed;
}

/** Options for `groupDigits`. */
export interface GroupOptions {
  /** Components smaller than this fraction of the largest are specks (default 0.02). */
  speckFraction?: number;
  /** Smallest digit height in pixels (default 6, or less for tiny images). */
  minHeight?: number;
}

/**
 * Groups components into digits, left to right. Pieces of one digit (a
 * broken stroke, the separate bar of a 5, dots) are merged when they overlap
 * horizontally and sit close vertically; specks, and groups much smaller
 * than the main digits or off their line, are dropped.
 */
export function groupDigits(
  components: Component[],
  width: number,
  height: number,
  options: GroupOptions = {},
): DigitGroup[] {
  if (components.length === 0) return [];
  // A loop, not Math.max(...): a texture can have more components than a call takes arguments.
  const largest = components.reduce((m, c) => Math.max(m, c.area), 0);
  const speck = Math.max(2, largest * (options.speckFraction ?? 0.02));
  const minHeight = options.minHeight ?? Math.min(6, Math.ceil(Math.min(width, height) / 4));
  let parts = components.filter((c) => c.area >= speck);
  // A flat stroke under (or through) two or more digits is an underline or a
  // strike-through, not part of any digit.
  const upright = parts.filter((c) => !isFlat(c));
  parts = parts.filter((c) =>
    !isFlat(c) || upright.filter((o) => overlapX(c, o) >= 0.5 * (o.x1 - o.x0)).length < 2
  );
  let groups: DigitGroup[] = parts.map((c) => ({
    labels: [c.label],
    x0: c.x0,
    y0: c.y0,
    x1: c.x1,
    y1: c.y1,
    area: c.area,
  }));
  // Merge until stable: groups that overlap horizontally by half the narrower
  // one and are vertically no further apart than half the taller one.
  for (let changed = true; changed;) {
    changed = false;
    outer: for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        if (sameDigit(groups[i], groups[j])) {
          groups[i] = merge(groups[i], groups[j]);
          groups.splice(j, 1);
          changed = true;
          break outer;
        }
      }
    }
  }
  if (groups.length === 0) return [];
  // The main line of digits: the vertical band of the group with most ink.
  // Shapes clear of the picture's border are the likelier writing (a remnant
  // of the page's edge can outweigh small digits); tight crops have none.
  const clear = groups.filter((g) => g.x0 > 0 && g.y0 > 0 && g.x1 < width && g.y1 < height);
  const main = (clear.length ? clear : groups).reduce((a, b) => (b.area > a.area ? b : a));
  const mainH = main.y1 - main.y0;
  const maxArea = main.area;
  // Small groups beside a digit (a detached stroke) join the nearest digit.
  const small = (g: DigitGroup) => g.y1 - g.y0 < 0.4 * mainH && g.area < 0.2 * maxArea;
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < groups.length && !changed; i++) {
      const g = groups[i];
      if (!small(g)) continue;
      let best = -1, bestGap = Infinity;
      for (let j = 0; j < groups.length; j++) {
        if (j === i || small(groups[j])) continue;
        const gap = boxGap(g, groups[j]);
        if (Math.hypot(gap.dx, gap.dy) < bestGap) {
          bestGap = Math.hypot(gap.dx, gap.dy);
          best = j;
        }
      }
      // Only pieces that (nearly) share the digit's columns: a full stop or a
      // comma between two digits stays out and is then dropped as small.
      const gap = best >= 0 ? boxGap(g, groups[best]) : undefined;
      if (
        gap && gap.dx <= 0.05 * mainH && gap.dy <= 0.2 * mainH && !underneath(g, groups[best])
      ) {
        groups[best] = merge(groups[best], g);
        groups.splice(i, 1);
        changed = true;
      }
    }
  }
  groups = groups.filter((g) => {
    const h = g.y1 - g.y0;
    if (h < minHeight && g.x1 - g.x0 < minHeight) return false;
    if (small(g)) return false;
    // A dash or an underline on its own is no digit.
    if (isFlat(g) && h < 0.4 * mainH) return false;
    // Off the main line: no vertical overlap with the main digit.
    return g.y1 > main.y0 - 0.25 * mainH && g.y0 < main.y1 + 0.25 * mainH;
  });
  return groups.sort((a, b) => (a.x0 + a.x1) - (b.x0 + b.x1));
}

/** Much wider than tall: a bar, a dash, an underline. */
function isFlat(c: { x0: number; x1: number; y0: number; y1: number }): boolean {
  return c.x1 - c.x0 >= 3 * (c.y1 - c.y0);
}

function overlapX(a: { x0: number; x1: number }, b: { x0: number; x1: number }): number {
  return Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
}

/**
 * A flat piece at the foot of a digit or below it: an underline. The bars
 * that do belong to digits (5, 7) sit at their top.
 */
function underneath(piece: DigitGroup, digit: DigitGroup): boolean {
  return isFlat(piece) && piece.y0 >= digit.y0 + 0.8 * (digit.y1 - digit.y0);
}

function sameDigit(a: DigitGroup, b: DigitGroup): boolean {
  if (underneath(a, b) || underneath(b, a)) return false;
  const overlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const narrower = Math.min(a.x1 - a.x0, b.x1 - b.x0);
  const ha = a.y1 - a.y0, hb = b.y1 - b.y0;
  // A flat piece above or below a digit (the detached bar of a 5 or a 7)
  // needs less overlap than two digit-sized pieces.
  const flat = Math.min(ha, hb) < 0.5 * Math.max(ha, hb);
  if (overlap < (flat ? 0.2 : 0.5) * narrower) return false;
  const gapY = Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1);
  return gapY <= 0.5 * Math.max(ha, hb);
}

function merge(a: DigitGroup, b: DigitGroup): DigitGroup {
  return {
    labels: [...a.labels, ...b.labels],
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
    area: a.area + b.area,
  };
}

/** Horizontal and vertical gaps between two boxes (0 where they overlap). */
function boxGap(a: DigitGroup, b: DigitGroup): { dx: number; dy: number } {
  return {
    dx: Math.max(0, Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1)),
    dy: Math.max(0, Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1)),
  };
}

/** A decimal point or comma found between two digits of a number. */
export interface MarkGroup {
  /** Index (in `groupDigits` order) of the digit the mark precedes. */
  before: number;
  mark: "." | ",";
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Decimal points and commas between digits, which `groupDigits` leaves out
 * as too small: a compact shape not part of any digit, lying in the gap
 * between two neighbouring digits, in the lower third of their line, no
 * taller than a third of them. A comma is one that is clearly taller than
 * wide or hangs below the digits' foot. At most one mark per gap.
 */
export function findDecimalMarks(components: Component[], groups: DigitGroup[]): MarkGroup[] {
  const used = new Set(groups.flatMap((g) => g.labels));
  const marks: MarkGroup[] = [];
  for (let i = 1; i < groups.length; i++) {
    const left = groups[i - 1], right = groups[i];
    const top = Math.min(left.y0, right.y0), foot = Math.max(left.y1, right.y1);
    const lineH = Math.max(left.y1 - left.y0, right.y1 - right.y0);
    let best: Component | undefined;
    for (const c of components) {
      if (used.has(c.label)) continue;
      const bw = c.x1 - c.x0, bh = c.y1 - c.y0;
      const cx = (c.x0 + c.x1) / 2, cy = (c.y0 + c.y1) / 2;
      if (Math.max(bw, bh) > lineH / 3 || Math.max(bw, bh) < lineH / 25) continue;
      if (bw > 2 * bh || bh > 3.5 * bw) continue; // a dash, or a stroke
      if (c.area < 0.4 * bw * bh) continue; // a dot is filled
      if (cx < left.x1 - 0.1 * lineH || cx > right.x0 + 0.1 * lineH) continue;
      if (cy < top + 0.62 * (foot - top) || c.y0 > foot + 0.15 * lineH) continue;
      if (!best || c.area > best.area) best = c;
    }
    if (!best) continue;
    const comma = best.y1 - best.y0 > 1.6 * (best.x1 - best.x0) ||
      best.y1 > foot + 0.12 * lineH;
    marks.push({
      before: i,
      mark: comma ? "," : ".",
      x0: best.x0,
      y0: best.y0,
      x1: best.x1,
      y1: best.y1,
    });
  }
  return marks;
}
