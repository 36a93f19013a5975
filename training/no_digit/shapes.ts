/**
 * Generated images of things that are not digits, for the no-digit head:
 * letters and words (Hershey stroke fonts, hand-jittered), symbols and
 * marks (+ − × ÷ =, ticks, crosses, boxes), drawings (smileys, stars,
 * houses, spirals, Bézier scribbles, blobs) and textures. Each is drawn as a
 * whole picture, dark ink on light paper, so that the app's own
 * preprocessing cuts it into the shapes the head will meet.
 */
import hershey from "hersheytext";
import type { Rng } from "../../lib/core/random.ts";
import type { RasterImage } from "../../lib/core/image_types.ts";

/** A pen stroke: points in picture coordinates. */
type PenPath = [number, number][];

/** The head's negative classes (lib/core/no_digit.ts SHAPE_CLASSES without "digit"). */
export type NegativeClass = "writing" | "symbol" | "drawing";

const FONTS = ["futural", "futuram", "scripts", "scriptc", "cursive", "timesr", "timesi"];
/**
 * Letters that are drawn like digits by many writers (O/0, l/1, S/5, Z/2,
 * b/6, g/q/9, B/8, J/T/7, U/0, y/Y/4, C/c/6): left out, so that the head
 * never learns that a digit's shape is writing. Words are judged by their
 * other letters.
 */
const DIGIT_LIKE = new Set([..."OoQDlIi|SsZzbgqBGJTUuyYCc"]);
const LETTERS = [..."ABCEFHJKLMNPRTUVWXYacdefhjkmnprtuvwxy"].filter((c) => !DIGIT_LIKE.has(c));
const SYMBOL_CHARS = [..."+=*#%&@?<>"];

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** The strokes of `text` in a Hershey font, in font units (cap height ≈ 21), advancing in x. */
export function textStrokes(text: string, font: string): { strokes: PenPath[]; width: number } {
  const glyphs = hershey.renderTextArray(text, { font }) as { width: number; d: string }[];
  const strokes: PenPath[] = [];
  let x = 0;
  for (const g of glyphs ?? []) {
    let cur: PenPath | null = null;
    for (const m of (g.d ?? "").matchAll(/([ML])|(-?[\d.]+),(-?[\d.]+)/g)) {
      if (m[1] === "M") {
        cur = [];
        strokes.push(cur);
      } else if (m[2] !== undefined && cur) cur.push([x + Number(m[2]), Number(m[3])]);
    }
    x += 2 * (g.width ?? 10);
  }
  return { strokes: strokes.filter((s) => s.length), width: Math.max(x, 1) };
}

/** A random affine "hand": rotation, shear, uneven scale, plus a wobble of each point. */
function handJitter(strokes: PenPath[], rng: Rng, wobble: number): PenPath[] {
  const a = uniform(rng, -0.25, 0.25), sh = uniform(rng, -0.35, 0.35);
  const sx = uniform(rng, 0.8, 1.2), sy = uniform(rng, 0.8, 1.2);
  const cos = Math.cos(a), sin = Math.sin(a);
  return strokes.map((s) =>
    s.map(([x, y]) => {
      const u = (x + sh * y) * sx, v = y * sy;
      return [
        cos * u - sin * v + wobble * (rng() - 0.5),
        sin * u + cos * v + wobble * (rng() - 0.5),
      ];
    })
  );
}

function circle(cx: number, cy: number, rx: number, ry: number, from = 0, to = 2 * Math.PI) {
  const n = 24;
  return Array.from({ length: n + 1 }, (_, i) => {
    const t = from + (to - from) * i / n;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)] as [number, number];
  });
}

function bezier(points: [number, number][], n = 40): PenPath {
  const out: PenPath = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    let ps = points;
    while (ps.length > 1) {
      ps = ps.slice(1).map((
        p,
        k,
      ) => [ps[k][0] * (1 - t) + p[0] * t, ps[k][1] * (1 - t) + p[1] * t]);
    }
    out.push(ps[0]);
  }
  return out;
}

