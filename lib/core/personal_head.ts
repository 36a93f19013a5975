/**
 * The personal model: the shipped model with its final softmax layer
 * retrained on the user's own digits (corrected or confirmed readings), on
 * the frozen model's penultimate features. A few hundred shipped MNIST digits
 * are rehearsed alongside, and the weights are held near the shipped ones, so
 * it keeps reading everyone else's digits as well as before. A few hundred
 * examples of 96 features train in well under a second of plain JavaScript;
 * no tensors are needed.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type DenseHead, type DigitModel, ModelFormatError } from "./model_runner.ts";

/** The model's features and head functions; throws for a model without them. */
export function splitModel(model: DigitModel) {
  const { features, head } = model;
  if (!features || !head) throw new ModelFormatError("this model has no features/head split");
  return { features: features.bind(model), head: head.bind(model) };
}

/** Labelled feature vectors (each `dims` long, packed). */
export interface FeatureSet {
  features: Float32Array;
  labels: Uint8Array;
  count: number;
  dims: number;
}

/** How the head is trained (the defaults are what the benchmark measured). */
export interface PersonalTrainOptions {
  /** Full-batch Adam steps. */
  steps: number;
  learningRate: number;
  /** Share of the loss given to the user's digits (the rest to the rehearsal digits). */
  userShare: number;
  /** Weight of the pull towards the shipped head (L2 on the difference). */
  anchor: number;
}

/** Defaults of {@link PersonalTrainOptions}. */
export const DEFAULT_PERSONAL_TRAINING: PersonalTrainOptions = {
  steps: 150,
  learningRate: 0.01,
  userShare: 0.3,
  anchor: 1e-2,
};

/** The user's digits needed before the model is personalised. */
export const MIN_PERSONAL_DIGITS = 10;

function logitsInto(
  head: DenseHead,
  kernel: Float32Array,
  bias: Float32Array,
  x: Float32Array,
  at: number,
  out: Float64Array,
): void {
  const { inputs, units } = head;
  for (let u = 0; u < units; u++) out[u] = bias[u];
  for (let i = 0; i < inputs; i++) {
    const v = x[at + i];
    if (v === 0) continue; // ReLU features are mostly zero.
    const row = i * units;
    for (let u = 0; u < units; u++) out[u] += v * kernel[row + u];
  }
}

function softmaxInPlace(z: Float64Array): void {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let u = 0; u < z.length; u++) sum += z[u] = Math.exp(z[u] - max);
  for (let u = 0; u < z.length; u++) z[u] /= sum;
}

/** The head's class probabilities for one feature vector. */
export function headProbabilities(head: DenseHead, features: Float32Array): number[] {
  const z = new Float64Array(head.units);
  logitsInto(head, head.kernel, head.bias, features, 0, z);
  softmaxInPlace(z);
  return Array.from(z);
}

/**
 * Retrains `base` (the shipped head) on the user's digits plus the rehearsal
 * digits: weighted cross-entropy (the user's digits get `userShare` of it)
 * plus `anchor`·‖W − W₀‖², by full-batch Adam from the shipped weights.
 * Deterministic: the same inputs give the same head.
 */
export function trainPersonalHead(
  base: DenseHead,
  user: FeatureSet,
  rehearsal: FeatureSet,
  options: Partial<PersonalTrainOptions> = {},
): DenseHead {
  const o = { ...DEFAULT_PERSONAL_TRAINING, ...options };
  const { inputs, units } = base;
  for (const set of [user, rehearsal]) {
    if (set.count > 0 && set.dims !== inputs) {
      throw new RangeError(`features have ${set.dims} values, the head takes ${inputs}`);
    }
  }
  const kernel = base.kernel.slice();
  const bias = base.bias.slice();
  const nk = kernel.length;
  const m = new Float64Array(nk + units), v = new Float64Array(nk + units);
  const grad = new Float64Array(nk + units);
  const z = new Float64Array(units);
  const share = rehearsal.count === 0 ? 1 : user.count === 0 ? 0 : o.userShare;
  const sets = [
    { set: user, weight: user.count ? share / user.count : 0 },
    { set: rehearsal, weight: rehearsal.count ? (1 - share) / rehearsal.count : 0 },
  ];
  const beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  for (let step = 1; step <= o.steps; step++) {
    grad.fill(0);
    for (const { set, weight } of sets) {
      if (!weight) continue;
      for (let n = 0; n < set.count; n++) {
        const at = n * inputs;
        logitsInto(base, kernel, bias, set.features, at, z);
        softmaxInPlace(z);
        z[set.labels[n]] -= 1; // d(cross-entropy)/d(logits)
        for (let u = 0; u < units; u++) grad[nk + u] += weight * z[u];
        for (let i = 0; i < inputs; i++) {
          const x = set.features[at + i];
          if (x === 0) continue;
          const row = i * units;
          for (let u = 0; u < units; u++) grad[row + u] += weight * x * z[u];
        }
      }
    }
    for (let k = 0; k < nk; k++) grad[k] += 2 * o.anchor * (kernel[k] - base.kernel[k]);
    const c1 = 1 - beta1 ** step, c2 = 1 - beta2 ** step;
    for (let k = 0; k < nk + units; k++) {
      m[k] = beta1 * m[k] + (1 - beta1) * grad[k];
      v[k] = beta2 * v[k] + (1 - beta2) * grad[k] * grad[k];
      const delta = o.learningRate * (m[k] / c1) / (Math.sqrt(v[k] / c2) + eps);
      if (k < nk) kernel[k] -= delta;
      else bias[k - nk] -= delta;
    }
  }
  return { inputs, units, kernel, bias };
}

/** Packs 28×28 inputs' features ([N, F] rows from `model.features`) into a set. */
export function featureSet(
  model: DigitModel,
  inputs: Float32Array[],
  labels: number[],
): FeatureSet {
  if (inputs.length === 0) {
    return {
      features: new Float32Array(0),
      labels: new Uint8Array(0),
      count: 0,
      dims: splitModel(model).head().inputs,
    };
  }
  const [h, w, c] = model.inputShape;
  const size = h * w * c;
  const batch = new Float32Array(inputs.length * size);
  inputs.forEach((p, i) => batch.set(p, i * size));
  const x = tf.tensor4d(batch, [inputs.length, h, w, c]);
  try {
    const y = splitModel(model).features(x);
    try {
      const features = y.dataSync().slice() as Float32Array;
      return {
        features,
        labels: Uint8Array.from(labels),
        count: inputs.length,
        dims: features.length / inputs.length,
      };
    } finally {
      y.dispose();
    }
  } finally {
    x.dispose();
  }
}

/**
 * `base` with its final layer replaced by `head` (softmax): what the page
 * runs once personalised. Shares (does not own) the base model's weights.
 */
export function withHead(base: DigitModel, head: DenseHead): DigitModel {
  const { features } = splitModel(base);
  const kernel = tf.tensor2d(head.kernel, [head.inputs, head.units]);
  const bias = tf.tensor1d(head.bias);
  return {
    ...base,
    predict: (x) =>
      tf.tidy(() => tf.softmax(tf.add(tf.matMul(features(x) as tf.Tensor2D, kernel), bias))),
    // The base's one-pass output would be the shipped head's: runBatch must call `predict`.
    predictWithFeatures: undefined,
    head: () => ({ ...head, kernel: head.kernel.slice(), bias: head.bias.slice() }),
    dispose() {
      kernel.dispose();
      bias.dispose();
    },
  };
}
