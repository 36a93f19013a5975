/**
 * JPEG copies of an image for the history (Blobs, never data URLs): a small
 * thumbnail for lists and a larger image in which a photographed number stays
 * readable when the entry is reopened.
 */

/** Longer side of a thumbnail, in pixels. */
export const THUMB_SIDE = 96;
/** Longer side of the kept image, in pixels. */
export const IMAGE_SIDE = 1024;

/** The size of a thumbnail of a `width`×`height` image. */
export function thumbnailSize(width: number, height: number, side = THUMB_SIDE): [number, number] {
  const scale = Math.min(1, side / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** Encodes a JPEG of `pixels` (RGBA), scaled down to `side` pixels on its longer side. */
export function makeThumbnail(pixels: ImageData, side = THUMB_SIDE): Promise<Blob> {
  const full = document.createElement("canvas");
  full.width = pixels.width;
  full.height = pixels.height;
  full.getContext("2d")!.putImageData(pixels, 0, 0);
  const [w, h] = thumbnailSize(pixels.width, pixels.height, side);
  const small = document.createElement("canvas");
  small.width = w;
  small.height = h;
  const ctx = small.getContext("2d")!;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(full, 0, 0, w, h);
  return new Promise((resolve, reject) =>
    small.toBlob(
      (b) => b ? resolve(b) : reject(new Error("thumbnail encoding failed")),
      "image/jpeg",
      side > THUMB_SIDE ? 0.85 : 0.8,
    )
  );
}