/** Symbols and marks in a unit box (0–20). */
function symbolStrokes(rng: Rng): PenPath[] {
  const r = rng();
  const box: PenPath = [[0, 0], [20, 0], [20, 20], [0, 20], [0, 0]];
  const tick: PenPath = [[3, 11], [8, 17], [18, 2]];
  const cross: PenPath[] = [[[2, 2], [18, 18]], [[18, 2], [2, 18]]];
  if (r < 0.12) return [[[0, 10], [20, 10]], [[10, 0], [10, 20]]]; // +
  if (r < 0.2) return [[[0, 10], [20, 10]]]; // −
  if (r < 0.3) return cross; // ×
  if (r < 0.36) return [[[0, 10], [20, 10]], circle(10, 4, 1.2, 1.2), circle(10, 16, 1.2, 1.2)]; // ÷
  if (r < 0.44) return [[[0, 7], [20, 7]], [[0, 13], [20, 13]]]; // =
  if (r < 0.56) return [tick];
  if (r < 0.64) return [box];
  if (r < 0.74) return [box, tick.map(([x, y]) => [x, y]) as PenPath];
  if (r < 0.8) return [box, ...cross];
  if (r < 0.84) { // a tick or a cross made in a hurry: it overshoots its box, as on a form
    const out: PenPath[] = rng() < 0.6
      ? [[[2, 10], [7, 17], [uniform(rng, 24, 34), uniform(rng, -12, -4)]]]
      : [
        [[uniform(rng, -6, 2), uniform(rng, -6, 2)], [uniform(rng, 18, 26), uniform(rng, 18, 26)]],
        [[
          uniform(rng, 18, 26),
          uniform(rng, -6, 2),
        ], [uniform(rng, -6, 2), uniform(rng, 18, 26)]],
      ];
    return [box, ...out];
  }
  if (r < 0.9) return [[[0, 10], [20, 10]], [[13, 4], [20, 10], [13, 16]]]; // arrow
  const { strokes, width } = textStrokes(pick(rng, SYMBOL_CHARS), "futural");
  return strokes.map((s) => s.map(([x, y]) => [x * 20 / width, y]));
}

/**
 * The outline of a thing (a fruit, a cloud, a leaf, a fish): a closed,
 * bumpy or dented loop with something attached (a stem and a leaf, a tail,
 * a fin), which a digit model reads as a 0, 6 or 9 when the loop is all it
 * looks at.
 */
function objectOutline(rng: Rng): PenPath[] {
  const lobes = 2 + Math.floor(rng() * 5), depth = uniform(rng, 0.05, 0.25);
  const phase = rng() * 2 * Math.PI, rx = uniform(rng, 6, 10), ry = uniform(rng, 6, 9);
  const loop: PenPath = Array.from({ length: 61 }, (_, i) => {
    const t = (i / 60) * 2 * Math.PI;
    const k = 1 + depth * Math.cos(lobes * t + phase);
    return [10 + rx * k * Math.cos(t), 11 + ry * k * Math.sin(t)];
  });
  const top = 11 - ry * (1 - depth);
  const kind = rng();
  if (kind < 0.45) { // fruit: a stem, often a leaf
    const stem: PenPath = [[10, top + 1], [10 + uniform(rng, -2, 2), top - uniform(rng, 3, 6)]];
    const leaf = circle(13, top - 2, uniform(rng, 2, 3.5), uniform(rng, 1, 1.8));
    return rng() < 0.7 ? [loop, stem, leaf] : [loop, stem];
  }
  if (kind < 0.75) { // fish: a tail on one side, an eye inside
    const x = 10 + rx * (1 - depth);
    return [loop, [[x - 1, 11], [x + 6, 5], [x + 6, 17], [x - 1, 11]], circle(6, 9, 0.8, 0.8)];
  }
  // A cloud or a bush: the bumpy loop on a base line.
  return [loop, [[0, 11 + ry], [20, 11 + ry]]];
}

