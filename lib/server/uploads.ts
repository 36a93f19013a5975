/**
 * Gets the uploaded images out of a prediction request: either the body is
 * one image, or it is `multipart/form-data` with one or more `image` fields.
 * The request's Content-Type only chooses between those two; each image's
 * own type is sniffed from its bytes (see image_check.ts).
 */
import type { ImageInfo } from "./decode_image.ts";
import { ApiError } from "./api_error.ts";
import { inspectImage } from "./image_check.ts";
import type { ApiLimits } from "./limits.ts";
import { readBodyCapped } from "./read_body.ts";
import type { ByteBudget } from "./byte_budget.ts";

/** One uploaded image, checked from its header but not decoded yet. */
export interface Upload {
  /** File name from the multipart part, if it had one. */
  name?: string;
  bytes: Uint8Array;
  info: ImageInfo;
}

/** The form field that carries images in a multipart request. */
export const IMAGE_FIELD = "image";

const HOW_TO =
  "Send one image as the body (e.g. Content-Type: image/png) or multipart/form-data with " +
  `one or more "${IMAGE_FIELD}" file fields.`;

/**
 * Body types taken as one raw image. `image/*` (even one we cannot decode) is
 * accepted here because the bytes decide; octet-stream and no type at all
 * let scripts post a file without knowing its type.
 */
function isRawImageType(mediaType: string): boolean {
  return mediaType === "" || mediaType === "application/octet-stream" ||
    mediaType.startsWith("image/");
}

/**
 * Reads the body (capped, see read_body.ts) and returns its images, each
 * checked by `inspectImage`. Throws `ApiError`: 415 `unsupported_media_type`
 * for a body that is neither an image nor multipart, 400 `bad_multipart` or
 * `no_image`, 413 `too_many_images`, and the body and image errors; an image
 * error of a multipart request says which image (`index`, `name`); 413
 * `too_many_pixels` when the images together exceed `maxRequestPixels`.
 * The body's bytes are reserved from `budget` (see read_body.ts): on success
 * the caller releases `bodyBytes` when done.
 */
export async function readUploads(
  req: Request,
  limits: ApiLimits,
  budget?: ByteBudget,
): Promise<{ multipart: boolean; images: Upload[]; bodyBytes: number }> {
  const contentType = req.headers.get("Content-Type") ?? "";
  const mediaType = contentType.split(";")[0].trim().toLowerCase();
  const multipart = mediaType === "multipart/form-data";
  if (!multipart && !isRawImageType(mediaType)) {
    await req.body?.cancel().catch(() => {});
    throw new ApiError(
      415,
      "unsupported_media_type",
      `A body of type "${mediaType}" is not accepted. ${HOW_TO}`,
    );
  }
  const body = await readBodyCapped(req, {
    maxBytes: limits.maxBodyBytes,
    timeoutMs: limits.bodyTimeoutMs,
    budget,
  });
  try {
    const inspect = (bytes: Uint8Array) =>
      inspectImage(bytes, limits.maxPixels, limits.maxAspectRatio);
    if (!multipart) {
      const images = [{ bytes: body, info: inspect(body) }];
      checkRequestPixels(images, limits.maxRequestPixels);
      return { multipart, images, bodyBytes: body.length };
    }
    const files = await multipartImages(body, contentType, limits.maxImages);
    const images = files.map(({ name, bytes }, index) => {
      try {
        return { name, bytes, info: inspect(bytes) };
      } catch (error) {
        throw withImageContext(error, index, name);
      }
    });
    checkRequestPixels(images, limits.maxRequestPixels);
    return { multipart, images, bodyBytes: body.length };
  } catch (error) {
    budget?.release(body.length);
    throw error;
  }
}

/** The images of one request together may hold at most `maxPixels` (413 `too_many_pixels`). */
function checkRequestPixels(images: Upload[], maxPixels: number) {
  const total = images.reduce((n, { info }) => n + info.width * info.height, 0);
  if (total > maxPixels) {
    throw new ApiError(
      413,
      "too_many_pixels",
      `The ${images.length} images hold ${(total / 1e6).toFixed(1)} MP together; the limit is ` +
        `${(maxPixels / 1e6).toFixed(1)} MP per request.`,
    );
  }
}

/** The `image` fields of a multipart body, as bytes. */
async function multipartImages(
  body: Uint8Array,
  contentType: string,
  maxImages: number,
): Promise<{ name?: string; bytes: Uint8Array }[]> {
  let form: FormData;
  try {
    form = await new Response(body as BodyInit, { headers: { "Content-Type": contentType } })
      .formData();
  } catch {
    throw new ApiError(
      400,
      "bad_multipart",
      "The multipart/form-data body is malformed (check the boundary and the parts).",
    );
  }
  const fields = form.getAll(IMAGE_FIELD);
  if (fields.length === 0) {
    throw new ApiError(400, "no_image", `The form has no "${IMAGE_FIELD}" field. ${HOW_TO}`);
  }
  if (fields.length > maxImages) {
    throw new ApiError(
      413,
      "too_many_images",
      `The form has ${fields.length} images; the limit is ${maxImages} per request.`,
    );
  }
  return await Promise.all(fields.map(async (field) => {
    // A plain text field cannot hold binary data intact; its text goes on to
    // the byte sniffer, which answers not_an_image.
    if (typeof field === "string") return { bytes: new TextEncoder().encode(field) };
    // Names are echoed in answers: keep a hostile one short.
    return {
      name: field.name.slice(0, 200) || undefined,
      bytes: new Uint8Array(await field.arrayBuffer()),
    };
  }));
}

/** Adds which image failed to an `ApiError` from a multipart request. */
export function withImageContext(error: unknown, index: number, name?: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const label = name ? `Image ${index + 1} ("${name}")` : `Image ${index + 1}`;
  return new ApiError(error.status, error.code, `${label}: ${error.message}`, {
    headers: error.headers,
    details: { ...error.details, index, ...(name ? { name } : {}) },
  });
}
