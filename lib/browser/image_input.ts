/**
 * Image files → pixels the recognizer can read, in the recognition worker or
 * on the page. The browser's own decoder does the work (PNG, JPEG, WebP, GIF,
 * BMP, and HEIC where Safari can), EXIF orientation is honoured
 * (`imageOrientation: "from-image"`), and a 12+ MP photo is decoded straight
 * to the size preprocessing works at, so the pixels are never resampled
 * again. A large JPEG goes through WebCodecs' `ImageDecoder` with a desired
 * size, which decodes it at a reduced scale (libjpeg's DCT scaling: a 12 MP
 * photo costs about a sixth of its full decode), and only the last ≤ 2× shrink
 * is drawn; elsewhere `createImageBitmap`'s resizeWidth and resizeHeight
 * shrink it (after a full decode). Every failure is an `InputError` whose
 * message can be shown to the user as it is.
 */
import { imageSize } from "image-size";
import { workingSide } from "../core/preprocess.ts";
import {
  isUnsupportedFormat,
  SNIFF_BYTES,
  type SniffedFormat,
  sniffImageFormat,
} from "../core/image_format.ts";

/** Files above this are refused before reading them. */
export const MAX_FILE_BYTES = 40 * 1024 * 1024;
/** Images with more pixels than this are refused (a 48 MP photo fits; a decompression bomb does not). */
export const MAX_PIXELS = 50_000_000;

/** A problem with the user's input, with a message meant for them. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/**
 * The size to decode a `width`×`height` image at: preprocessing's working
 * size, rounded down so that preprocessing takes it as it is.
 */
export function decodeSize(width: number, height: number): [number, number] {
  const scale = Math.min(1, workingSide(width, height) / Math.max(width, height));
  return [Math.max(1, Math.floor(width * scale)), Math.max(1, Math.floor(height * scale))];
}

/** A 2D context to draw into: an OffscreenCanvas where there is one (always in a worker). */
export function canvas2d(
  width: number,
  height: number,
): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  let ctx: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
  if (typeof OffscreenCanvas === "function") {
    ctx = new OffscreenCanvas(width, height).getContext("2d", { willReadFrequently: true });
  } else {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    ctx = canvas.getContext("2d", { willReadFrequently: true });
  }
  if (!ctx) throw new InputError("This browser cannot draw images (no 2D canvas).");
  return ctx;
}

/** A decoded image: the pixels for recognition and the original's size. */
export interface DecodedImage {
  pixels: ImageData;
  /** Width and height of the photo as displayed (after EXIF rotation). */
  naturalWidth: number;
  naturalHeight: number;
}

/**
 * Draws `source` into a canvas of `width`×`height` (a new one, or `ctx`'s,
 * which must be that size) and returns its RGBA pixels.
 */