/** Drawings in a unit box (0–20). */
function drawingStrokes(rng: Rng): PenPath[] {
  const r = rng();
  if (r < 0.2) { // smiley
    const face = circle(10, 10, 10, uniform(rng, 8, 10));
    const eyes = [circle(6.5, 7, 1.2, 1.5), circle(13.5, 7, 1.2, 1.5)];
    const mouth = circle(10, 11, 5, uniform(rng, 2, 4), 0.2, Math.PI - 0.2);
    return rng() < 0.8 ? [face, ...eyes, mouth] : [...eyes, mouth];
  }
  if (r < 0.3) { // star
    const pts: PenPath = [];
    for (let i = 0; i <= 5; i++) {
      const t = -Math.PI / 2 + i * 4 * Math.PI / 5;
      pts.push([10 + 10 * Math.cos(t), 10 + 10 * Math.sin(t)]);
    }
    return [pts];
  }
  if (r < 0.4) { // house
    return [[[2, 9], [2, 20], [18, 20], [18, 9], [2, 9], [10, 1], [18, 9]], [[8, 20], [8, 14], [
      12,
      14,
    ], [12, 20]]];
  }
  if (r < 0.5) { // spiral
    const pts: PenPath = [];
    for (let t = 0; t < uniform(rng, 10, 18); t += 0.3) {
      pts.push([10 + 0.55 * t * Math.cos(t), 10 + 0.55 * t * Math.sin(t)]);
    }
    return [pts];
  }
  if (r < 0.58) { // stick figure
    return [circle(10, 4, 3, 3), [[10, 7], [10, 14]], [[4, 10], [16, 10]], [[5, 20], [10, 14], [
      15,
      20,
    ]]];
  }
  if (r < 0.66) { // sun
    const rays: PenPath[] = Array.from({ length: 8 }, (_, i) => {
      const t = i * Math.PI / 4;
      return [[10 + 6 * Math.cos(t), 10 + 6 * Math.sin(t)], [
        10 + 10 * Math.cos(t),
        10 + 10 * Math.sin(t),
      ]];
    });
    return [circle(10, 10, 4.5, 4.5), ...rays];
  }
  if (r < 0.72) { // heart
    return [[...circle(6, 6, 4, 4, Math.PI, 2 * Math.PI), [10, 6], [18, 6], [10, 18], [2, 6]]];
  }
  if (r < 0.78) { // zigzag with many teeth (two or three would be a Z or a 2)
    const n = 4 + Math.floor(rng() * 5);
    return [Array.from({ length: 2 * n + 1 }, (_, i) => [i * 20 / (2 * n), i % 2 ? 4 : 16])];
  }
  if (r < 0.9) return objectOutline(rng);
  // Scribbles: several long Bézier strokes, each through many points, so that none is as
  // simple as a digit's one or two strokes.
  const k = 2 + Math.floor(rng() * 3);
  return Array.from({ length: k }, () =>
    bezier(
      Array.from({ length: 8 + Math.floor(rng() * 7) }, () => [rng() * 20, rng() * 20]),
      80,
    ));
}

/** A picture: strokes drawn at a size, thickness and place of their own. */
export interface Scene {
  width: number;
  height: number;
  strokes: PenPath[];
  thickness: number;
}

/** Fits `strokes` (any units) into a box of height `h` at (x, y); returns the fitted width. */
function place(
  strokes: PenPath[],
  x: number,
  y: number,
  h: number,
): { strokes: PenPath[]; w: number } {
  const xs = strokes.flat().map((p) => p[0]), ys = strokes.flat().map((p) => p[1]);
  const x0 = Math.min(...xs), y0 = Math.min(...ys);
  const span = Math.max(Math.max(...ys) - y0, 1e-3);
  const s = h / span;
  return {
    strokes: strokes.map((st) => st.map(([a, b]) => [x + (a - x0) * s, y + (b - y0) * s])),
    w: (Math.max(...xs) - x0) * s,
  };
}

