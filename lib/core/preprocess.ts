/**
 * Any image → MNIST-like 28×28 digit inputs. The one preprocessing used by
 * the browser, the server, the CLI and the tests, so they all agree.
 *
 * Pipeline (each stage in its own module):
 * 1. `toGrey`: luma with alpha composited, shrunk in the same pass so the
 *    image holds at most `work_pixels` (0.3 MP) and its longer side is at
 *    most `work_size` (a 12 MP photo costs one sparse read of its bytes);
 * 2. `inkMap`: polarity, background levelling (shadows, coloured paper),
 *    noise estimate; a blank or pure-noise image stops here with a reason;
 * 3. hysteresis threshold (strong ink seeds, faint ink connects), removal of
 *    ruled lines, connected components grouped into digits, left to right;
 * 4. per digit, the MNIST construction rule: stroke width brought near
 *    MNIST's, longer side fitted to 20 px with an anti-aliased downscale,
 *    aspect kept, placed in 28×28 so the centre of mass is at the centre.
 */
import type { Box, DigitCrop, GreyImage, PreprocessResult, RasterImage } from "./image_types.ts";
import { resample, toGrey } from "./resample.ts";
import { inkMap, quantile } from "./ink.ts";
import {
  type Component,
  type DigitGroup,
  groupDigits,
  labelComponents,
  removeLines,
} from "./segment.ts";

/** Side of the model's input. */
export const MNIST_SIZE = 28;
/** Side of the box the digit is fitted in, as in MNIST. */
export const MNIST_BOX = 20;

/** Tuning knobs; the defaults are what the photo benchmark was measured with. */
export interface PreprocessOptions {
  /** Longest side of the working image (default 1280). */
  workSize?: number;
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
   * the recogniser keeps the most confident of the readings.
   */
  aspectHypotheses?: number[];
}

const DEFAULTS: Required<PreprocessOptions> = {
  workSize: 1280,
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
};

/**
 * The longer side preprocessing shrinks a `width`×`height` image to (never
 * enlarging): within `workSize`, and `workPixels` in area.
 */
export function workingSide(
  width: number,
  height: number,
  options: PreprocessOptions = {},
): number {
  const opt = { ...DEFAULTS, ...options };
  const byArea = Math.sqrt(opt.workPixels / (width * height));
  return Math.min(opt.workSize, Math.max(width, height) * byArea);
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
  const opt = { ...DEFAULTS, ...options };
  const { grey } = toGrey(image, workingSide(image.width, image.height, options));
  const fx = image.width / grey.width, fy = image.height / grey.height;
  const workSize: [number, number] = [grey.width, grey.height];
  const map = inkMap(grey);
  const none = (reason: string): PreprocessResult => ({
    digits: [],
    inverted: map.inverted,
    workSize,
    reason,
  });
  if (map.peak < opt.minContrast) return none("blank: the image has no contrast");
  if (map.peak < opt.minSnr * map.noise) return none("noise: no stroke stands out of the noise");

  const { width: w, height: h } = grey;
  const ink = map.ink.data;
  // Hysteresis: faint pixels count only when connected to clearly inked ones.
  const high = Math.max(0.45 * map.peak, 4 * map.noise);
  const low = Math.max(0.2 * map.peak, 2.5 * map.noise);
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) mask[i] = ink[i] > low ? 1 : 0;
  removeLines(mask, w, h);
  const { labels, components } = labelComponents(mask, w, h);
  const strong = new Uint8Array(components.length + 1);
  for (let i = 0; i < ink.length; i++) if (labels[i] && ink[i] > high) strong[labels[i]] = 1;
  const kept = dropBoxes(
    dropFrameEdges(components.filter((c) => strong[c.label]), w, h),
    labels,
    w,
  );
  const groups = groupDigits(kept, w, h).slice(0, opt.maxDigits);
  if (groups.length === 0) return none("no digit-sized shape found");

  const digits: DigitCrop[] = groups.map((g) => {
    const crop: DigitCrop = {
      pixels: digitToMnist(map.ink, labels, g, opt, 1),
      box: scaleBox(g, fx, fy, image.width, image.height),
    };
    // A digit touching all four edges of a tiny image: its aspect ratio was
    // probably lost when the image was normalised to its frame.
    const fillsFrame = Math.max(w, h) <= 64 && g.x0 === 0 && g.y0 === 0 && g.x1 === w &&
      g.y1 === h;
    if (fillsFrame && opt.aspectHypotheses.length) {
      crop.alternatives = opt.aspectHypotheses.map((s) => digitToMnist(map.ink, labels, g, opt, s));
    }
    return crop;
  });
  return { digits, inverted: map.inverted, workSize };
}

