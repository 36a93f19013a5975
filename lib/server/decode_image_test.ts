import assert from "node:assert/strict";
import { encode as encode_png } from "fast-png";
import jpeg from "jpeg-js";
import omggif from "omggif";
import {
  applyOrientation,
  decodeImage,
  decodeImageScaled,
  ImageDecodeError,
  readImageInfo,
} from "./decode_image.ts";
import type { RgbaImage } from "../core/image_types.ts";
import { bmpBytes, pngChunk, WEBP_LOSSLESS, WEBP_LOSSY } from "../../tests/api/test_images.ts";

/** A 16×12 test pattern: left half black, right half white; bottom half has no blue. */
function pattern(): RgbaImage {
  const w = 16, h = 12;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4, v = x < 8 ? 0 : 255;
      data.set([v, v, y < 6 ? v : 0, 255], o);
    }
  }
  return { width: w, height: h, data, channels: 4 };
}

/** Mean absolute difference per channel value. */
function meanDiff(a: Uint8Array, b: Uint8Array): number {
  assert.equal(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

async function rejectsWith(bytes: Uint8Array, code: string) {
  await assert.rejects(decodeImage(bytes), (e: unknown) => {
    assert.ok(e instanceof ImageDecodeError, `expected ImageDecodeError, got ${e}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

// --- tiny PNG writer, for layouts fast-png does not encode (palette, 1-bit) and bogus headers.

async function zlib(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new CompressionStream("deflate"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** PNG from raw scanlines (filter byte 0 added here). */
async function makePng(
  width: number,
  height: number,
  depth: number,
  colorType: number,
  rows: Uint8Array[],
  palette?: number[][],
): Promise<Uint8Array> {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([depth, colorType, 0, 0, 0], 8);
  const raw = new Uint8Array(rows.reduce((a, r) => a + r.length + 1, 0));
  let o = 0;
  for (const r of rows) {
    raw[o++] = 0;
    raw.set(r, o);
    o += r.length;
  }
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    ...(palette ? [pngChunk("PLTE", Uint8Array.from(palette.flat()))] : []),
    pngChunk("IDAT", await zlib(raw)),
    pngChunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function withExifOrientation(jpg: Uint8Array, orientation: number): Uint8Array {
  const tiff = [
    0x4d,
    0x4d,
    0x00,
    0x2a,
    0,
    0,
    0,
    8, // big-endian TIFF header, IFD at 8
    0,
    1, // one entry
    0x01,
    0x12,
    0,
    3,
    0,
    0,
    0,
    1,
    0,
    orientation,
    0,
    0, // Orientation, SHORT, 1 value
    0,
    0,
    0,
    0, // no next IFD
  ];
  const body = [...new TextEncoder().encode("Exif\0\0"), ...tiff];
  const len = body.length + 2;
  const app1 = [0xff, 0xe1, len >> 8, len & 0xff, ...body];
  const out = new Uint8Array(jpg.length + app1.length);
  out.set(jpg.subarray(0, 2));
  out.set(app1, 2);
  out.set(jpg.subarray(2), 2 + app1.length);
  return out;
}

Deno.test("decodeImage - decodes RGBA, grey and 16-bit PNG exactly", async () => {
  const p = pattern();
  const rgba = await decodeImage(encode_png({ width: 16, height: 12, data: p.data, channels: 4 }));
  assert.deepEqual([rgba.width, rgba.height], [16, 12]);
  assert.deepEqual(rgba.data, p.data);

  const grey = new Uint8Array(16 * 12).map((_, i) => (i % 16) * 16);
  const g = await decodeImage(encode_png({ width: 16, height: 12, data: grey, channels: 1 }));
  assert.deepEqual([g.data[4 * 5], g.data[4 * 5 + 1], g.data[4 * 5 + 2], g.data[4 * 5 + 3]], [
    80,
    80,
    80,
    255,
  ]);

  const deep = new Uint16Array(16 * 12 * 3).fill(65535);
  const d = await decodeImage(
    encode_png({ width: 16, height: 12, data: deep, channels: 3, depth: 16 }),
  );
  assert.deepEqual(Array.from(d.data.subarray(0, 4)), [255, 255, 255, 255]);
});

Deno.test("decodeImage - decodes palette and 1-bit PNG", async () => {
  const pal = await makePng(4, 1, 8, 3, [Uint8Array.from([0, 1, 2, 1])], [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
  ]);
  const p = await decodeImage(pal);
  assert.deepEqual(Array.from(p.data), [
    255,
    0,
    0,
    255,
    0,
    255,
    0,
    255,
    0,
    0,
    255,
    255,
    0,
    255,
    0,
    255,
  ]);
  // 1-bit grey: 10 pixels 1010101010 packed in two bytes.
  const bits = await makePng(10, 1, 1, 0, [Uint8Array.from([0b10101010, 0b10000000])]);
  const b = await decodeImage(bits);
  assert.deepEqual(Array.from({ length: 10 }, (_, i) => b.data[i * 4]), [
    255,
    0,
    255,
    0,
    255,
    0,
    255,
    0,
    255,
    0,
  ]);
});

Deno.test("decodeImage - decodes JPEG and applies its EXIF orientation", async () => {
  const p = pattern();
  const jpg = jpeg.encode({ width: 16, height: 12, data: p.data }, 95).data as Uint8Array;
  const plain = await decodeImage(jpg);
  assert.deepEqual([plain.width, plain.height], [16, 12]);
  assert.ok(meanDiff(plain.data, p.data) < 6);

  // Orientation 6: stored rotated 90° counter-clockwise, shown rotated clockwise.
  const rotated = withExifOrientation(jpg, 6);
  const info = readImageInfo(rotated);
  assert.deepEqual([info.format, info.orientation, info.displayWidth, info.displayHeight], [
    "jpeg",
    6,
    12,
    16,
  ]);
  const r = await decodeImage(rotated);
  assert.deepEqual([r.width, r.height], [12, 16]);
  // The stored left half (black) is now the top half; the stored top rows are now on the right.
  const at = (x: number, y: number) =>
    Array.from(r.data.subarray((y * 12 + x) * 4, (y * 12 + x) * 4 + 3));
  assert.ok(at(6, 2).every((v) => v < 40), `top should be black, got ${at(6, 2)}`);
  assert.ok(
    at(10, 13)[0] > 215 && at(10, 13)[2] > 215,
    `bottom right should be white, got ${at(10, 13)}`,
  );
  assert.ok(
    at(1, 13)[0] > 215 && at(1, 13)[2] < 40,
    `bottom left should be yellow, got ${at(1, 13)}`,
  );
});

Deno.test("decodeImage - decodes GIF, BMP and WebP (lossless and lossy)", async () => {
  const p = pattern();
  // GIF: two-colour palette, index 1 = white.
  const buf = new Uint8Array(1024);
  const writer = new (omggif as unknown as {
    GifWriter: new (b: Uint8Array, w: number, h: number, o: object) => {
      addFrame(x: number, y: number, w: number, h: number, px: number[], o: object): void;
      end(): number;
    };
  }).GifWriter(buf, 16, 12, { palette: [0x000000, 0xffffff] });
  writer.addFrame(0, 0, 16, 12, Array.from({ length: 192 }, (_, i) => (i % 16 < 8 ? 0 : 1)), {});
  const gif = await decodeImage(buf.slice(0, writer.end()));
  assert.deepEqual([gif.width, gif.height], [16, 12]);
  assert.deepEqual(Array.from(gif.data.subarray(0, 4)), [0, 0, 0, 255]);
  assert.deepEqual(Array.from(gif.data.subarray(15 * 4, 16 * 4)), [255, 255, 255, 255]);

  const bmp = await decodeImage(bmpBytes(p));
  assert.deepEqual(bmp.data, p.data);

  const lossless = await decodeImage(WEBP_LOSSLESS);
  assert.deepEqual(lossless.data, p.data);
  const lossy = await decodeImage(WEBP_LOSSY);
  assert.deepEqual([lossy.width, lossy.height], [16, 12]);
  assert.ok(meanDiff(lossy.data, p.data) < 12);
});

Deno.test("decodeImage - refuses empty input, text, SVG and HEIC with typed errors", async () => {
  await rejectsWith(new Uint8Array(0), "empty");
  await rejectsWith(new TextEncoder().encode("name,label\nphoto.jpg,7\n"), "not_an_image");
  await rejectsWith(
    new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><path d="M1 1"/></svg>',
    ),
    "svg",
  );
  await rejectsWith(
    new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode("ftypheic"), 0, 0, 0, 0, 0, 0, 0, 0]),
    "unsupported_format",
  );
});

Deno.test("decodeImage - reports truncated and corrupt data", async () => {
  const png = encode_png({
    width: 64,
    height: 64,
    data: new Uint8Array(64 * 64 * 4).map((_, i) => i * 7),
    channels: 4,
  });
  await rejectsWith(png.slice(0, 12), "truncated");
  await rejectsWith(png.slice(0, Math.floor(png.length * 0.6)), "truncated");
  const corrupt = png.slice();
  // Keep the header and the end marker, garble the compressed pixels.
  for (let i = 60; i < corrupt.length - 20; i++) corrupt[i] ^= 0x5a;
  await rejectsWith(corrupt, "corrupt");
  const jpg = jpeg.encode({ width: 16, height: 12, data: pattern().data }, 90).data as Uint8Array;
  await rejectsWith(jpg.slice(0, Math.floor(jpg.length / 2)), "truncated");
  const garbled = jpg.slice();
  for (let i = 200; i < garbled.length - 10; i++) garbled[i] = 0xff;
  await assert.rejects(decodeImage(garbled), ImageDecodeError);
});

Deno.test("decodeImage - accepts a JPEG with a vendor trailer after its end marker", async () => {
  // Some phones append tens of kilobytes of their own data after EOI.
  const jpg = jpeg.encode({ width: 16, height: 12, data: pattern().data }, 90).data as Uint8Array;
  const trailer = new Uint8Array(40_000).map((_, i) => (i * 31) & 0x7f);
  const withTrailer = new Uint8Array(jpg.length + trailer.length);
  withTrailer.set(jpg);
  withTrailer.set(trailer, jpg.length);
  const img = await decodeImage(withTrailer);
  assert.deepEqual([img.width, img.height], [16, 12]);
});

Deno.test("decodeImage - reads a 20000×20000 header without decoding and refuses to decode it", async () => {
  const huge = await makePng(20000, 20000, 8, 6, []);
  const t0 = performance.now();
  const info = readImageInfo(huge);
  assert.deepEqual([info.format, info.width, info.height], ["png", 20000, 20000]);
  await rejectsWith(huge, "too_large");
  // Allocating 1.6 GB of pixels would take far longer than this.
  assert.ok(performance.now() - t0 < 200);
  // A lower limit set by the caller applies too.
  const small = encode_png({
    width: 100,
    height: 100,
    data: new Uint8Array(100 * 100),
    channels: 1,
  });
  await assert.rejects(decodeImage(small, { maxPixels: 5000 }), ImageDecodeError);
});

Deno.test("decodeImage - applyOrientation maps all eight EXIF orientations", () => {
  // 3×2 image whose pixels are numbered 0..5 (one byte per pixel in channel R).
  const img: RgbaImage = {
    width: 3,
    height: 2,
    data: Uint8Array.from({ length: 24 }, (_, i) => (i % 4 === 0 ? i / 4 : 0)),
    channels: 4,
  };
  const read = (r: RgbaImage) =>
    Array.from({ length: r.width * r.height }, (_, i) => r.data[i * 4]);
  // Stored 0 1 2 / 3 4 5; expected display for each orientation.
  const expected: Record<number, number[]> = {
    1: [0, 1, 2, 3, 4, 5],
    2: [2, 1, 0, 5, 4, 3],
    3: [5, 4, 3, 2, 1, 0],
    4: [3, 4, 5, 0, 1, 2],
    5: [0, 3, 1, 4, 2, 5],
    6: [3, 0, 4, 1, 5, 2],
    7: [5, 2, 4, 1, 3, 0],
    8: [2, 5, 1, 4, 0, 3],
  };
  for (const [o, want] of Object.entries(expected)) {
    const out = applyOrientation(img, Number(o));
    assert.deepEqual(read(out), want, `orientation ${o}`);
    assert.equal(out.width, Number(o) >= 5 ? 2 : 3);
  }
});

Deno.test("decode image - a large JPEG decodes shrunk (DCT scaling), never below minPixels, reading the same digit", async () => {
  const { digitImage, jpegBytes } = await import("../../tests/api/test_images.ts");
  const { preprocessImage } = await import("../core/preprocess.ts");
  const bytes = jpegBytes(digitImage(4, 2400, 1800));
  const full = await decodeImageScaled(bytes, {});
  assert.equal(full.scale, 1, "no minPixels: full size");
  const shrunk = await decodeImageScaled(bytes, { minPixels: 2 * 640 * 480 });
  assert.equal(shrunk.scale, 2, "1/4 would leave fewer than minPixels");
  assert.deepEqual([shrunk.image.width, shrunk.image.height], [1200, 900]);
  const small = await decodeImageScaled(bytes, { minPixels: 100_000 });
  assert.equal(small.scale, 4);
  const a = preprocessImage(full.image), b = preprocessImage(shrunk.image);
  assert.equal(a.digits.length, 1);
  assert.equal(b.digits.length, 1);
  const boxA = a.digits[0].box, boxB = b.digits[0].box.map((v) => v * shrunk.scale);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(boxA[i] - boxB[i]) <= 24, `${boxA} vs ${boxB}`);
});
