/**
 * Checks an uploaded image from its bytes alone, before any decoding: the
 * format is sniffed from the magic bytes (a Content-Type header or a file
 * name is never trusted) and the pixel count is read from the header, so a
 * decompression bomb is refused without allocating its pixels. Also maps the
 * decoder's error codes to HTTP answers, in one place.
 */
import omggif from "omggif";
import { ImageDecodeError, type ImageInfo, readImageInfo } from "./decode_image.ts";
import { ApiError } from "./api_error.ts";

/** HTTP status and API code for each `ImageDecodeError` code. */
const DECODE_ERRORS: Record<ImageDecodeError["code"], [number, string]> = {
  empty: [422, "empty"],
  not_an_image: [422, "not_an_image"],
  svg: [422, "svg"],
  truncated: [422, "truncated"],
  corrupt: [422, "corrupt"],
  // Recognised but not decodable here (TIFF, HEIC, AVIF): the media type is the problem.
  unsupported_format: [415, "unsupported_format"],
  too_large: [413, "too_many_pixels"],
};

/** The `ApiError` for a decoder failure; other errors are returned unchanged. */
export function toApiError(error: unknown): unknown {
  if (!(error instanceof ImageDecodeError)) return error;
  const [status, code] = DECODE_ERRORS[error.code] ?? [422, "corrupt"];
  return new ApiError(status, code, error.message);
}

/**
 * Reads format and size from the header of `bytes` and checks the pixel
 * count against `maxPixels` and the shape against `maxAspectRatio`. Throws
 * `ApiError` (413 `too_many_pixels`, 413 `bad_aspect_ratio`, 415
 * `unsupported_format`, 422 `empty`/`not_an_image`/`svg`/`truncated`/`corrupt`).
 */
export function inspectImage(
  bytes: Uint8Array,
  maxPixels: number,
  maxAspectRatio = Infinity,
): ImageInfo {
  let info: ImageInfo;
  try {
    info = readImageInfo(bytes);
  } catch (error) {
    throw toApiError(error);
  }
  const pixels = info.width * info.height;
  if (pixels > maxPixels) {
    throw new ApiError(
      413,
      "too_many_pixels",
      `The image is ${info.width}×${info.height} (${(pixels / 1e6).toFixed(1)} MP); ` +
        `the limit is ${(maxPixels / 1e6).toFixed(1)} MP.`,
    );
  }
  // Decoding and preprocessing cost grows with the longest side too: a
  // 50,000,000×1 line is within any pixel limit and no photo of a digit.
  const ratio = Math.max(info.width, info.height) / Math.min(info.width, info.height);
  if (ratio > maxAspectRatio) {
    throw new ApiError(
      413,
      "bad_aspect_ratio",
      `The image is ${info.width}×${info.height}: one side is ${Math.round(ratio)} times the ` +
        `other; the limit is ${maxAspectRatio}.`,
    );
  }
  if (info.format === "gif") checkGifFrame(bytes, info);
  return info;
}

/** The part of omggif's reader used here (the package ships no types). */
interface GifFrames {
  frameInfo(n: number): { x: number; y: number; width: number; height: number };
}

/**
 * A GIF's first frame has its own size, apart from the screen size in the
 * header, and the decoder allocates and walks that many pixels: a frame of
 * 60,000² in a 30×30 GIF of 1 KB would take minutes. The frame must lie
 * within the screen. Parsing the block structure touches no pixel data.
 */
function checkGifFrame(bytes: Uint8Array, info: ImageInfo) {
  let frame;
  try {
    const Reader = (omggif as unknown as { GifReader: new (b: Uint8Array) => GifFrames }).GifReader;
    frame = new Reader(bytes).frameInfo(0);
  } catch (error) {
    throw new ApiError(
      422,
      "corrupt",
      `Cannot read the GIF's frames: the file is truncated or corrupt (${
        (error as Error).message
      }).`,
    );
  }
  if (frame.x + frame.width > info.width || frame.y + frame.height > info.height) {
    throw new ApiError(
      422,
      "corrupt",
      `The GIF's first frame (${frame.width}×${frame.height} at ${frame.x},${frame.y}) ` +
        `lies outside its ${info.width}×${info.height} screen: the file is corrupt.`,
    );
  }
}
