/** Sizes for shrinking an image: the one helper for working images, camera frames and thumbnails. */

/**
 * The size to shrink `width`×`height` to so that its longer side is at most
 * `maxSide` (never enlarged; at least 1×1), as [width, height].
 */
export function fitWithin(width: number, height: number, maxSide: number): [number, number] {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}
