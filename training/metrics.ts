/** Classification metrics and batched prediction over a digit set. */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/** Accuracy, confusion matrix (rows = true class, cols = predicted) and per-class precision/recall. */
export interface ClassMetrics {
  count: number;
  correct: number;
  accuracy: number;
  confusion: number[][];
  perClass: { digit: number; precision: number; recall: number; support: number }[];
}

/** Computes metrics from predicted and true labels (pure). */
export function classMetrics(
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes = 10,
): ClassMetrics {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    confusion[labels[i]][predicted[i]]++;
    if (labels[i] === predicted[i]) correct++;
  }
  const perClass = confusion.map((row, d) => {
    const tp = row[d];
    const support = row.reduce((a, b) => a + b, 0);
    const predictedD = confusion.reduce((a, r) => a + r[d], 0);
    return {
      digit: d,
      precision: predictedD ? tp / predictedD : 0,
      recall: support ? tp / support : 0,
      support,
    };
  });
  return {
    count: labels.length,
    correct,
    accuracy: labels.length ? correct / labels.length : 0,
    confusion,
    perClass,
  };
}

/**
 * Runs the model over `count` digits stored as bytes (784 per digit) and
 * returns the predicted class and its probability for each.
 */
export async function predictDigits(
  model: tfl.LayersModel,
  images: Uint8Array,
  count: number,
  batch = 500,
): Promise<{ predicted: Uint8Array; confidence: Float32Array }> {
  const predicted = new Uint8Array(count);
  const confidence = new Float32Array(count);
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const floats = new Float32Array(n * 784);
    const src = images.subarray(start * 784, (start + n) * 784);
    for (let i = 0; i < floats.length; i++) floats[i] = src[i] / 255;
    const probs = tf.tidy(() => model.predict(tf.tensor4d(floats, [n, 28, 28, 1])) as tf.Tensor2D);
    const p = await probs.data();
    probs.dispose();
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (p[i * 10 + c] > p[i * 10 + best]) best = c;
      predicted[start + i] = best;
      confidence[start + i] = p[i * 10 + best];
    }
  }
  return { predicted, confidence };
}

/** Human-readable summary: accuracy, per-class precision/recall and the confusion matrix. */
export function formatMetrics(m: ClassMetrics): string {
  const lines = [
    `test accuracy ${(m.accuracy * 100).toFixed(2)}% (${m.correct}/${m.count}, ${
      m.count - m.correct
    } errors)`,
    "digit  precision  recall  support",
    ...m.perClass.map((c) =>
      `  ${c.digit}    ${(c.precision * 100).toFixed(2).padStart(6)}%  ${
        (c.recall * 100).toFixed(2).padStart(6)
      }%  ${String(c.support).padStart(6)}`
    ),
    "confusion (rows: true digit, columns: predicted)",
    "      " + [...Array(10).keys()].map((d) => String(d).padStart(5)).join(""),
    ...m.confusion.map((row, i) => `  ${i}   ` + row.map((v) => String(v).padStart(5)).join("")),
  ];
  return lines.join("\n");
}