/**
 * Drops what frames the picture rather than being written on it: a shape
 * that touches the image border and spans nearly all of its width or height
 * (the edge of the page against a dark table, a shadow band, a ruler). A
 * tightly cropped digit can do the same, so when such shapes are all there
 * is (what is left is mere specks), they are kept.
 */
function dropFrameEdges(components: Component[], w: number, h: number): Component[] {
  if (Math.min(w, h) < 64) return components;
  const frame = (c: Component) =>
    (c.x0 === 0 || c.y0 === 0 || c.x1 === w || c.y1 === h) &&
    (c.x1 - c.x0 >= 0.9 * w || c.y1 - c.y0 >= 0.9 * h);
  const inside = components.filter((c) => !frame(c));
  const largest = (cs: Component[]) => cs.reduce((a, c) => Math.max(a, c.area), 0);
  const edges = components.filter(frame);
  return edges.length && largest(inside) < 0.01 * largest(edges) ? components : inside;
}

/**
 * Drops boxes drawn around digits (form fields, a frame around a number): a
 * hollow shape whose ink lies along its own bounding box, with another shape
 * inside it. A 0, however square, holds nothing inside, so it stays.
 */
function dropBoxes(components: Component[], labels: Int32Array, w: number): Component[] {
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

function scaleBox(g: DigitGroup, fx: number, fy: number, iw: number, ih: number): Box {
  const x = Math.max(0, Math.floor(g.x0 * fx)), y = Math.max(0, Math.floor(g.y0 * fy));
  const x1 = Math.min(iw, Math.ceil(g.x1 * fx)), y1 = Math.min(ih, Math.ceil(g.y1 * fy));
  return [x, y, x1 - x, y1 - y];
}

/**
 * One digit group → 28×28 MNIST input. Takes only the group's own pixels
 * (plus a one-pixel fringe for anti-aliased edges), so neighbours and specks
 * inside its box don't leak in.
 */
function digitToMnist(
  ink: GreyImage,
  labels: Int32Array,
  g: DigitGroup,
  opt: Required<PreprocessOptions>,
  squeeze: number,
): Float32Array {
  const { width: w } = ink;
  const members = new Set(g.labels);
  const bw = g.x1 - g.x0, bh = g.y1 - g.y0;
  // Stroke-width normalisation may thicken by `pad` on each side.
  const scale = MNIST_BOX / Math.max(bw, bh);
  const pad = Math.ceil((opt.targetStroke / scale) / 2) + 1;
  const pw = bw + 2 * pad, ph = bh + 2 * pad;
  const own = new Uint8Array(pw * ph);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      if (members.has(labels[(g.y0 + y) * w + g.x0 + x])) own[(y + pad) * pw + x + pad] = 1;
    }
  }
  const fringe = dilateMask(own, pw, ph);
  const patch = new Float32Array(pw * ph);
  const values: number[] = [];
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      const i = y * pw + x;
      if (!fringe[i]) continue;
      const sx = g.x0 + x - pad, sy = g.y0 + y - pad;
      if (sx < 0 || sy < 0 || sx >= ink.width || sy >= ink.height) continue;
      patch[i] = ink.data[sy * w + sx];
      if (own[i]) values.push(patch[i]);
    }
  }
  // Contrast: the stroke cores of MNIST digits are saturated; map this
  // digit's typical stroke level to 1 so faint or dim digits look the same.
  const level = Math.max(
    1e-3,
    quantile(Float32Array.from(values), opt.levelQuantile, 0, Math.max(...values)),
  );
  for (let i = 0; i < patch.length; i++) patch[i] = Math.min(1, patch[i] / level);

  let img: GreyImage = { width: pw, height: ph, data: patch };
  let pxScale = scale; // 28×28-frame pixels per patch pixel
  if (opt.normaliseStroke) {
    // Small digits (tight crops, 28×28 drawings) are enlarged first, so the
    // stroke can be changed by fractions of a final pixel, not whole ones.
    const original = img;
    const side = Math.max(pw, ph);
    if (side < 96) {
      const f = 96 / side;
      img = resample(img, Math.round(pw * f), Math.round(ph * f));
      pxScale = scale / f;
    }
    // Bring the stroke width near MNIST's. Widths within a band around the
    // target stay as they are: MNIST's own vary (1.4–2.7 px at the 10th–90th
    // percentile, 1.8 median), and an MNIST digit must come out as it went in.
    const stroke = strokeWidth(img);
    const target = opt.targetStroke / pxScale;
    const r = Math.round(Math.abs(target - stroke) / 2);
    if (stroke < 0.6 * target && r >= 1) img = maxFilter(img, r);
    else if (opt.thinAbove > 0 && stroke > opt.thinAbove * target && r >= 1) {
      img = minFilter(img, r);
    } // Unchanged: skip the enlargement, whose round trip only blurs a little,
    // which MNIST-sized digits don't need; digits from a coarser source (a
    // 16×16 scan) do: it rounds off their staircase edges.
    else if (scale < 1.05) img = original;
  }
  if (opt.deskew) img = deskew(img);
  img = cropToInk(img);
  if (squeeze !== 1) img = resample(img, Math.max(1, Math.round(img.width * squeeze)), img.height);
  return placeInMnistFrame(img);
}

