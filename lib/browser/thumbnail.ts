/** Small JPEG thumbnails for the history (a Blob of a few KB, never a data URL). */

/** Longer side of a thumbnail, in pixels. */
export const THUMB_SIDE = 96;

/** The size of a thumbnail of a `width`×`height` image. */
export function thumbnailSize(width: number, height: number, side = THUMB_SIDE): [number, number] {
  const scale = Math.min(1, side / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** Encodes a small JPEG of `pixels` (RGBA). */
export function makeThumbnail(pixels: ImageData): Promise<Blob> {
  const full = document.createElement("canvas");
  full.width = pixels.width;
  full.height = pixels.height;
  full.getContext("2d")!.putImageData(pixels, 0, 0);
  const [w, h] = thumbnailSize(pixels.width, pixels.height);
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
      0.8,
    )
  );
}
