/**
 * Procedural stand-ins for photos of things that are not writing: value-noise
 * textures, gradients, large blobs (an apple, a stump), wood-grain stripes,
 * bold shapes filling the frame. Nothing is downloaded; a seed makes each
 * image reproducible. Used by the fuzz tests to check that no such picture
 * can crash recognition.
 */
import type { Rgba } from "./test_images.ts";

type Rand = () => number;

/** Kinds of picture `naturalImage` makes. */
export const NATURAL_KINDS = [
  "noise",
  "gradient",
  "blobs",
  "wood",
  "bold",
  "checker",
  "dots",
] as const;
export type NaturalKind = typeof NATURAL_KINDS[number];

/** Smooth value noise in [0, 1] on a grid of `cell` pixels, bilinearly interpolated. */
function valueNoise(rand: Rand, w: number, h: number, cell: number): Float32Array {
  const gw = Math.ceil(w / cell) + 2, gh = Math.ceil(h / cell) + 2;
  const grid = Float32Array.from({ length: gw * gh }, rand);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const gy = y / cell, y0 = Math.floor(gy), fy = gy - y0;
    for (let x = 0; x < w; x++) {
      const gx = x / cell, x0 = Math.floor(gx), fx = gx - x0;
      const a = grid[y0 * gw + x0], b = grid[y0 * gw + x0 + 1];
      const c = grid[(y0 + 1) * gw + x0], d = grid[(y0 + 1) * gw + x0 + 1];
      out[y * w + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }
  }
  return out;
}

/** Grey values (0–1) of one picture of `kind`. */
function greyPicture(kind: NaturalKind, rand: Rand, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h);
  switch (kind) {
    case "noise": { // several octaves: bark, gravel, foliage
      for (const cell of [64, 16, 4, 1]) {
        const n = valueNoise(rand, w, h, cell);
        for (let i = 0; i < out.length; i++) out[i] += n[i] / 4;
      }
      break;
    }
    case "gradient": { // sky, a wall in side light
      const ax = rand() - 0.5, ay = rand() - 0.5;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[y * w + x] = 0.5 + ax * (x / w - 0.5) + ay * (y / h - 0.5);
      }
      break;
    }
    case "blobs": { // fruit on a stump: a few large filled discs on a textured ground
      const ground = valueNoise(rand, w, h, 24);
      for (let i = 0; i < out.length; i++) out[i] = 0.6 + 0.3 * ground[i];
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
        const cx = rand() * w, cy = rand() * h, r = (0.2 + 0.3 * rand()) * Math.min(w, h);
        const v = 0.05 + 0.2 * rand();
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) out[y * w + x] = v;
        }
      }
      break;
    }
    case "wood": { // grain: wavy stripes at a random angle
      const angle = rand() * Math.PI, period = 6 + rand() * 20;
      const warp = valueNoise(rand, w, h, 48);
      const c = Math.cos(angle), s = Math.sin(angle);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const t = (x * c + y * s) / period + 3 * warp[y * w + x];
          out[y * w + x] = 0.5 + 0.4 * Math.sin(2 * Math.PI * t);
        }
      }
      break;
    }
    case "bold": { // a huge dark ring filling the frame (a bold 0, a plate): far over 125,000 ink pixels
      out.fill(0.95);
      const inner = 0.55 + 0.15 * rand();
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const d2 = ((x - w / 2) / (0.47 * w)) ** 2 + ((y - h / 2) / (0.47 * h)) ** 2;
          if (d2 < 1 && d2 > inner * inner) out[y * w + x] = 0.05;
        }
      }
      break;
    }
    case "checker": { // tiles, a chessboard, a fence: many equal components
      const cell = 1 + Math.floor(rand() * 6);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          out[y * w + x] = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 0.9 : 0.1;
        }
      }
      break;
    }
    case "dots": { // perforated metal, a mesh, fabric: thousands of small equal shapes in columns
      out.fill(0.9);
      const r = 1 + Math.floor(rand() * 2), dx = 2 * r + 2 + Math.floor(rand() * 4);
      const dy = 2 * r + 1 + Math.floor(rand() * 2);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const ox = x % dx, oy = y % dy;
          if (ox < 2 * r && oy < 2 * r) out[y * w + x] = 0.1;
        }
      }
      break;
    }
  }
  return out;
}

/**
 * A `w`×`h` RGBA picture of `kind` (tinted, as colour photos are), with a
 * little sensor noise.
 */
export function naturalImage(kind: NaturalKind, rand: Rand, w: number, h: number): Rgba {
  const grey = greyPicture(kind, rand, w, h);
  const tint = [0.7 + 0.3 * rand(), 0.7 + 0.3 * rand(), 0.7 + 0.3 * rand()];
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < grey.length; i++) {
    const v = grey[i] + (rand() - 0.5) * 0.04;
    for (let c = 0; c < 3; c++) data[4 * i + c] = Math.max(0, Math.min(255, v * tint[c] * 255));
    data[4 * i + 3] = 255;
  }
  return { width: w, height: h, data };
}
