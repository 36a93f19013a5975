/**
 * Server-side image decoding: bytes of an uploaded file → RGBA pixels.
 *
 * The work is split in two so that callers can refuse oversized uploads
 * cheaply: `readImageInfo` sniffs the format from the magic bytes and reads
 * the dimensions from the header without decoding anything, and
 * `decodeImage` refuses to decode beyond `max_pixels` before allocating.
 * EXIF orientation (JPEG) is applied, so the pixels come out the way a phone
 * shows the photo. Every failure is an `ImageDecodeError` with a `code`, so
 * the HTTP layer and the CLI can map it to a clear message.
 *
 * Decoders are well-kept npm packages: fast-png, omggif and decode-bmp (pure
 * JS), MozJPEG compiled to wasm (@jsquash/jpeg: about ten times faster than
 * pure-JS jpeg-js on a phone photo, which remains the fallback) and libwebp
 * compiled to wasm (@cwasm/webp). The wasm decoders load lazily, on first use.
 */
import { imageSize } from "image-size";
import { decode as decode_png_lib } from "fast-png";
import jpeg from "jpeg-js";
import omggif from "omggif";
import decode_bmp_lib from "decode-bmp";
import type { RgbaImage } from "../core/image_types.ts";
import { minimumScanBytes, readJpegFrame } from "./jpeg_frame.ts";
import { type ImageFormat, isUnsupportedFormat, sniffImageFormat } from "../core/image_format.ts";

/** Why an image could not be read. */
export type ImageDecodeErrorCode =
  | "empty"
  | "not_an_image"
  | "svg"
  | "unsupported_format"
  | "truncated"
  | "corrupt"
  | "too_large";

/** A failure to read an image; `code` says which kind, `message` explains. */
export class ImageDecodeError extends Error {
  /** Machine-readable kind of failure. */
  readonly code: ImageDecodeErrorCode;
  constructor(code: ImageDecodeErrorCode, message: string) {
    super(message);
    this.name = "ImageDecodeError";
    this.code = code;
  }
}

/** What the header says, read without decoding the pixels. */
export interface ImageInfo {
  format: ImageFormat;
  /** Stored size, before EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1–8 (1 = as stored). */
  orientation: number;
  /** Size once the orientation is applied (width and height swap for 5–8). */
  displayWidth: number;
  displayHeight: number;
}

/** Options for `decodeImage`. */
export interface DecodeOptions {
  /** Refuse images with more pixels than this (default 50 million). */
  maxPixels?: number;
  /**
   * Fewest pixels the caller needs: a larger JPEG may be decoded at 1/2,
   * 1/4 or 1/8 of its size (libjpeg's DCT scaling, far faster than a full
   * decode), never below this. Other formats always decode in full.
   */
  minPixels?: number;
}

/** A decoded image and the factor it was shrunk by while decoding (1: full size). */
export interface ScaledImage {
  image: RgbaImage;
  /** Original size ÷ decoded size (1, 2, 4 or 8). */
  scale: number;
}

/** Default pixel limit: a 48 MP phone photo fits, a decompression bomb does not. */
export const DEFAULT_MAX_PIXELS = 50_000_000;

/**
 * Reads format, dimensions and orientation from the header only, allocating
 * nothing proportional to the pixel count. Throws `ImageDecodeError` for
 * empty input, non-images, SVG, unsupported formats and unreadable headers.
 */
export function readImageInfo(bytes: Uint8Array): ImageInfo {
  if (bytes.length === 0) throw new ImageDecodeError("empty", "The file is empty (0 bytes).");
  const format = sniffImageFormat(bytes);
  if (format === "svg") {
    throw new ImageDecodeError(
      "svg",
      "SVG drawings are not accepted: upload a photo or a PNG/JPEG/WebP/GIF/BMP image.",
    );
  }
  if (isUnsupportedFormat(format)) {
    throw new ImageDecodeError(
      "unsupported_format",
      `${format.toUpperCase()} images are not supported: use PNG, JPEG, WebP, GIF or BMP.`,
    );
  }
  if (format === null) {
    throw new ImageDecodeError(
      "not_an_image",
      "Not an image: the data is not PNG, JPEG, WebP, GIF or BMP.",
    );
  }
  let size: { width?: number; height?: number; orientation?: number };
  try {
    // image-size reads through a DataView over the whole underlying buffer,
    // so a subarray could let it read past its end: hand it an exact view.
    const exact = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes
      : bytes.slice();
    size = imageSize(exact);
  } catch (e) {
    // A damaged EXIF block throws in image-size, yet the picture may be
    // fine: take the size from the frame header and ignore the orientation.
    const frame = format === "jpeg" ? readJpegFrame(bytes) : null;
    if (frame && frame.width > 0 && frame.height > 0) {
      return jpegInfo(bytes, frame.width, frame.height, 1);
    }
    throw new ImageDecodeError(
      bytes.length < 64 ? "truncated" : "corrupt",
      `Cannot read the ${format.toUpperCase()} header: the file is truncated or corrupt (${
        (e as Error).message
      }).`,
    );
  }
  const width = size.width ?? 0;
  const height = size.height ?? 0;
  if (!(width > 0 && height > 0)) {
    throw new ImageDecodeError("corrupt", `The ${format.toUpperCase()} header has no valid size.`);
  }
  const orientation = format === "jpeg" && size.orientation && size.orientation >= 1 &&
      size.orientation <= 8
    ? size.orientation
    : 1;
  if (format === "jpeg") return jpegInfo(bytes, width, height, orientation);
  return infoOf(format, width, height, orientation);
}

