/** Writes training/report/: metrics.json, confusion-matrix and misclassified-digit images. */
import type { DigitSet } from "../lib/idx.ts";
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

/** Writes the report folder (created if missing). */
export async function write_report(dir: string, r: ReportInput): Promise<void> {
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
        options: r.options ? { ...r.options, stop: undefined, log: undefined } : undefined,
        history: r.train.history,
      }
      : undefined,
  };
  await Deno.writeTextFile(`${dir}/metrics.json`, JSON.stringify(metrics, null, 2) + "\n");
}
