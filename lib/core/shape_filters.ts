/**
 * Shape filters run between labelling and grouping: they drop components that
 * are part of the picture's frame or of a form rather than of the writing.
 * Pure functions over the components and label image of `segment.ts`.
 */
import type { Component } from "./segment.ts";

/**
 * Drops what frames the picture rather than being written on it: a shape
 * that touches the image border and spans nearly all of its width or height
 * (the edge of the page against a dark table, a shadow band, a ruler). A
 * tightly cropped digit can do the same, so when such shapes are all there
 * is (what is left is mere specks), they are kept. Slivers along one side
 * (what is left of the page's edge in a scan) go too.
 */
export function dropFrameEdges(components: Component[], w: number, h: number): Component[] {
  const small = Math.min(w, h) < 48;
  const frame = (c: Component) => {
    const bw = c.x1 - c.x0, bh = c.y1 - c.y0;
    const touches = c.x0 === 0 || c.y0 === 0 || c.x1 === w || c.y1 === h;
    // A tiny image is often the digit cropped to its frame: there only
    // slivers along one side (a brighter band along the edge of a
    // light-on-dark crop) are frame, and only beside a larger shape.
    if (small) {
      return ((c.x0 === 0 || c.x1 === w) && bh >= 4 * bw && bh >= 0.5 * h && bw < 0.15 * w) ||
        ((c.y0 === 0 || c.y1 === h) && bw >= 4 * bh && bw >= 0.5 * w && bh < 0.15 * h);
    }
    // In a small image only a solid block (a scanner's dark margin) counts:
    // a number cropped tightly spans it too, but sparsely.
    const solid = Math.min(w, h) >= 64 || c.area >= 0.6 * bw * bh;
    if (bw >= 0.9 * w || bh >= 0.9 * h) return touches && solid;
    // A sliver along one side: the edge of the page or of a scanner's dark margin.
    return ((c.x0 === 0 || c.x1 === w) && bh >= 4 * bw && bh >= 0.25 * h) ||
      ((c.y0 === 0 || c.y1 === h) && bw >= 4 * bh && bw >= 0.25 * w);
  };
  const inside = components.filter((c) => !frame(c));
  const largest = (cs: Component[]) => cs.reduce((a, c) => Math.max(a, c.area), 0);
  const edges = components.filter(frame);
  if (small) return largest(inside) > largest(edges) ? inside : components;
  return edges.length && largest(inside) < 0.01 * largest(edges) ? components : inside;
}

/**
 * The edges of the page itself, which a photo of blank paper shows as dark
 * bands and shadows along the picture's border: a shape that wraps around
 * at least three corners of the picture along its border (nearly all its
 * ink within a tenth of the picture's side from the border) and leaves the
 * middle of the picture empty. A digit, however tightly cropped, meets at
 * most a corner or two and crosses the middle. Returns the labels of such
 * shapes; unlike `dropFrameEdges`, they go even when they are all there is.
 */
export function pageEdges(
  components: Component[],
  labels: Int32Array,
  w: number,
  h: number,
): Set<number> {
  const t = Math.max(2, Math.round(0.1 * Math.min(w, h)));
  const edges = new Set<number>();
  for (const c of components) {
    const sides = Number(c.x0 === 0) + Number(c.y0 === 0) + Number(c.x1 === w) +
      Number(c.y1 === h);
    if (sides < 3) continue;
    let band = 0, middle = 0;
    const corners = [0, 0, 0, 0];
    for (let y = c.y0; y < c.y1; y++) {
      for (let x = c.x0; x < c.x1; x++) {
        if (labels[y * w + x] !== c.label) continue;
        const left = x < t, right = x >= w - t, top = y < t, bottom = y >= h - t;
        if (left || right || top || bottom) band++;
        if (x >= 0.25 * w && x < 0.75 * w && y >= 0.25 * h && y < 0.75 * h) middle++;
        if (top && left) corners[0] = 1;
        if (top && right) corners[1] = 1;
        if (bottom && left) corners[2] = 1;
        if (bottom && right) corners[3] = 1;
      }
    }
    const wraps = corners[0] + corners[1] + corners[2] + corners[3] >= 3;
    if (wraps && middle === 0 && band >= 0.95 * c.area) edges.add(c.label);
  }
  return edges;
}

/**
 * Drops boxes drawn around digits (form fields, a frame around a number): a
 * hollow shape whose ink lies along its own bounding box, with another shape
 * inside it. A 0, however square, holds nothing inside, so it stays.
 */
export function dropBoxes(components: Component[], labels: Int32Array, w: number): Component[] {
  const candidates = components.filter((c) => {
    const bw = c.x1 - c.x0, bh = c.y1 - c.y0;
    return bw >= 12 && bh >= 12 && c.area < 0.5 * bw * bh;
  });
  if (candidates.length === 0) return components;
  const dropped = new Set<number>();
  for (const c of candidates) {
    const inside = components.some((o) =>
      o !== c && o.x0 > c.x0 && o.x1 < c.x1 && o.y0 > c.y0 && o.y1 < c.y1 && o.area >= 0.05 * c.area
    );
    if (!inside) continue;
    // Share of the shape's pixels within `t` of its bounding box's edges.
    const t = Math.max(2, Math.round(0.08 * Math.min(c.x1 - c.x0, c.y1 - c.y0)));
    let near = 0;
    for (let y = c.y0; y < c.y1; y++) {
      for (let x = c.x0; x < c.x1; x++) {
        if (labels[y * w + x] !== c.label) continue;
        if (x - c.x0 < t || c.x1 - 1 - x < t || y - c.y0 < t || c.y1 - 1 - y < t) near++;
      }
    }
    if (near >= 0.85 * c.area) dropped.add(c.label);
  }
  return dropped.size ? components.filter((c) => !dropped.has(c.label)) : components;
}

/**
 * Drops the walls of form cells and table columns that survive line removal
 * (bold rules, or rules broken where the writing touches them): a thin bar,
 * at least 8 times longer than wide, spanning three quarters of the image
 * across, beside shapes well shorter than it. A 1 that fills the picture on
 * its own, or is as tall as the digits beside it, stays.
 */
export function dropRules(components: Component[], w: number, h: number): Component[] {
  const rule = (c: Component) => {
    const bw = c.x1 - c.x0, bh = c.y1 - c.y0;
    return (bh >= 0.75 * h && bh >= 8 * bw) || (bw >= 0.75 * w && bw >= 8 * bh);
  };
  const rules = components.filter(rule);
  if (rules.length === 0) return components;
  const others = components.filter((c) => !rule(c));
  const longest = rules.reduce((m, c) => Math.max(m, c.y1 - c.y0, c.x1 - c.x0), 0);
  const largest = others.reduce((m, c) => Math.max(m, c.area), 0);
  // Something digit-sized must remain, shorter than the rules.
  const writing = others.filter((c) =>
    c.area >= 0.3 * largest && Math.max(c.y1 - c.y0, c.x1 - c.x0) <= 0.7 * longest
  );
  return writing.length ? others : components;
}
