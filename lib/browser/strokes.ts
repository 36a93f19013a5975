/**
 * The drawing pad's ink: strokes as point lists, drawn to a canvas with round
 * caps and smoothed curves. Kept as data (not only pixels) so undo is exact.
 */

/** A point in the pad's own pixel coordinates. */
export type Point = [number, number];

/** One pen-down-to-pen-up line. */
export type Stroke = Point[];

/** Side of the pad's pixel buffer, whatever its size on screen. */
export const PAD_SIZE = 280;

/**
 * Stroke width in pad pixels. A digit drawn across most of the pad is ~200 px
 * tall; scaled to MNIST's 20 px box this gives a ~2 px stroke, like MNIST's.
 */
export const STROKE_WIDTH = 20;

/** Colours of the pad: dark ink on light paper (preprocessing reads either polarity). */
export const PAPER = "#ffffff";
export const INK = "#161a2b";

/** Maps a pointer position on the element (CSS pixels) to pad pixels. */
export function toPadPoint(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
  size = PAD_SIZE,
): Point {
  const x = ((clientX - rect.left) / rect.width) * size;
  const y = ((clientY - rect.top) / rect.height) * size;
  return [Math.min(size, Math.max(0, x)), Math.min(size, Math.max(0, y))];
}

/** Paints the paper and every stroke. */
export function renderStrokes(
  ctx: CanvasRenderingContext2D,
  strokes: readonly Stroke[],
  size = PAD_SIZE,
): void {
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = INK;
  ctx.fillStyle = INK;
  ctx.lineWidth = STROKE_WIDTH;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  for (const s of strokes) drawStroke(ctx, s);
}

/** Draws one stroke: a dot for a tap, else a curve through the midpoints (smooth at any speed). */
export function drawStroke(ctx: CanvasRenderingContext2D, s: Stroke): void {
  if (s.length === 0) return;
  if (s.length === 1) {
    ctx.beginPath();
    ctx.arc(s[0][0], s[0][1], STROKE_WIDTH / 2, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(s[0][0], s[0][1]);
  for (let i = 1; i < s.length - 1; i++) {
    const mx = (s[i][0] + s[i + 1][0]) / 2, my = (s[i][1] + s[i + 1][1]) / 2;
    ctx.quadraticCurveTo(s[i][0], s[i][1], mx, my);
  }
  const last = s[s.length - 1];
  ctx.lineTo(last[0], last[1]);
  ctx.stroke();
}
