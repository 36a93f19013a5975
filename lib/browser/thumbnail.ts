/**
 * JPEG copies of an image, in the recognition worker or on the page (Blobs,
 * never data URLs): a small thumbnail for the history's lists, and a larger
 * image, in which a photographed number stays readable when the entry is
 * reopened, that is also the result card's preview.
 */
import { canvas2d } from "./image_input.ts";
import { fitWithin } from "../core/fit_within.ts";

/** Longer side of a thumbnail, in pixels. */
export const THUMB_SIDE = 96;
/** Longer side of the kept image, in pixels. */
export const IMAGE_SIDE = 1024;

/** The size of a thumbnail of a `width`×`height` image. */
export function thumbnailSize(width: number, height: number, side = THUMB_SIDE): [number, number] {
  return fitWithin(width, height, side);
}

/** Encodes `pixels` (RGBA) as a JPEG whose longer side is at most `side`. */
export function encodeJpeg(pixels: ImageData, side: number, quality: number): Promise<Blob> {
  const full = canvas2d(pixels.width, pixels.height);
  full.putImageData(pixels, 0, 0);
  const [w, h] = fitWithin(pixels.width, pixels.height, side);
  const small = w === pixels.width && h === pixels.height ? full : canvas2d(w, h);
  if (small !== full) {
    small.imageSmoothingQuality = "high";
    small.drawImage(full.canvas, 0, 0, w, h);
  }
  const canvas = small.canvas;
  if ("convertToBlob" in canvas) return canvas.convertToBlob({ type: "image/jpeg", quality });
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => b ? resolve(b) : reject(new Error("JPEG encoding failed")),
      "image/jpeg",
      quality,
    )
  );
}

/** Encodes a JPEG of `pixels` (RGBA), scaled down to `side` pixels on its longer side. */
export function makeThumbnail(pixels: ImageData, side = THUMB_SIDE): Promise<Blob> {
  return encodeJpeg(pixels, side, side > THUMB_SIDE ? 0.85 : 0.8);
}