function infoOf(
  format: ImageFormat,
  width: number,
  height: number,
  orientation: number,
): ImageInfo {
  const swap = orientation >= 5;
  return {
    format,
    width,
    height,
    orientation,
    displayWidth: swap ? height : width,
    displayHeight: swap ? width : height,
  };
}

/**
 * A JPEG's info, refused as truncated when its data is too short for its
 * size: libjpeg would "decode" it, inventing grey for the missing blocks.
 */
function jpegInfo(
  bytes: Uint8Array,
  width: number,
  height: number,
  orientation: number,
): ImageInfo {
  const frame = readJpegFrame(bytes);
  if (frame && frame.width === width && frame.height === height) {
    const needed = minimumScanBytes(frame);
    if (bytes.length - frame.scanStart < needed) {
      throw new ImageDecodeError(
        "truncated",
        `The JPEG is truncated: a ${width}×${height} image needs at least ${needed} bytes of ` +
          `image data, the file holds ${Math.max(0, bytes.length - frame.scanStart)}.`,
      );
    }
  }
  return infoOf("jpeg", width, height, orientation);
}

/**
 * Decodes PNG, JPEG, WebP, GIF (first frame) or BMP bytes to RGBA with EXIF
 * orientation applied. Checks the header's pixel count against
 * `max_pixels` before decoding. Throws `ImageDecodeError`.
 */
export async function decodeImage(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Promise<RgbaImage> {
  // Full size always: callers of this function read coordinates in the file's pixels.
  return (await decodeImageScaled(bytes, { maxPixels: options.maxPixels })).image;
}

/**
 * Like `decodeImage`, but a large JPEG is decoded at a reduced scale when
 * `minPixels` allows (see DecodeOptions): coordinates in the result are then
 * `scale` times smaller than in the file.
 */
export async function decodeImageScaled(
  bytes: Uint8Array,
  options: DecodeOptions = {},
  known?: ImageInfo,
): Promise<ScaledImage> {
  const info = known ?? readImageInfo(bytes);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (info.width * info.height > maxPixels) {
    throw new ImageDecodeError(
      "too_large",
      `The image is ${info.width}×${info.height} (${
        ((info.width * info.height) / 1e6).toFixed(1)
      } MP); the limit is ${(maxPixels / 1e6).toFixed(1)} MP.`,
    );
  }
  const scale = info.format === "jpeg" ? jpegScale(info, options.minPixels) : 1;
  if (scale > 1) {
    const shrunk = await decodeJpegShrunk(bytes, info, scale);
    if (shrunk) return { image: applyOrientation(shrunk, info.orientation), scale };
  }
  let image: RgbaImage;
  try {
    image = await decodePixels(info.format, bytes, maxPixels);
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    const truncated = lacksEndMarker(info.format, bytes);
    throw new ImageDecodeError(
      truncated ? "truncated" : "corrupt",
      `Cannot decode the ${info.format.toUpperCase()} image: ${
        truncated ? "the file is truncated" : "the data is corrupt"
      } (${(e as Error).message}).`,
    );
  }
  if (image.width !== info.width || image.height !== info.height) {
    throw new ImageDecodeError("corrupt", "The decoded size disagrees with the header.");
  }
  return { image: applyOrientation(image, info.orientation), scale: 1 };
}

/**
 * Loads the decoders that otherwise load on first use (libvips through
 * sharp, MozJPEG and libwebp as wasm) and runs each once on a tiny image, so
 * that the first upload a fresh decoder process gets is not charged their
 * start-up: under a short deadline on a busy machine that alone could time
 * it out, and the replacement process would start cold again.
 */
export async function warmDecoders(): Promise<void> {
  const tiny = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(255) };
  const jpegBytes = new Uint8Array(jpeg.encode(tiny, 90).data);
  const info = readImageInfo(jpegBytes);
  await decodeJpegShrunk(jpegBytes, info, 2);
  await decodePixels("jpeg", jpegBytes, DEFAULT_MAX_PIXELS);
  try {
    await import("@cwasm/webp");
  } catch {
    // Reported with the first WebP upload instead.
  }
}

