/**
 * Turns a trained model into the shipped one: folds BatchNorm, tries float32,
 * float16 and uint8 weights, measures each on the test set after a real
 * encode → decode round trip, and keeps the smallest that holds the accuracy.
 */
import type * as tfl from "@tensorflow/tfjs-layers";
import type { DigitSet } from "../lib/core/idx.ts";
import {
  countMacs,
  DEFAULT_CONFIG,
  foldIntoInferenceModel,
  type ModelConfig,
} from "./model_def.ts";
import { type ClassMetrics, classMetrics, predictDigits } from "./metrics.ts";
import { encodeModel, loadModelFiles, type ModelFiles, type WeightDtype } from "./model_io.ts";

/** One weight encoding's outcome. */
export interface VariantResult {
  dtype: WeightDtype;
  weightBytes: number;
  modelJsonBytes: number;
  testAccuracy: number;
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
      weightBytes: files.shard.length,
      modelJsonBytes: new TextEncoder().encode(JSON.stringify(files.modelJson, null, 1)).length,
      testAccuracy: metrics.accuracy,
      metrics,
      predicted,
      confidence,
      files,
    });
  }
  folded.dispose();
  const reference = variants[0].testAccuracy;
  const ok = variants.filter((v) => v.testAccuracy >= reference - tolerance);
  const chosen = ok.reduce((a, b) => (b.weightBytes < a.weightBytes ? b : a));
  // Record the shipped accuracy in the model itself; the version hash ignores metadata.
  const meta = chosen.files.modelJson.userDefinedMetadata as Record<string, unknown>;
  meta.test_accuracy = chosen.testAccuracy;
  return { variants, chosen, params, macs };
}
