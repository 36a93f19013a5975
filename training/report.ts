/** Writes training/report/: metrics.json, confusion-matrix and misclassified-digit images. */
import type { DigitSet } from "../lib/core/idx.ts";
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
  trainingDigits?: number;
  modelDir: string;
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

/** metrics.json is a wire format: its keys are snake_case, the code's are camelCase. */
function snakeKeys(record: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()), v]),
  );
}

/** Writes the report folder (created if missing): metrics.json, confusion_matrix.png, misclassified.png. */
export async function writeReport(dir: string, r: ReportInput): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const metrics = {
    model_dir: r.modelDir,
    version: (r.chosen.files.modelJson.userDefinedMetadata as Record<string, unknown>).version,
    test_accuracy: r.chosen.testAccuracy,
    test_digits: r.test.count,
    errors: r.chosen.metrics.count - r.chosen.metrics.correct,
    weight_dtype: r.chosen.dtype,
    weight_bytes: r.chosen.weightBytes,
    model_json_bytes: r.chosen.modelJsonBytes,
    parameters: r.params,
    macs_per_digit: r.macs,
    backend: r.backend,
    seed: r.seed,
    per_class: r.chosen.metrics.perClass,
    confusion_matrix: r.chosen.metrics.confusion,
    quantization: r.variants.map((v) => ({
      dtype: v.dtype,
      test_accuracy: v.testAccuracy,
      weight_bytes: v.weightBytes,
      shipped: v === r.chosen,
    })),
    training: r.train
      ? {
        duration_s: r.train.seconds,
        samples_per_s: r.train.samplesPerS,
        samples_seen: r.train.samplesSeen,
        epochs_run: r.train.history.length,
        best_epoch: r.train.bestEpoch,
        best_val_acc: r.train.bestValAcc,
        interrupted: r.train.interrupted,
        training_digits: r.trainingDigits,
        options: r.options
          ? snakeKeys({ ...r.options, stop: undefined, log: undefined, init: undefined })
          : undefined,
        history: r.train.history.map(snakeKeys),
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
