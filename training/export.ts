/**
 * Turns a trained model into the shipped one: folds BatchNorm, tries float32,
 * float16 and uint8 weights, measures each on the test set after a real
 * encode → decode round trip, and keeps the smallest that holds the accuracy.
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import type { DigitSet } from "../lib/idx.ts";
import {
  countMacs,
  DEFAULT_CONFIG,
  foldIntoInferenceModel,
  type ModelConfig,
} from "../lib/model_def.ts";
import { type ClassMetrics, classMetrics, predictDigits } from "./metrics.ts";
import { encodeModel, loadModelFiles, type ModelFiles, type WeightDtype } from "./model_io.ts";

/** One weight encoding's outcome. */
export interface VariantResult {
  dtype: WeightDtype;
  weight_bytes: number;
  model_json_bytes: number;
  test_accuracy: number;
  metrics: ClassMetrics;
  predicted: Uint8Array;
  confidence: Float32Array;
  files: ModelFiles;
}

/** Evaluates a loaded model on a digit set. */
export async function evaluateModel(model: tfl.LayersModel, test: DigitSet) {
  const { predicted, confidence } = await predictDigits(model, test.images, test.count);
  return { metrics: classMetrics(predicted, test.labels), predicted, confidence };
}

/**
 * Builds the three variants of the folded model and picks the smallest whose
 * test accuracy is within `tolerance` of float32's.
 */
export async function buildVariants(
  trained: tfl.LayersModel,
  test: DigitSet,
  metadata: Record<string, unknown>,
  cfg: ModelConfig = DEFAULT_CONFIG,
  tolerance = 0.0005,
): Promise<{ variants: VariantResult[]; chosen: VariantResult; params: number; macs: number }> {
  const folded = foldIntoInferenceModel(trained, cfg);
  const params = folded.countParams();
  const macs = countMacs(folded);
  const variants: VariantResult[] = [];
  for (const dtype of ["float32", "float16", "uint8"] as WeightDtype[]) {
    const files = await encodeModel(folded, dtype, {
      ...metadata,
      parameters: params,
      macs_per_digit: macs,
    });
    const loaded = await loadModelFiles(files);
    const { metrics, predicted, confidence } = await evaluateModel(loaded, test);
    loaded.dispose();
    variants.push({
      dtype,
      weight_bytes: files.shard.length,
      model_json_bytes: new TextEncoder().encode(JSON.stringify(files.model_json, null, 1)).length,
      test_accuracy: metrics.accuracy,
      metrics,
      predicted,
      confidence,
      files,
    });
  }
  folded.dispose();
  const reference = variants[0].test_accuracy;
  const ok = variants.filter((v) => v.test_accuracy >= reference - tolerance);
  const chosen = ok.reduce((a, b) => (b.weight_bytes < a.weight_bytes ? b : a));
  // Record the shipped accuracy in the model itself; the version hash ignores metadata.
  const meta = chosen.files.model_json.userDefinedMetadata as Record<string, unknown>;
  meta.test_accuracy = chosen.test_accuracy;
  return { variants, chosen, params, macs };
}
