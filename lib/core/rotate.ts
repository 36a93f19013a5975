/**
 * Turning a working image: by a small angle to level a tilted line of
 * writing, by 90° or 270° to read a photo taken sideways. Boxes found in the
 * turned image are mapped back to the original.
 */
import type { GreyImage } from "./image_types.ts";
import { scratchFloat32 } from "./scratch.ts";

/** An image turned by some angle, and the way back for boxes found in it. */
export interface Turned {
  image: GreyImage;
  /** A box `{x0, y0, x1, y1}` of the turned image → the original's box around it. */
  back(box: { x0: number; y0: number; x1: number; y1: number }): {
    x0: number;
    y0: number;
    x1: number;
    y1: number;
  };
}

/**
 * Turns `img` clockwise by `degrees` (image coordinates, y down), bilinear,
 * onto a canvas just large enough; uncovered corners get the image's median
 * value, so they read as paper.
 */
export function rotateGrey(img: GreyImage, degrees: number): Turned {
  const { width: w, height: h, data } = img;
  const t = (degrees * Math.PI) / 180;
  // Exact for the right angles, so a 90° turn moves pixels without blurring.
  const round = (v: number) =>
    Math.abs(v) < 1e-9 ? 0 : Math.abs(Math.abs(v) - 1) < 1e-9 ? Math.sign(v) : v;
  const c = round(Math.cos(t)), s = round(Math.sin(t));
  const nw = Math.max(1, Math.round(Math.abs(w * c) + Math.abs(h * s)));
  const nh = Math.max(1, Math.round(Math.abs(w * s) + Math.abs(h * c)));
  const sorted = scratchFloat32(data.length, false);
  sorted.set(data);
  sorted.sort();
  const paper = sorted[sorted.length >> 1];
  const out = scratchFloat32(nw * nh, false);
  const cx = w / 2, cy = h / 2, ncx = nw / 2, ncy = nh / 2;
  for (let y = 0; y < nh; y++) {
    for (let x = 0; x < nw; x++) {
      // Pixel centre of the turned image → the original (inverse rotation).
      const dx = x + 0.5 - ncx, dy = y + 0.5 - ncy;
      const sx = cx + c * dx + s * dy - 0.5, sy = cy - s * dx + c * dy - 0.5;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) {
        out[y * nw + x] = paper;
        continue;
      }
      const at = (xx: number, yy: number) =>
        xx >= 0 && yy >= 0 && xx < w && yy < h ? data[yy * w + xx] : paper;
      out[y * nw + x] = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
        (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
    }
  }
  const back = (b: { x0: number; y0: number; x1: number; y1: number }) => {
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [px, py] of [[b.x0, b.y0], [b.x1, b.y0], [b.x0, b.y1], [b.x1, b.y1]]) {
      const dx = px - ncx, dy = py - ncy;
      const ox = cx + c * dx + s * dy, oy = cy - s * dx + c * dy;
      x0 = Math.min(x0, ox), y0 = Math.min(y0, oy), x1 = Math.max(x1, ox), y1 = Math.max(y1, oy);
    }
    return {
      x0: Math.max(0, x0),
      y0: Math.max(0, y0),
      x1: Math.min(w, x1),
      y1: Math.min(h, y1),
    };
  };
  return { image: { width: nw, height: nh, data: out }, back };
}

/**
 * Angle (degrees, clockwise positive) of the line through the centres of
 * `boxes`, weighted by their size (least squares); 0 for fewer than two.
 */
export function lineAngle(boxes: { x0: number; y0: number; x1: number; y1: number }[]): number {
  if (boxes.length < 2) return 0;
  let sw = 0, sx = 0, sy = 0;
  const pts = boxes.map((b) => ({
    x: (b.x0 + b.x1) / 2,
    y: (b.y0 + b.y1) / 2,
    w: b.y1 - b.y0,
  }));
  for (const p of pts) sw += p.w, sx += p.w * p.x, sy += p.w * p.y;
  const mx = sx / sw, my = sy / sw;
  let sxx = 0, sxy = 0;
  for (const p of pts) sxx += p.w * (p.x - mx) ** 2, sxy += p.w * (p.x - mx) * (p.y - my);
  return sxx > 0 ? (Math.atan2(sxy, sxx) * 180) / Math.PI : 0;
}