/** The largest DCT scale (2, 4 or 8) that still leaves `minPixels`; 1 for none. */
function jpegScale(info: ImageInfo, minPixels: number | undefined): number {
  if (!minPixels) return 1;
  for (const s of [8, 4, 2]) {
    if (Math.ceil(info.width / s) * Math.ceil(info.height / s) >= minPixels) return s;
  }
  return 1;
}

/**
 * Decodes a JPEG at 1/`scale` of its size with libvips' shrink-on-load
 * (libjpeg DCT scaling: the skipped coefficients are never computed), as
 * stored (orientation not applied). Null where sharp cannot run here or
 * refuses the file: the caller then decodes in full, with its own errors.
 */
async function decodeJpegShrunk(
  bytes: Uint8Array,
  info: ImageInfo,
  scale: number,
): Promise<RgbaImage | null> {
  try {
    const { default: sharp } = await import("sharp");
    const width = Math.ceil(info.width / scale), height = Math.ceil(info.height / scale);
    const { data, info: out } = await sharp(bytes, { failOn: "error", autoOrient: false })
      .resize(width, height, { fit: "fill", fastShrinkOnLoad: true, kernel: "nearest" })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (out.channels !== 4) return null;
    return {
      width: out.width,
      height: out.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      channels: 4,
    };
  } catch {
    return null;
  }
}

async function decodePixels(
  format: ImageFormat,
  bytes: Uint8Array,
  maxPixels: number,
): Promise<RgbaImage> {
  switch (format) {
    case "png":
      return pngToRgba(decode_png_lib(bytes));
    case "jpeg": {
      // libjpeg decodes a cut-off file "successfully", greying the missing
      // rows (with a warning on stderr): refuse it upfront instead.
      if (lacksEndMarker("jpeg", bytes)) {
        throw new ImageDecodeError("truncated", "The JPEG file is truncated.");
      }
      try {
        const { default: decodeMozjpeg } = await import("@jsquash/jpeg/decode.js");
        const out = await decodeMozjpeg(exactBuffer(bytes));
        return {
          width: out.width,
          height: out.height,
          data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength),
          channels: 4,
        };
      } catch {
        // Fall through to jpeg-js: it reports its own errors for bad data,
        // and it works where the wasm module cannot load.
      }
      const out = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: Math.ceil(maxPixels / 1e6),
        maxMemoryUsageInMB: Math.ceil((maxPixels * 4 * 2) / 2 ** 20) + 64,
      });
      return { width: out.width, height: out.height, data: out.data, channels: 4 };
    }
    case "gif": {
      const reader = new (omggif as unknown as OmggifModule).GifReader(bytes);
      const data = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(0, data);
      return { width: reader.width, height: reader.height, data, channels: 4 };
    }
    case "bmp": {
      const out = decode_bmp_lib(bytes);
      return {
        width: out.width,
        height: out.height,
        data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength),
        channels: 4,
      };
    }
    case "webp": {
      const { decode } = await import("@cwasm/webp");
      const out = decode(bytes);
      return {
        width: out.width,
        height: out.height,
        data: new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength),
        channels: 4,
      };
    }
  }
}

/** An ArrayBuffer holding exactly `bytes` (a copy only when it is a view on a larger one). */
function exactBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes.buffer as ArrayBuffer
    : bytes.slice().buffer;
}

/** The subset of omggif's API used here (the package ships no types). */
interface OmggifModule {
  GifReader: new (bytes: Uint8Array) => {
    width: number;
    height: number;
    decodeAndBlitFrameRGBA(frame: number, pixels: Uint8Array): void;
  };
}

