/**
 * Structural evidence against a digit: separate marks inside a shape's own
 * holes. A digit's loops (0, 6, 8, 9, 4) are empty; the pieces of a broken
 * digit lie along its outline, not inside it. A face's eyes sit inside its
 * outline, the features of an animal or an object inside its silhouette.
 * Pure function over the components and label image of `segment.ts`.
 */
import type { Component } from "./segment.ts";

/** A shape's bounding box and the labels of its components (a `DigitGroup`). */
export interface ShapeOutline {
  labels: number[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * How many separate marks lie wholly inside the holes of `shape`: the
 * background its large components enclose (not reachable from outside its
 * box without crossing their ink). A mark is any other component of
 * `components`, a member of the shape (the eyes grouped with a face) or not
 * (the details of a photographed object), at least 2 % of the shape's size
 * across so that specks of noise do not count. Costs one flood fill of the
 * shape's box, and only when a candidate mark lies inside that box.
 */
export function enclosedMarks(
  shape: ShapeOutline,
  components: Component[],
  labels: Int32Array,
  width: number,
): number {
  const members = components.filter((c) => shape.labels.includes(c.label));
  const largest = members.reduce((m, c) => Math.max(m, c.area), 0);
  // The outline: the shape's large components (a stroke broken in two counts as both).
  const walls = new Set(members.filter((c) => c.area >= 0.25 * largest).map((c) => c.label));
  const bw = shape.x1 - shape.x0, bh = shape.y1 - shape.y0;
  const minArea = Math.max(4, (0.02 * Math.max(bw, bh)) ** 2);
  const candidates = components.filter((c) =>
    !walls.has(c.label) && c.area >= minArea && c.x0 > shape.x0 && c.y0 > shape.y0 &&
    c.x1 < shape.x1 && c.y1 < shape.y1
  );
  if (candidates.length === 0) return 0;
  // Flood the background from a one-pixel ring around the box (4-connected: the ink is
  // 8-connected, so a diagonal step through a stroke's corner would leak).
  const gw = bw + 2, gh = bh + 2;
  const wall = (gx: number, gy: number) => {
    if (gx === 0 || gy === 0 || gx === gw - 1 || gy === gh - 1) return false;
    return walls.has(labels[(shape.y0 + gy - 1) * width + shape.x0 + gx - 1]);
  };
  const reached = new Uint8Array(gw * gh);
  const stack = [0];
  reached[0] = 1;
  while (stack.length) {
    const i = stack.pop()!;
    const gx = i % gw, gy = (i - gx) / gw;
    const next = [
      gx > 0 ? i - 1 : -1,
      gx < gw - 1 ? i + 1 : -1,
      gy > 0 ? i - gw : -1,
      gy < gh - 1 ? i + gw : -1,
    ];
    for (const j of next) {
      if (j < 0 || reached[j]) continue;
      const jx = j % gw, jy = (j - jx) / gw;
      if (wall(jx, jy)) continue;
      reached[j] = 1;
      stack.push(j);
    }
  }
  let count = 0;
  for (const c of candidates) {
    let inside = true;
    for (let y = c.y0; y < c.y1 && inside; y++) {
      for (let x = c.x0; x < c.x1; x++) {
        if (labels[y * width + x] !== c.label) continue;
        if (reached[(y - shape.y0 + 1) * gw + x - shape.x0 + 1]) {
          inside = false;
          break;
        }
      }
    }
    if (inside) count++;
  }
  return count;
}