/** Mask grown by one pixel in the 8 directions. */
function dilateMask(mask: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask[y * w + x]) continue;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(h - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(w - 1, x + 1); xx++) out[yy * w + xx] = 1;
      }
    }
  }
  return out;
}

/**
 * Mean stroke width of the ink (> 0.5): area over half the number of
 * ink/background edges, which for a long stroke of width s and length L is
 * s·L / L = s.
 */
export function strokeWidth(img: GreyImage): number {
  const { width: w, height: h, data } = img;
  let area = 0, edges = 0;
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] > 0.5;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!on(x, y)) continue;
      area++;
      if (!on(x - 1, y)) edges++;
      if (!on(x + 1, y)) edges++;
      if (!on(x, y - 1)) edges++;
      if (!on(x, y + 1)) edges++;
    }
  }
  return edges ? (2 * area) / edges : 0;
}

/** Grey erosion by a (2r+1)² square (thins bright strokes), separable. */
export function minFilter(img: GreyImage, r: number): GreyImage {
  const neg = { ...img, data: img.data.map((v) => -v) };
  const out = maxFilter(neg, r, -Infinity);
  return { ...out, data: out.data.map((v) => -v) };
}

/**
 * Grey dilation by a (2r+1)² square, separable, each pass in O(1) per pixel
 * whatever `r` (van Herk/Gil-Werman); `floor` is the least value returned.
 */
export function maxFilter(img: GreyImage, r: number, floor = 0): GreyImage {
  const { width: w, height: h, data } = img;
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const pass = slidingMax(Math.max(w, h), r, floor);
  for (let y = 0; y < h; y++) pass(data, y * w, 1, w, tmp);
  for (let x = 0; x < w; x++) pass(tmp, x, w, h, out);
  return { width: w, height: h, data: out };
}

/**
 * A pass of the 1-D sliding maximum over lines of up to `longest` values:
 * `pass(src, first, stride, n, out)` sets out[i] = max(floor, src[i−r..i+r]
 * clipped to the line) along the line of `n` values starting at `first`.
 * The line is padded with `floor` by r on each side and cut into blocks of
 * 2r+1; a window then spans the end of one block and the start of the next,
 * so its maximum is the larger of a suffix and a prefix maximum.
 */
function slidingMax(longest: number, r: number, floor: number) {
  const k = 2 * r + 1;
  const size = Math.ceil((longest + 2 * r) / k) * k;
  const padded = new Float32Array(size), prefix = new Float32Array(size);
  const suffix = new Float32Array(size);
  return (src: Float32Array, first: number, stride: number, n: number, out: Float32Array) => {
    const total = Math.ceil((n + 2 * r) / k) * k;
    padded.fill(floor, 0, r);
    for (let i = 0, j = first; i < n; i++, j += stride) padded[r + i] = src[j];
    padded.fill(floor, r + n, total);
    for (let b = 0; b < total; b += k) {
      let m = floor;
      for (let i = b; i < b + k; i++) {
        const v = padded[i];
        if (v > m) m = v;
        prefix[i] = m;
      }
      m = floor;
      for (let i = b + k - 1; i >= b; i--) {
        const v = padded[i];
        if (v > m) m = v;
        suffix[i] = m;
      }
    }
    // Window of output i in padded coordinates: [i, i + 2r].
    for (let i = 0, j = first; i < n; i++, j += stride) {
      const a = suffix[i], b = prefix[i + 2 * r];
      out[j] = a > b ? a : b;
    }
  };
}