/** fast-png returns 1–4 channels at 1–16 bits, possibly palette-indexed. */
function pngToRgba(png: ReturnType<typeof decode_png_lib>): RgbaImage {
  const { width, height, channels, depth } = png;
  const n = width * height;
  const out = new Uint8Array(n * 4);
  const src = png.data;
  if (png.palette) {
    const palette = png.palette;
    // Indexed data stays packed at `depth` bits per pixel, rows byte-aligned.
    const rowBytes = Math.ceil((width * depth) / 8);
    const perByte = 8 / depth;
    const mask = (1 << depth) - 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let index: number;
        if (depth === 8) index = src[y * width + x];
        else {
          const byte = src[y * rowBytes + Math.floor(x / perByte)];
          const shift = 8 - depth * ((x % perByte) + 1);
          index = (byte >> shift) & mask;
        }
        const c = palette[index] ?? [0, 0, 0];
        const o = (y * width + x) * 4;
        out[o] = c[0];
        out[o + 1] = c[1];
        out[o + 2] = c[2];
        out[o + 3] = c.length > 3 ? c[3] : 255;
      }
    }
    return { width, height, data: out, channels: 4 };
  }
  // Non-palette data below 8 bits also stays packed: unpack to 0–255 first.
  let values: ArrayLike<number> = src;
  let max = 255;
  if (depth < 8) {
    const rowBytes = Math.ceil((width * channels * depth) / 8);
    const unpacked = new Uint8Array(n * channels);
    const mask = (1 << depth) - 1;
    for (let y = 0; y < height; y++) {
      for (let i = 0; i < width * channels; i++) {
        const bit = i * depth;
        const byte = src[y * rowBytes + (bit >> 3)];
        unpacked[y * width * channels + i] = (byte >> (8 - depth - (bit & 7))) & mask;
      }
    }
    values = unpacked;
    max = mask;
  } else if (depth === 16) {
    max = 65535;
  }
  const scale = 255 / max;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    const s = i * channels;
    if (channels >= 3) {
      out[o] = values[s] * scale;
      out[o + 1] = values[s + 1] * scale;
      out[o + 2] = values[s + 2] * scale;
      out[o + 3] = channels === 4 ? values[s + 3] * scale : 255;
    } else {
      const g = values[s] * scale;
      out[o] = out[o + 1] = out[o + 2] = g;
      out[o + 3] = channels === 2 ? values[s + 1] * scale : 255;
    }
  }
  return { width, height, data: out, channels: 4 };
}

/** Decoding failed: does the file also lack its format's end marker? */
function lacksEndMarker(format: ImageFormat, b: Uint8Array): boolean {
  const n = b.length;
  switch (format) {
    case "png": // ends with the IEND chunk: "IEND" + CRC
      return !(n >= 12 && b[n - 8] === 0x49 && b[n - 7] === 0x45 && b[n - 6] === 0x4e &&
        b[n - 5] === 0x44);
    case "jpeg": { // ends with EOI (FF D9), sometimes followed by a vendor trailer
      for (let i = n - 2; i >= 2; i--) {
        if (b[i] === 0xff && b[i + 1] === 0xd9) return false;
      }
      return true;
    }
    case "gif":
      return b[n - 1] !== 0x3b;
    case "webp": { // RIFF size field gives the expected length
      const riff = (b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24)) >>> 0;
      return n < riff + 8;
    }
    case "bmp": { // header field: total file size
      const size = (b[2] | (b[3] << 8) | (b[4] << 16) | (b[5] << 24)) >>> 0;
      return size > 0 && n < size;
    }
  }
}

/**
 * Rotates/flips RGBA pixels so that EXIF orientation `o` (1–8) becomes 1.
 * Exported for tests; `decodeImage` calls it.
 */
export function applyOrientation(image: RgbaImage, o: number): RgbaImage {
  if (o <= 1 || o > 8) return image;
  const { width: w, height: h, data } = image;
  const swap = o >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  const out = new Uint8Array(data.length);
  // Whole-pixel moves through 32-bit views; a misaligned view needs a copy.
  const aligned = data.byteOffset % 4 === 0 ? data : data.slice();
  const src32 = new Uint32Array(aligned.buffer, aligned.byteOffset, w * h);
  const dst32 = new Uint32Array(out.buffer);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      // (sx, sy): where output pixel (x, y) comes from in the stored image.
      let sx: number, sy: number;
      switch (o) {
        case 2: // mirrored horizontally
          sx = w - 1 - x;
          sy = y;
          break;
        case 3: // rotated 180°
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4: // mirrored vertically
          sx = x;
          sy = h - 1 - y;
          break;
        case 5: // transposed
          sx = y;
          sy = x;
          break;
        case 6: // stored rotated 90° counter-clockwise: rotate clockwise
          sx = y;
          sy = h - 1 - x;
          break;
        case 7: // transverse
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        default: // 8: stored rotated 90° clockwise: rotate counter-clockwise
          sx = w - 1 - y;
          sy = x;
      }
      dst32[y * ow + x] = src32[sy * w + sx];
    }
  }
  return { width: ow, height: oh, data: out, channels: 4 };
}
