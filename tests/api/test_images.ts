/**
 * Small images in every accepted format, and hostile ones, for the API tests
 * and the fuzz test. Each is made here from a drawn digit, so no binary
 * fixture is committed.
 */
import { encode as encodePng } from "fast-png";
import jpeg from "jpeg-js";
import omggif from "omggif";
import { canvas, decimalNumber, digit, toRgba } from "../recognition/helpers.ts";

/** An RGBA raster. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A dark digit on a light background, `width`×`height`. */
export function digitImage(d: 0 | 1 | 4 | 7 = 7, width = 40, height = 40): Rgba {
  const img = canvas(width, height, 1);
  const h = Math.min(height * 0.7, (width * 0.7) / 0.6);
  digit(img, d, (width - h * 0.6) / 2, (height - h) / 2, h, Math.max(2, h / 8), 0);
  const { data } = toRgba(img);
  return { width, height, data: new Uint8Array(data) };
}

/** "71.0" written with a decimal point, as an RGBA raster. */
export function decimalNumberImage(): Rgba {
  const { width, height, data } = toRgba(decimalNumber("."));
  return { width, height, data: new Uint8Array(data) };
}

/** PNG (RGBA, 8 bits). */
export function pngBytes(img: Rgba): Uint8Array {
  return encodePng({ width: img.width, height: img.height, data: img.data, channels: 4, depth: 8 });
}

/** Baseline JPEG. */
export function jpegBytes(img: Rgba, quality = 90): Uint8Array {
  const out = jpeg.encode({ width: img.width, height: img.height, data: img.data }, quality);
  return new Uint8Array(out.data);
}

/** GIF with a 256-level grey palette (the red channel). */
export function gifBytes(img: Rgba): Uint8Array {
  const palette = Array.from({ length: 256 }, (_, v) => (v << 16) | (v << 8) | v);
  const indexed = new Uint8Array(img.width * img.height);
  for (let i = 0; i < indexed.length; i++) indexed[i] = img.data[i * 4];
  const buf = new Uint8Array(2048 + indexed.length * 2);
  const GifWriter = (omggif as unknown as {
    GifWriter: new (
      buf: Uint8Array,
      w: number,
      h: number,
      opts: { palette: number[] },
    ) => {
      addFrame(x: number, y: number, w: number, h: number, px: Uint8Array): void;
      end(): number;
    };
  }).GifWriter;
  const writer = new GifWriter(buf, img.width, img.height, { palette });
  writer.addFrame(0, 0, img.width, img.height, indexed);
  return buf.slice(0, writer.end());
}

/** 24-bit bottom-up BMP. */
export function bmpBytes(img: Rgba): Uint8Array {
  const stride = Math.ceil((img.width * 3) / 4) * 4;
  const size = 54 + stride * img.height;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  dv.setUint32(2, size, true);
  dv.setUint32(10, 54, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, img.width, true);
  dv.setInt32(22, img.height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, 24, true);
  dv.setUint32(34, stride * img.height, true);
  for (let y = 0; y < img.height; y++) {
    const row = 54 + (img.height - 1 - y) * stride;
    for (let x = 0; x < img.width; x++) {
      const s = (y * img.width + x) * 4;
      out.set([img.data[s + 2], img.data[s + 1], img.data[s]], row + x * 3);
    }
  }
  return out;
}

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** 16×12 WebPs made with libwebp's cwebp (no WebP encoder on npm runs here): lossless and lossy. */
export const WEBP_LOSSLESS = fromBase64(
  "UklGRigAAABXRUJQVlA4TBwAAAAvD8ACABcw//M///MfOASBAGHSpFIJEf0PqKsP",
);
/** See {@link WEBP_LOSSLESS}. */
export const WEBP_LOSSY = fromBase64(
  "UklGRk4AAABXRUJQVlA4IEIAAADQAQCdASoQAAwAAMASJagCdAEO/gOOAAD+//5OXv//t3AFLnlezLyHv/6zb/+a" +
    "L/4ovH/oQb/9YSSRtacOOujAAAA=",
);

