/**
 * Small history thumbnails: an image scaled to fit a square and encoded as a
 * compact Blob (WebP, else JPEG), shrunk until it is at most ~10 KB, so
 * hundreds of history entries cost a few megabytes. Browser only (canvas).
 */

/** Largest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIDE = 160;
/** Size a thumbnail should not exceed, in bytes. */
export const THUMBNAIL_MAX_BYTES = 10 * 1024;

/** What can be turned into a thumbnail. */
export type ThumbnailSource = Blob | ImageBitmap | HTMLCanvasElement | ImageData;

async function toBitmap(source: ThumbnailSource): Promise<ImageBitmap | HTMLCanvasElement> {
  if (source instanceof Blob || source instanceof ImageData) return await createImageBitmap(source);
  return source;
}

function encode(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

/**
 * A thumbnail of `source` at most `side` pixels wide and high, on white (so
 * transparent drawings stay visible), ≤ `maxBytes` where the browser can.
 */
export async function makeThumbnail(
  source: ThumbnailSource,
  side = THUMBNAIL_SIDE,
  maxBytes = THUMBNAIL_MAX_BYTES,
): Promise<Blob> {
  const image = await toBitmap(source);
  let scale = Math.min(1, side / Math.max(image.width, image.height));
  let best: Blob | null = null;
  // Lower the quality first, then the size: digits stay legible at small sizes.
  for (let attempt = 0; attempt < 6; attempt++) {
    const canvas = document.createElement("canvas");
    canvas.width = Math.max(1, Math.round(image.width * scale));
    canvas.height = Math.max(1, Math.round(image.height * scale));
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    for (const quality of [0.8, 0.6, 0.45]) {
      // Browsers that cannot encode WebP hand back a PNG: JPEG is then the better choice.
      let blob = await encode(canvas, "image/webp", quality);
      if (!blob || blob.type !== "image/webp") blob = await encode(canvas, "image/jpeg", quality);
      if (!blob) continue;
      if (!best || blob.size < best.size) best = blob;
      if (blob.size <= maxBytes) return blob;
    }
    scale *= 0.75;
  }
  if (!best) throw new Error("This browser could not encode a thumbnail");
  return best;
}
