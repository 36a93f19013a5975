/**
 * "Scan-like" training digits: an MNIST digit redrawn the way old digit
 * scans (Semeion, USPS) stored theirs, then read back through the app's own
 * preprocessing, so the model learns what the app will actually show it for
 * such images.
 *
 * Those data sets stretched every digit to fill a tiny frame (16×16) in both
 * directions and often binarised it. A narrow digit comes out wide, a short
 * one tall, strokes turn into staircases: an open 4 grows towards a 6, a
 * flagged 1 towards a 7. MNIST keeps the aspect ratio, so a model trained on
 * it alone has never seen these shapes.
 */
import type { Rng } from "../lib/core/random.ts";
import { resample } from "../lib/core/resample.ts";
import { preprocessImage } from "../lib/core/preprocess.ts";
import { cropToInk } from "../lib/core/mnist_frame.ts";

/** Ranges of the simulated scan. */
export interface ScanOptions {
  /** Side of the square frame, sampled as an integer in [lo, hi]. */
  frame: [number, number];
  /** Probability that the digit is stretched to fill the frame in both directions. */
  fillP: number;
  /** Probability of a hard black/white threshold (else grey levels are kept, as USPS did). */
  binariseP: number;
  /** Threshold range for binarising, on ink in [0, 1]. */
  threshold: [number, number];
  /** Probability that the model sees one of preprocessing's narrower readings instead. */
  alternativeP: number;
}

/** Ranges that cover Semeion (16×16, binary) and USPS (16×16, grey). */
export const DEFAULT_SCAN: ScanOptions = {
  frame: [14, 20],
  fillP: 0.7,
  binariseP: 0.7,
  threshold: [0.25, 0.55],
  alternativeP: 0.25,
};

const SIZE = 28;

/**
 * Renders `digit` (784 floats in [0, 1], white on black) as a tiny
 * frame-filling scan and returns what `preprocessImage` makes of it: a
 * 28×28 model input. null when the scan no longer reads as one digit (a
 * thin stroke broke apart): the caller keeps the original then.
 */
export function scanLikeDigit(
  digit: Float32Array,
  rng: Rng,
  opts: ScanOptions = DEFAULT_SCAN,
): Float32Array | null {
  if (!digit.some((v) => v > 0.1)) return null;
  const { width: bw, height: bh, data: crop } = cropToInk(
    { width: SIZE, height: SIZE, data: digit },
    0.1,
  );
  const side = opts.frame[0] + Math.floor(rng() * (opts.frame[1] - opts.frame[0] + 1));
  // Aspect kept (longer side = frame), then each side stretched part or all of
  // the way to the frame.
  const keep = side / Math.max(bw, bh);
  const t = rng() < opts.fillP ? 1 : rng();
  const w = Math.max(1, Math.round(bw * keep + t * (side - bw * keep)));
  const h = Math.max(1, Math.round(bh * keep + t * (side - bh * keep)));
  const small = resample({ width: bw, height: bh, data: crop }, w, h);
  const binarise = rng() < opts.binariseP;
  const threshold = opts.threshold[0] + rng() * (opts.threshold[1] - opts.threshold[0]);
  let peak = 0;
  for (const v of small.data) peak = Math.max(peak, v);
  if (peak <= 0) return null;
  // Dark ink on white paper, as scanned.
  const page = new Uint8Array(side * side).fill(255);
  const ox = Math.floor((side - w) / 2), oy = Math.floor((side - h) / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = small.data[y * w + x] / peak;
      const ink = binarise ? (v >= threshold ? 1 : 0) : v;
      page[(y + oy) * side + x + ox] = Math.round(255 * (1 - ink));
    }
  }
  const pre = preprocessImage({ width: side, height: side, data: page, channels: 1 });
  if (pre.digits.length !== 1) return null;
  const [only] = pre.digits;
  const alternatives = only.alternatives ?? [];
  if (alternatives.length && rng() < opts.alternativeP) {
    return alternatives[Math.floor(rng() * alternatives.length)];
  }
  return only.pixels;
}
