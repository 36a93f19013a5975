/**
 * Checks an uploaded image from its bytes alone, before any decoding: the
 * format is sniffed from the magic bytes (a Content-Type header or a file
 * name is never trusted) and the pixel count is read from the header, so a
 * decompression bomb is refused without allocating its pixels. Also maps the
 * decoder's error codes to HTTP answers, in one place.
 */
import { ImageDecodeError, type ImageInfo, read_image_info } from "../decode_image.ts";
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
 * count against `maxPixels`. Throws `ApiError` (413 `too_many_pixels`,
 * 415 `unsupported_format`, 422 `empty`/`not_an_image`/`svg`/`truncated`/`corrupt`).
 */
export function inspectImage(bytes: Uint8Array, maxPixels: number): ImageInfo {
  let info: ImageInfo;
  try {
    info = read_image_info(bytes);
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
  return info;
}
