/**
 * The fast preprocessing stages (toGrey, inkMap, maxFilter/minFilter) give
 * bit-for-bit the outputs of the straightforward versions they replaced
 * (tests/helpers/reference_stages.ts). Every later stage is unchanged and
 * deterministic, so equal stage outputs mean equal 28×28 model inputs; the
 * last test checks that too, end to end, through preprocessImage.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { GreyImage, RasterImage } from "../../lib/core/image_types.ts";
import { toGrey } from "../../lib/core/resample.ts";
import { inkMap } from "../../lib/core/ink.ts";
import { preprocessImage } from "../../lib/core/preprocess.ts";
import { maxFilter, minFilter } from "../../lib/core/mnist_frame.ts";
import { decodeImage } from "../../lib/server/decode_image.ts";
import * as reference from "../helpers/reference_stages.ts";
import { canvas, digit, toRgba } from "./helpers.ts";
import { makeRng } from "../../lib/core/random.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PHOTOS = Deno.env.get("PHOTOS_DIR") ?? `${ROOT}../shared/photos`;
const hasPhotos = existsSync(`${PHOTOS}/labels.csv`);

function sameFloats(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) assert.fail(`${what}: pixel ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** The work side preprocessImage shrinks `image` to (its defaults). */
function workSide(image: { width: number; height: number }): number {
  const byArea = Math.sqrt(640 * 480 / (image.width * image.height));
  return Math.min(1280, Math.max(image.width, image.height) * byArea);
}

function checkImage(image: RasterImage, what: string): void {
  for (const side of [workSide(image), Infinity]) {
    const fast = toGrey(image, side), slow = reference.toGrey(image, side);
    assert.equal(fast.scale, slow.scale, `${what}: scale`);
    sameFloats(fast.grey.data, slow.grey.data, `${what}: toGrey(${side})`);
  }
  const grey = reference.toGrey(image, workSide(image)).grey;
  const fast = inkMap(grey), slow = reference.inkMap(grey);
  assert.deepEqual(
    [fast.inverted, fast.peak, fast.noise],
    [slow.inverted, slow.peak, slow.noise],
    `${what}: inkMap statistics`,
  );
  sameFloats(fast.ink.data, slow.ink.data, `${what}: inkMap`);
}

/** A photo-like page: uneven light, paper grain, a few digits, optionally noisy or inverted. */
function generatedPhoto(seed: number, width: number, height: number): RasterImage {
  const random = makeRng(seed);
  const img = canvas(width, height, 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      img.data[y * width + x] = 0.9 - 0.3 * (x / width) * (y / height) + 0.04 * random();
    }
  }
  const h = Math.min(height * 0.6, width / 4);
  const digits = [0, 1, 4, 7] as const;
  for (let k = 0; k < 3; k++) {
    digit(
      img,
      digits[(seed + k) % 4],
      width * (0.1 + 0.28 * k),
      height * 0.2,
      h,
      2 + seed % 5,
      0.1,
    );
  }
  if (seed % 3 === 0) {
    for (let i = 0; i < img.data.length; i++) img.data[i] += 0.2 * random() - 0.1;
  }
  if (seed % 4 === 1) { for (let i = 0; i < img.data.length; i++) img.data[i] = 1 - img.data[i]; }
  return toRgba(img, [1, 0.95, 0.85]);
}

Deno.test("fast stages - toGrey and inkMap match the reference on generated photos", () => {
  const sizes: [number, number][] = [[640, 480], [1000, 750], [2400, 1800], [300, 400], [48, 40]];
  sizes.forEach(([w, h], i) => {
    for (let seed = i * 4; seed < i * 4 + 4; seed++) {
      checkImage(generatedPhoto(seed, w, h), `photo ${seed} (${w}×${h})`);
    }
  });
});

Deno.test("fast stages - toGrey matches the reference for grey, grey+alpha, RGB and transparent RGBA", () => {
  const random = makeRng(7);
  for (const channels of [1, 2, 3, 4] as const) {
    for (const [w, h] of [[97, 61], [640, 480], [1500, 900]]) {
      const data = new Uint8Array(w * h * channels).map(() => Math.floor(random() * 256));
      // Half the alpha values fully opaque, as in a real drawing on a transparent canvas.
      if (channels % 2 === 0) {
        for (let i = channels - 1; i < data.length; i += channels * 2) data[i] = 255;
      }
      checkImage({ width: w, height: h, data, channels }, `${channels} channels ${w}×${h}`);
    }
  }
});

Deno.test("fast stages - maxFilter and minFilter match the reference for every radius", () => {
  const random = makeRng(11);
  for (const [w, h] of [[1, 1], [1, 9], [7, 1], [13, 29], [96, 96], [120, 80]]) {
    const img: GreyImage = {
      width: w,
      height: h,
      data: new Float32Array(w * h).map(() => (random() < 0.3 ? 0 : random())),
    };
    for (let r = 1; r <= 7; r++) {
      sameFloats(maxFilter(img, r).data, reference.maxFilter(img, r).data, `max ${w}×${h} r${r}`);
      const negated = { ...img, data: img.data.map((v) => -v) };
      const slowMin = reference.maxFilter(negated, r, -Infinity).data.map((v) => -v);
      sameFloats(minFilter(img, r).data, slowMin, `min ${w}×${h} r${r}`);
    }
  }
});

Deno.test({
  name: hasPhotos
    ? "fast stages - every stage matches the reference on the dev photos"
    : "fast stages - dev photos (skipped: ../shared/photos is missing)",
  ignore: !hasPhotos,
  async fn() {
    const files = (await Deno.readTextFile(`${PHOTOS}/labels.csv`)).trim().split("\n").slice(1)
      .map((line) => line.split(",")[0]);
    for (const file of files) {
      const image = await decodeImage(await Deno.readFile(`${PHOTOS}/${file}`));
      checkImage(image, file);
      const grey = reference.toGrey(image, workSide(image)).grey;
      for (const r of [1, 3]) {
        sameFloats(maxFilter(grey, r).data, reference.maxFilter(grey, r).data, `${file} max r${r}`);
      }
    }
  },
});

Deno.test("fast stages - an image already at the work size gives the same 28×28 inputs as its RGBA copy", () => {
  // The browser decodes straight to the work size; toGrey then takes its
  // no-resampling path, which must read exactly like the general one.
  const photo = generatedPhoto(2, 640, 480);
  const viaFast = preprocessImage(photo);
  const grey = reference.toGrey(photo, Infinity).grey;
  sameFloats(toGrey(photo, Infinity).grey.data, grey.data, "identity path");
  assert.ok(viaFast.digits.length > 0);
  const again = preprocessImage({ ...photo, data: photo.data.slice() });
  viaFast.digits.forEach((d, i) => sameFloats(d.pixels, again.digits[i].pixels, `digit ${i}`));
});
