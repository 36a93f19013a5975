/** The report's pictures: a confusion matrix and a grid of misclassified test digits. */
import { Canvas, textWidth } from "./png.ts";

/** Renders a 10×10 confusion matrix (rows = true digit, columns = predicted) as a PNG. */
export function confusionPng(confusion: number[][]): Promise<Uint8Array> {
  const cell = 44, margin = 30, n = confusion.length;
  const canvas = new Canvas(margin + n * cell + 4, margin + n * cell + 4);
  const offMax = Math.max(1, ...confusion.flatMap((row, i) => row.filter((_, j) => j !== i)));
  for (let i = 0; i < n; i++) {
    canvas.text(margin + i * cell + (cell - textWidth(String(i), 2)) / 2, 8, String(i), 2, [
      0,
      0,
      160,
    ]);
    canvas.text(10, margin + i * cell + (cell - 10) / 2, String(i), 2, [0, 120, 0]);
    for (let j = 0; j < n; j++) {
      const v = confusion[i][j];
      // Diagonal in green; errors in red, shaded relative to the worst confusion.
      let rgb: [number, number, number];
      if (i === j) rgb = [200, 235, 200];
      else if (v === 0) rgb = [250, 250, 250];
      else {
        const t = Math.sqrt(v / offMax);
        rgb = [255, Math.round(230 - 170 * t), Math.round(230 - 170 * t)];
      }
      const x = margin + j * cell, y = margin + i * cell;
      canvas.fillRect(x, y, cell - 2, cell - 2, rgb);
      const label = String(v);
      canvas.text(x + (cell - 2 - textWidth(label, 2)) / 2, y + (cell - 12) / 2, label, 2, [
        20,
        20,
        20,
      ]);
    }
  }
  return canvas.toPng();
}

/** One misclassified digit: its pixels, true and predicted labels. */
export interface Mistake {
  pixels: Uint8Array;
  label: number;
  predicted: number;
}

/** Renders misclassified digits in a grid, each captioned "true>predicted". */
export function mistakesPng(mistakes: Mistake[], perRow = 16): Promise<Uint8Array> {
  const scale = 2, tileW = 28 * scale + 8, tileH = 28 * scale + 20;
  const rows = Math.max(1, Math.ceil(mistakes.length / perRow));
  const canvas = new Canvas(perRow * tileW + 8, rows * tileH + 8, [235, 235, 235]);
  mistakes.forEach((m, k) => {
    const x = 8 + (k % perRow) * tileW, y = 8 + Math.floor(k / perRow) * tileH;
    canvas.text(x, y, String(m.label), 2, [0, 120, 0]);
    canvas.text(x + 12, y, ">", 2, [90, 90, 90]);
    canvas.text(x + 24, y, String(m.predicted), 2, [190, 0, 0]);
    canvas.drawDigit(x, y + 13, m.pixels, scale);
  });
  return canvas.toPng();
}
