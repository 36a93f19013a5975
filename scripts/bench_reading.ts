/**
 * `deno run -A scripts/bench_reading.ts [--count N] [--offset K] [--option JSON]`
 *
 * Reading on generated images, made from MNIST test digits (which no model
 * here was trained on), through the whole pipeline (preprocessing, the
 * digit model, the no-digit head), so a change to preprocessing can be
 * judged by a general measure rather than by the dev sets' few images:
 * - `mnist`: the 28×28 test digits themselves, light on dark;
 * - `scan`: each digit as a frame-filling 16×16 binary scan, dark on light
 *   (as the Semeion scanner stored digits: stretched to the frame both ways);
 * - `slanted`: numbers of 2–3 digits written close (the boxes overlapping by
 *   a tenth), leaning by 0°, 15°, 25° or 35°, 14 or 40 px tall, on grainy
 *   paper; exact readings per slant and height.
 * `--option` passes preprocessing options (`{"deslantAbove":0}` turns the
 * upright reading of slanted writing off), to measure one against the other.
 * Deterministic: the same arguments read the same images.
 */
import { parseCli } from "../lib/server/cli_args.ts";
import { loadMnistSplit, locateMnist } from "../training/mnist_files.ts";
import { loadModelWithHead } from "../lib/core/model_runner.ts";
import { recognize, type RecognizeOptions } from "../lib/core/recognize.ts";
import { DEFAULT_MODEL_PATH, modelUrl } from "../lib/server/model_file.ts";
import { initInferenceBackend } from "../lib/server/tf_backend.ts";
import { resample } from "../lib/core/resample.ts";
import { cropToInk } from "../lib/core/mnist_frame.ts";
import { makeRng } from "../lib/core/random.ts";
import type { RasterImage } from "../lib/core/image_types.ts";

const { values } = parseCli(
  {
    options: {
      count: { type: "string", default: "1000" },
      offset: { type: "string", default: "0" },
      option: { type: "string", default: "{}" },
    },
  },
  "usage: deno run -A scripts/bench_reading.ts [--count N] [--offset K] [--option JSON]\n" +
    "Reads N generated digits of each kind (MNIST test digits from K on) and N/4 slanted numbers.",
);
const count = Number(values.count), offset = Number(values.offset);
const options = JSON.parse(values.option!) as RecognizeOptions;

await initInferenceBackend();
const { model, head } = await loadModelWithHead(modelUrl(DEFAULT_MODEL_PATH));
const test = await loadMnistSplit(await locateMnist(), "test");
const digit = (i: number) =>
  Float32Array.from(test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
const read = (image: RasterImage) => recognize(model, image, { ...options, noDigitHead: head });
const grey = (width: number, height: number, ink: ArrayLike<number>): RasterImage => ({
  width,
  height,
  channels: 1,
  data: Uint8Array.from(ink, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))),
});

/** A digit stretched to fill a `side`×`side` frame and binarised: black ink on white. */
function scan(d: Float32Array, side: number): Float32Array {
  const small = resample(cropToInk({ width: 28, height: 28, data: d }, 0.1), side, side);
  const peak = small.data.reduce((m, v) => Math.max(m, v), 0);
  return small.data.map((v) => (v / peak >= 0.4 ? 0 : 1));
}

/** Digits written close together, leaning right by `degrees`, `height` px tall, on grainy paper. */
function slantedNumber(ds: Float32Array[], degrees: number, height: number, rng: () => number) {
  const t = Math.tan((degrees * Math.PI) / 180), f = height / 20;
  const step = Math.round(16 * f * 0.9);
  const w = Math.round(ds.length * step + t * height + 2 * height), h = 3 * height;
  const page = new Float32Array(w * h).fill(0.92);
  const side = Math.round(28 * f);
  ds.forEach((digit, k) => {
    // Anti-aliased to its size first, as a scanner or a camera would see it.
    const d = resample({ width: 28, height: 28, data: digit }, side, side).data;
    const ox = height + k * step - 4 * f, oy = height - 4 * f;
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = d[y * side + x];
        const px = Math.round(ox + x + t * (side / 2 - y)), py = Math.round(oy + y);
        if (v <= 0 || px < 0 || px >= w || py < 0 || py >= h) continue;
        page[py * w + px] = Math.min(page[py * w + px], 0.92 - 0.75 * v);
      }
    }
  });
  for (let i = 0; i < page.length; i++) page[i] += (rng() - 0.5) * 0.04;
  return grey(w, h, page);
}

const pct = (a: number, b: number) => `${a} / ${b} = ${(100 * a / b).toFixed(1)} %`;
const rows: string[] = [];
for (const kind of ["mnist", "scan"] as const) {
  let right = 0, rejected = 0;
  for (let i = offset; i < offset + count; i++) {
    const d = digit(i);
    const r = kind === "mnist" ? read(grey(28, 28, d)) : read(grey(16, 16, scan(d, 16)));
    if (r.digits === String(test.labels[i])) right++;
    if (r.noDigit) rejected++;
  }
  rows.push(`| ${kind} digits | ${pct(right, count)} | ${rejected} |`);
}
const rng = makeRng(7);
const exact = new Map<string, [number, number]>();
for (let k = 0; k < Math.round(count / 4); k++) {
  const indices = Array.from(
    { length: 2 + Math.floor(rng() * 2) },
    () => offset + Math.floor(rng() * 5000),
  );
  const degrees = [0, 15, 25, 35][k % 4], height = [14, 40][Math.floor(k / 4) % 2];
  const r = read(slantedNumber(indices.map(digit), degrees, height, rng));
  const key = `slanted numbers, ${degrees}°, ${height} px`;
  const [a, b] = exact.get(key) ?? [0, 0];
  exact.set(key, [a + (r.digits === indices.map((i) => test.labels[i]).join("") ? 1 : 0), b + 1]);
}
for (const [key, [a, b]] of [...exact].sort()) rows.push(`| ${key} | ${pct(a, b)} | |`);
console.log(`options ${JSON.stringify(options)}\n`);
console.log("| generated set | read right (exact) | answered no digit |");
console.log("| --- | ---: | ---: |");
console.log(rows.join("\n"));