/** One valid image per accepted format, keyed by the format `readImageInfo` reports. */
export function imagesByFormat(img: Rgba = digitImage()): Record<string, Uint8Array> {
  return {
    png: pngBytes(img),
    jpeg: jpegBytes(img),
    gif: gifBytes(img),
    bmp: bmpBytes(img),
    webp: WEBP_LOSSLESS,
  };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk (length, type, body, CRC), for hand-made and hostile PNGs. */
export function pngChunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, body.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(body, 8);
  dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** An 8-bit grey PNG whose header says `width`×`height`, over `rows` (filtered scanlines). */
async function greyPng(width: number, height: number, rows: Uint8Array): Promise<Uint8Array> {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const deflated = new Uint8Array(
    await new Response(
      new Blob([rows as BlobPart]).stream().pipeThrough(new CompressionStream("deflate")),
    )
      .arrayBuffer(),
  );
  return concat(
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", ihdr),
    pngChunk("IDAT", deflated),
    pngChunk("IEND", new Uint8Array(0)),
  );
}

/**
 * A decompression bomb: a valid grey PNG header claiming `size`×`size` pixels
 * (20,000² = 400 MP by default) over a few KB of compressed zero rows.
 */
export function pngBomb(size = 20_000): Promise<Uint8Array> {
  // Sixteen rows of zeros: the file stays small, the header says it is huge.
  return greyPng(size, size, new Uint8Array((size + 1) * 16));
}

/**
 * A real, decodable PNG of `width`×`height` white grey pixels: a few KB on
 * disk however many pixels it decodes to (for memory and aspect-ratio tests).
 */
export function blankPng(width: number, height: number): Promise<Uint8Array> {
  const rows = new Uint8Array((width + 1) * height).fill(255);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter: none
  return greyPng(width, height, rows);
}

/**
 * A 24×48 GIF of 1.6 KB, found by the fuzz test (seed 3), on which omggif's
 * LZW decoder loops forever: its code table chases itself in a cycle.
 */
export const GIF_LZW_LOOP = fromBase64(
  "R0lGODlhGAAwAIcAAAAAAAEBAQICAgMDAwQEBAUFBQYGBgcHBwgICAkJCQoKCgsLCwwMDA0NDQ4ODg8PDxAQEBERERIS" +
    "EhMTExQUFBUVFRYWFhcXFxgYGBkZGRoaGhsbGxwcHB0dHR4eHh8fHyAgICEhISIiIiMjIyQkJCUlJSYmJicnJygoKCkp" +
    "KSoqKisrKywsLC0tLS4uLi8vLzAwMDExMTIyMjMzMzQ0NDU1NTY2Njc3Nzg4ODk5OTo6Ojs7Ozw8PD09PT4+Pj8/P0BA" +
    "QEFBQUJCQkNDQ0REREVFRUZGRkdHR0hISElJSUpKSktLS0xMTE1NTU5OTk9PT1BQUFFRUVJSUlNTU1RUVFVVVVZWVldX" +
    "V1hYWFlZWVpaWltbW1xcXF1dXV5eXl9fX2BgYGFhYWJiYmNjY2RkMmVlZWZmZmdnZ2hoaGlpaWpqamtra2xsbG1tbW5u" +
    "bm9vb3BwcHFxcXJycnNzc3R0dHV1dXZ2dnd3d3h4eHl5eXp6ent7e3x8fH19fX5+fn9/f4CAgIGBgYKCgoODg4SEhIWF" +
    "hYaGhoeHh4iIiImJiYqKiouLi4yMjI2NjY6Ojo+Pj5CQkJGRkZKSkpOTk5SUlJWVlZaWlpeXl5iYmJmZmZqampubm5yc" +
    "nJ2dnZ6enp+fwaCgoKGhoaKioqOjo6SkpKWlpaampqenp6ioqKmpqaqqqqurq6ysrK2tra6urq+vr7CwsLGxsbKysrOz" +
    "s7S0tLW1tba2tre3t7i4uLm5ubq6uru7u7y8vL29vb6+vr+/v8DAwMHBwcLCwsPDw8TExMXFxcbGxsfHx8jIyMnJycrK" +
    "ysvLy8zMzM3czc7Ozs/Pz9DQ0NHR0dLS0tPT09TU1NXV1dbW1tfX19jY2NnZ2dra2tvb29zc3N3d3d7e3t/f3+Dg4OHh" +
    "4eLi4uPj4+Tk5OXl5ebm5ufn5+jo6Onp6erq6uvr6+zs7O3t7e7u7u/v7/Dw8PHx8fLy8vPz8/T09PX19fb29vf39/j4" +
    "+Pn5+fr6+vv7+/z8/P39/f7+/v///ywAAAAAGAAwAAAI/wD/wXv3ryC/f/oKFmz3r19Be//WNWSnEB/BfxDnKcynxuM/" +
    "ju32ISy4Dx/Eew/dyXu3zt8/fB4F2lsH8R/Fh6fg4UNpcGJBjf/ouYP3L94+eh7vzfPXLx5KovaQvrzn0Ga9eP/2ubuI" +
    "D59GmB1FRmR3kx08if+uXhQpsWrBm1jXyZMIER48ef/miYzn0iMlJ2EU8nTX8CPGoP3WObxXD4DjVgXfOYyLl2jHe+z8" +
    "fXFMgBXegvLu1ZTYF3NBaQ8cl6CXsCC9fvz62hSrkAoDx6Pu0WaHN54+f/v29cNXT2MtxwC4ZM0Xbx5HhYQ7rnOXrwiA" +
    "BRGs3bvHL946fDcLSv/8XNAUAgAO3Egl3/Em2oIaADBgwC2islz0YPaj3c/dwXz5OMJZInl54lgX+5ylzz5o4ZUPPdUg" +
    "N4Jd/xDiWAJSxfZPOwnVU1AdjhnAyXOHAHAAAAV5qNBF8zizgAMHoLAOR/rIoQAAFyhEUT/6uMPQPUowsAACq0jkXxgA" +
    "FBCAQiX5E908ySCnRVZ5/dMGAAZIEBNR/tgjRAQTAEDMk//IAQABE7z1TnjxhOLYA05Q+ZMgAExAQD0quiMcQigEkGQ1" +
    "I/3jDz9xIOeRh/WQwVkRf7TxRSGFkKHHDkkCcEcaZtRymDwDIIfAAAQAkAAANyLgp2MODKBAVv3EAoAEB1D/cOMAEBQA" +
    "gKwGRDAqcg40c9U/Kph4awAJXPABAA+AgFwAFkQAAB3/+KcQPeTJ4w89TIFoYkHwEMZclUySpNAdyBrwjzxI+TMPYa1R" +
    "ZI9vgarhWAMaHfSQPYSJBFZaPc6TR6goRndRQYT1pRFQ/5hhYgAiSbYPQ/v48w61AhWEVUFlzAsPSvfEI09C+9izb1WK" +
    "lQlABBEoZBlG7+jjlkf6gGHrkgQJldM7BfPDUFE4u/SInzI4qBBQN6FkLUcqxkHDKvugJNFN8BzETmtcFYRSPgTV9M/V" +
    "goIWUzvyPNcQdfnIp9C7n7nj4dkMcYRuPbLZs25hGw5cEFj+5PMwPfPAQZMPO+/Q9lI/7spd1T54oQSRSDzJ/90/79hD" +
    "Gz324vWZWeuws7NC7fBUUEIc7VPPOu+0w5A/eP22NcGf5dMUXgEBADs=",
);

/** A minimal SVG drawing (refused: script-capable, not a photo). */
export const SVG_BYTES = new TextEncoder().encode(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' +
    '<text y="9">7</text></svg>',
);

/** The start of a little-endian TIFF (recognised but not supported). */
export const TIFF_BYTES = concat(
  new Uint8Array([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]),
  new Uint8Array(64),
);

/** A multipart body with `files` as `image` fields (or `field`), built by the platform. */
export function multipart(
  files: { bytes: Uint8Array; name: string; type?: string }[],
  field = "image",
): FormData {
  const form = new FormData();
  for (const f of files) {
    form.append(field, new File([f.bytes as BlobPart], f.name, { type: f.type ?? "image/png" }));
  }
  return form;
}
