/** Writes training/report/: metrics.json, confusion-matrix and misclassified-digit images. */
import type { DigitSet } from "../lib/idx.ts";
import { confusionPng, type Mistake, mistakesPng } from "./report_images.ts";
import type { VariantResult } from "./export.ts";
import type { TrainOptions, TrainResult } from "./trainer.ts";

/** Everything the report describes. */
export interface ReportInput {
  test: DigitSet;
  variants: VariantResult[];
  chosen: VariantResult;
  params: number;
  macs: number;
  backend: string;
  seed: number;
  train?: TrainResult;
  options?: TrainOptions;
  training_digits?: number;
  model_dir: string;
}

/** The misclassified test digits, most confident mistakes first. */
export function collectMistakes(
  test: DigitSet,
  predicted: Uint8Array,
  confidence: Float32Array,
  max = 240,
): Mistake[] {
  const idx: number[] = [];
  for (let i = 0; i < test.count; i++) if (predicted[i] !== test.labels[i]) idx.push(i);
  idx.sort((a, b) => confidence[b] - confidence[a]);
  return idx.slice(0, max).map((i) => ({
    pixels: test.images.subarray(i * 784, i * 784 + 784),
    label: test.labels[i],
    predicted: predicted[i],
  }));
}

/** Writes the report folder (created if missing): metrics.json, confusion_matrix.png, misclassified.png. */
export async function writeReport(dir: string, r: ReportInput): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const metrics = {
    model_dir: r.model_dir,
    version: (r.chosen.files.model_json.userDefinedMetadata as Record<string, unknown>).version,
    test_accuracy: r.chosen.test_accuracy,
    test_digits: r.test.count,
    errors: r.chosen.metrics.count - r.chosen.metrics.correct,
    weight_dtype: r.chosen.dtype,
    weight_bytes: r.chosen.weight_bytes,
    model_json_bytes: r.chosen.model_json_bytes,
    parameters: r.params,
    macs_per_digit: r.macs,
    backend: r.backend,
    seed: r.seed,
    per_class: r.chosen.metrics.per_class,
    confusion_matrix: r.chosen.metrics.confusion,
    quantization: r.variants.map((v) => ({
      dtype: v.dtype,
      test_accuracy: v.test_accuracy,
      weight_bytes: v.weight_bytes,
      shipped: v === r.chosen,
    })),
    training: r.train
      ? {
        duration_s: r.train.seconds,
        samples_per_s: r.train.samples_per_s,
        samples_seen: r.train.samples_seen,
        epochs_run: r.train.history.length,
        best_epoch: r.train.best_epoch,
        best_val_acc: r.train.best_val_acc,
        interrupted: r.train.interrupted,
        training_digits: r.training_digits,
        options: r.options
          ? { ...r.options, stop: undefined, log: undefined, init: undefined }
          : undefined,
        history: r.train.history,
      }
      : undefined,
  };
  await Deno.writeTextFile(`${dir}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
  await Deno.writeFile(
    `${dir}/confusion_matrix.png`,
    await confusionPng(r.chosen.metrics.confusion),
  );
  const mistakes = collectMistakes(r.test, r.chosen.predicted, r.chosen.confidence);
  await Deno.writeFile(`${dir}/misclassified.png`, await mistakesPng(mistakes));
}