/**
 * Shears the image so its principal slant becomes vertical (the classic
 * moment-based deskew: x' = x − (μ11/μ02)(y − ȳ)).
 */
export function deskew(img: GreyImage): GreyImage {
  const { width: w, height: h, data } = img;
  let m = 0, sy = 0, sx = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  if (m === 0) return img;
  const cx = sx / m, cy = sy / m;
  let mu11 = 0, mu02 = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      mu11 += v * (x - cx) * (y - cy);
      mu02 += v * (y - cy) * (y - cy);
    }
  }
  const skew = Math.max(-1, Math.min(1, mu11 / (mu02 || 1)));
  if (Math.abs(skew) < 0.05) return img;
  const extra = Math.ceil(Math.abs(skew) * h / 2) + 1;
  const nw = w + 2 * extra;
  const out = new Float32Array(nw * h);
  for (let y = 0; y < h; y++) {
    const shift = skew * (y - cy);
    for (let x = 0; x < nw; x++) {
      // Output x − extra corresponds to source x + shift.
      const s = x - extra + shift;
      const x0 = Math.floor(s), f = s - x0;
      const a = x0 >= 0 && x0 < w ? data[y * w + x0] : 0;
      const b = x0 + 1 >= 0 && x0 + 1 < w ? data[y * w + x0 + 1] : 0;
      out[y * nw + x] = a * (1 - f) + b * f;
    }
  }
  return { width: nw, height: h, data: out };
}

/** Crops to the bounding box of values above `floor`; an image with none comes back as it is. */
export function cropToInk(img: GreyImage, floor = 0.02): GreyImage {
  const { width: w, height: h, data } = img;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x] > floor) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return img;
  const nw = x1 - x0 + 1, nh = y1 - y0 + 1;
  const out = new Float32Array(nw * nh);
  for (let y = 0; y < nh; y++) {
    out.set(data.subarray((y + y0) * w + x0, (y + y0) * w + x0 + nw), y * nw);
  }
  return { width: nw, height: nh, data: out };
}

/**
 * The MNIST rule: fit in a 20×20 box keeping the aspect ratio (anti-aliased
 * resample), then translate so the centre of mass lands on the centre of the
 * 28×28 frame (integer shift, as MNIST did, kept inside the frame).
 */
export function placeInMnistFrame(img: GreyImage): Float32Array {
  const s = MNIST_BOX / Math.max(img.width, img.height);
  const nw = Math.max(1, Math.min(MNIST_BOX, Math.round(img.width * s)));
  const nh = Math.max(1, Math.min(MNIST_BOX, Math.round(img.height * s)));
  const small = resample(img, nw, nh);
  let m = 0, sx = 0, sy = 0, peak = 0;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      const v = small.data[y * nw + x];
      m += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
      if (v > peak) peak = v;
    }
  }
  const cx = m ? sx / m : nw / 2, cy = m ? sy / m : nh / 2;
  // MNIST puts the centre of mass on pixel (14, 14), i.e. at 14.5 when pixel
  // centres are at +0.5 (measured: the mean over its test set is 14.50, 14.49).
  const ox = Math.min(MNIST_SIZE - nw, Math.max(0, Math.round(MNIST_SIZE / 2 + 0.5 - cx)));
  const oy = Math.min(MNIST_SIZE - nh, Math.max(0, Math.round(MNIST_SIZE / 2 + 0.5 - cy)));
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  // Resampling softens the peak; bring the strongest stroke back to 1.
  const gain = peak > 0 ? 1 / peak : 1;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      out[(y + oy) * MNIST_SIZE + x + ox] = Math.min(1, small.data[y * nw + x] * gain);
    }
  }
  return out;
}