/** One random picture of class `cls`: a single shape, or a word / a row of marks. */
export function negativeScene(cls: NegativeClass, rng: Rng): Scene {
  // A fifth of the symbols as small as on a scanned form (a checkbox a few dozen pixels wide).
  const h = cls === "symbol" && rng() < 0.2 ? uniform(rng, 12, 30) : uniform(rng, 40, 120);
  const thickness = Math.max(1.5, h * uniform(rng, 0.05, 0.14));
  const margin = h * uniform(rng, 0.3, 1);
  let strokes: PenPath[];
  if (cls === "writing") {
    const n = rng() < 0.4 ? 1 : 2 + Math.floor(rng() * 6);
    const word = Array.from({ length: n }, () => pick(rng, LETTERS)).join("");
    strokes = textStrokes(word, pick(rng, FONTS)).strokes;
    strokes = handJitter(strokes, rng, 0.6);
  } else {
    const one = cls === "symbol" ? symbolStrokes(rng) : drawingStrokes(rng);
    strokes = handJitter(one, rng, cls === "symbol" ? 0.6 : 1);
  }
  const placed = place(strokes, margin, margin, h);
  return {
    width: Math.ceil(placed.w + 2 * margin),
    height: Math.ceil(h + 2 * margin),
    strokes: placed.strokes,
    thickness,
  };
}

/** Draws `scene` as dark ink on light paper (grey levels, light noise) into a 1-channel raster. */
export function renderScene(scene: Scene, rng: Rng): RasterImage {
  const { width: w, height: h } = scene;
  const ink = new Float32Array(w * h);
  const r = scene.thickness / 2;
  for (const s of scene.strokes) {
    for (let k = 0; k < s.length; k++) {
      const [ax, ay] = s[k], [bx, by] = s[Math.min(k + 1, s.length - 1)];
      const dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy || 1;
      const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
      const x1 = Math.min(w - 1, Math.ceil(Math.max(ax, bx) + r + 1));
      const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
      const y1 = Math.min(h - 1, Math.ceil(Math.max(ay, by) + r + 1));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
          const d = Math.hypot(x - ax - t * dx, y - ay - t * dy);
          const v = Math.max(0, Math.min(1, r + 0.5 - d));
          if (v > ink[y * w + x]) ink[y * w + x] = v;
        }
      }
    }
  }
  return paper(ink, w, h, rng);
}

/** Ink (1 = full) → an 8-bit grey photo of it: paper level, ink level, noise. */
export function paper(ink: Float32Array, w: number, h: number, rng: Rng): RasterImage {
  const bg = uniform(rng, 0.75, 1), fg = uniform(rng, 0, 0.35), noise = uniform(rng, 0, 0.03);
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) {
    const v = bg + (fg - bg) * ink[i] + noise * (rng() - 0.5) * 2;
    data[i] = Math.max(0, Math.min(255, Math.round(v * 255)));
  }
  return { width: w, height: h, data, channels: 1 };
}

/**
 * A texture or object-like photo: many blobs and strokes of random sizes and
 * grey levels over the whole frame (grass, bricks, stones, leaves).
 */
export function texturePicture(rng: Rng): RasterImage {
  const w = Math.round(uniform(rng, 160, 320)), h = Math.round(uniform(rng, 160, 320));
  const ink = new Float32Array(w * h);
  const n = 20 + Math.floor(rng() * 80);
  for (let k = 0; k < n; k++) {
    const cx = rng() * w, cy = rng() * h;
    const rx = uniform(rng, 2, 25), ry = uniform(rng, 2, 25), a = rng() * Math.PI;
    const level = uniform(rng, 0.3, 1);
    const c = Math.cos(a), s = Math.sin(a), R = Math.max(rx, ry);
    for (let y = Math.max(0, Math.floor(cy - R)); y < Math.min(h, cy + R); y++) {
      for (let x = Math.max(0, Math.floor(cx - R)); x < Math.min(w, cx + R); x++) {
        const u = ((x - cx) * c + (y - cy) * s) / rx, v = (-(x - cx) * s + (y - cy) * c) / ry;
        if (u * u + v * v <= 1) ink[y * w + x] = Math.max(ink[y * w + x], level);
      }
    }
  }
  return paper(ink, w, h, rng);
}