export function rasterize(
  source: CanvasImageSource,
  width: number,
  height: number,
  ctx = canvas2d(width, height),
): ImageData {
  // Transparent pixels become white, as they look on the page (a PNG digit on a clear background).
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(source, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

async function decodeWithImageElement(blob: Blob): Promise<HTMLImageElement> {
  const url = URL.createObjectURL(blob);
  try {
    const img = new Image();
    img.src = url;
    await img.decode(); // <img> applies EXIF orientation by default (image-orientation: from-image).
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

function describe(kind: SniffedFormat | null): string {
  if (kind === null) return "This file is not an image. Choose a PNG, JPEG, WebP, GIF or BMP.";
  if (kind === "svg") return "SVG drawings are not supported. Choose a photo or a PNG/JPEG image.";
  if (isUnsupportedFormat(kind)) {
    // As the API says (unsupported_format); a browser that can open HEIC or AVIF still does.
    return `${kind.toUpperCase()} images are not supported here. Choose a JPEG or PNG instead.`;
  }
  return `This ${kind.toUpperCase()} image is damaged or incomplete and cannot be read.`;
}

/** EXIF orientations 5–8 turn the picture a quarter: width and height swap. */
const QUARTER_TURNS = new Set([5, 6, 7, 8]);

/** An image's size from its file header. */
interface HeaderSize {
  /** Width and height as displayed (EXIF orientation applied). */
  shown: [number, number];
  /** Width and height as stored. */
  stored: [number, number];
}

/** The image's size from the file's header alone; null when it does not say (HEIC on some browsers). */
async function headerSize(file: Blob): Promise<HeaderSize | null> {
  // JPEG's EXIF block comes first and is at most 64 KB; then the frame header.
  for (const bytes of [256 * 1024, file.size]) {
    try {
      const info = imageSize(new Uint8Array(await file.slice(0, bytes).arrayBuffer()));
      if (!info.width || !info.height) continue;
      const stored: [number, number] = [info.width, info.height];
      const turned = QUARTER_TURNS.has(info.orientation ?? 1);
      return { shown: turned ? [info.height, info.width] : stored, stored };
    } catch {
      if (bytes >= file.size) break;
    }
  }
  return null;
}

/**
 * A JPEG at least twice the working size, decoded at a reduced scale by
 * WebCodecs' `ImageDecoder` (its desired size, in stored orientation, lets
 * libjpeg skip most of the work) and drawn at the working size; null where
 * there is no `ImageDecoder` or it fails, for the caller to decode as usual.
 * The frame carries the EXIF turn, which drawing applies.
 */
async function decodeScaledJpeg(file: Blob, size: HeaderSize): Promise<ImageData | null> {
  const [w, h] = decodeSize(size.shown[0], size.shown[1]);
  if (typeof ImageDecoder !== "function" || 2 * w > size.shown[0]) return null;
  const scale = w / size.shown[0];
  let decoder: ImageDecoder | undefined;
  try {
    if (!(await ImageDecoder.isTypeSupported("image/jpeg"))) return null;
    decoder = new ImageDecoder({
      data: file.stream(),
      type: "image/jpeg",
      desiredWidth: Math.ceil(size.stored[0] * scale),
      desiredHeight: Math.ceil(size.stored[1] * scale),
    });
    const { image } = await decoder.decode();
    try {
      // A decoder that turned the picture otherwise than the header says: decode as usual.
      const sideways = (image.displayWidth > image.displayHeight) !== (w > h);
      if (w !== h && sideways) return null;
      return rasterize(image, w, h);
    } finally {
      image.close();
    }
  } catch {
    return null;
  } finally {
    decoder?.close();
  }
}

function checkPixels(width: number, height: number, kind: SniffedFormat): void {
  if (!(width > 0 && height > 0)) throw new InputError(describe(kind));
  if (width * height > MAX_PIXELS) {
    const mp = Math.round(width * height / 1e6);
    throw new InputError(`This image is too large (${mp} megapixels). The limit is 50.`);
  }
}

/**
 * Decodes an image file, honouring EXIF orientation, straight to
 * preprocessing's working size (`decodeSize`). Throws `InputError` with a
 * clear message for empty, huge, non-image, unsupported and corrupt files.
 */
export async function decodeImageFile(file: Blob): Promise<DecodedImage> {
  if (file.size === 0) throw new InputError("This file is empty.");
  if (file.size > MAX_FILE_BYTES) {
    const mb = (file.size / 1024 / 1024).toFixed(0);
    throw new InputError(`This file is too large (${mb} MB). The limit is 40 MB.`);
  }
  const kind = sniffImageFormat(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()));
  if (kind === null || kind === "svg") throw new InputError(describe(kind));
  const size = await headerSize(file);
  const shown = size?.shown ?? null;
  if (shown) checkPixels(shown[0], shown[1], kind); // Before decoding a decompression bomb.
  if (size && kind === "jpeg") {
    const pixels = await decodeScaledJpeg(file, size);
    if (pixels) return { pixels, naturalWidth: shown![0], naturalHeight: shown![1] };
  }
  let source: ImageBitmap | HTMLImageElement;
  try {
    source = await decodeBitmap(file, shown);
  } catch (e) {
    // Old Safari lacks the options argument (TypeError); an <img> still decodes and rotates.
    if (
      !(e instanceof TypeError) && typeof createImageBitmap === "function" ||
      typeof document === "undefined"
    ) {
      throw new InputError(describe(kind));
    }
    try {
      source = await decodeWithImageElement(file);
    } catch {
      throw new InputError(describe(kind));
    }
  }
  try {
    const width = shown?.[0] ?? ("naturalWidth" in source ? source.naturalWidth : source.width);
    const height = shown?.[1] ?? ("naturalHeight" in source ? source.naturalHeight : source.height);
    checkPixels(width, height, kind);
    const [w, h] = decodeSize(width, height);
    return { pixels: rasterize(source, w, h), naturalWidth: width, naturalHeight: height };
  } finally {
    if ("close" in source) source.close();
  }
}

/**
 * The browser's decoder, shrinking to the working size in the same step
 * when the displayed size is known.
 */
async function decodeBitmap(file: Blob, shown: [number, number] | null): Promise<ImageBitmap> {
  if (!shown) return await createImageBitmap(file, { imageOrientation: "from-image" });
  const [w, h] = decodeSize(shown[0], shown[1]);
  if (w === shown[0] && h === shown[1]) {
    return await createImageBitmap(file, { imageOrientation: "from-image" });
  }
  const options: ImageBitmapOptions = {
    imageOrientation: "from-image",
    resizeWidth: w,
    resizeHeight: h,
    resizeQuality: "high",
  };
  const bitmap = await createImageBitmap(file, options);
  if (bitmap.width === w && bitmap.height === h) return bitmap;
  // A browser that resizes before turning the picture by its EXIF orientation: ask the other way.
  bitmap.close();
  return await createImageBitmap(file, { ...options, resizeWidth: h, resizeHeight: w });
}

/** The files in a drop, a paste or a file input (all of them: non-images get a message each). */
export function filesOf(list: FileList | DataTransferItemList | null | undefined): File[] {
  if (!list) return [];
  const out: File[] = [];
  for (const item of Array.from(list as ArrayLike<File | DataTransferItem>)) {
    const file = item instanceof File ? item : item.kind === "file" ? item.getAsFile() : null;
    if (file) out.push(file);
  }
  return out;
}
