/**
 * A prototype adapter for the personal model: the user's own digits kept as
 * examples on the frozen model's penultimate features, centred on the shipped
 * rehearsal digits' mean (uncentred ReLU features are all alike: every digit's
 * cosine to every other is high). A digit close to one of the user's examples
 * gets that example's class blended into the model's probabilities, with a
 * weight that grows with the closeness and with how many examples the user has
 * of that class; far from all of them, the model's reading stands.
 */
import type { FeatureSet } from "./personal_head.ts";

/** How closeness turns into the adapter's weight. */
export interface PrototypeOptions {
  /** Cosine below which the adapter has no say. */
  simLow: number;
  /** Cosine at which it has its full say. */
  simHigh: number;
  /** Largest weight of the adapter's probabilities. */
  maxWeight: number;
  /** Examples of a class needed for half its support. */
  halfSupport: number;
  /** Softmax temperature over the per-class best cosines. */
  temperature: number;
}

/** Defaults of {@link PrototypeOptions} (the benchmark's; they keep MNIST within 0.15 points). */
export const DEFAULT_PROTOTYPE_OPTIONS: PrototypeOptions = {
  simLow: 0.8,
  simHigh: 0.95,
  maxWeight: 0.9,
  halfSupport: 2,
  temperature: 0.05,
};

/** The user's examples, centred and of unit length, with their labels. */
export interface PrototypeAdapter {
  dims: number;
  centre: Float32Array;
  /** [count, dims] unit vectors. */
  examples: Float32Array;
  labels: Uint8Array;
  count: number;
  options: PrototypeOptions;
}

/** Mean of a feature set (the centre the adapter measures from). */
export function featureMean(set: FeatureSet): Float32Array {
  const mean = new Float32Array(set.dims);
  for (let n = 0; n < set.count; n++) {
    for (let i = 0; i < set.dims; i++) mean[i] += set.features[n * set.dims + i];
  }
  if (set.count) { for (let i = 0; i < set.dims; i++) mean[i] /= set.count; }
  return mean;
}

function centredUnit(x: Float32Array, at: number, centre: Float32Array, out: Float32Array): void {
  let sum = 0;
  for (let i = 0; i < centre.length; i++) sum += (out[i] = x[at + i] - centre[i]) ** 2;
  const norm = Math.sqrt(sum) || 1;
  for (let i = 0; i < centre.length; i++) out[i] /= norm;
}

/** An adapter holding the user's digits (`user`), measured from `centre`. */
export function buildPrototypeAdapter(
  user: FeatureSet,
  centre: Float32Array,
  options: Partial<PrototypeOptions> = {},
): PrototypeAdapter {
  if (user.count > 0 && user.dims !== centre.length) {
    throw new RangeError(`features have ${user.dims} values, the centre ${centre.length}`);
  }
  const dims = centre.length;
  const examples = new Float32Array(user.count * dims);
  const row = new Float32Array(dims);
  for (let n = 0; n < user.count; n++) {
    centredUnit(user.features, n * dims, centre, row);
    examples.set(row, n * dims);
  }
  return {
    dims,
    centre: centre.slice(),
    examples,
    labels: user.labels.slice(),
    count: user.count,
    options: { ...DEFAULT_PROTOTYPE_OPTIONS, ...options },
  };
}

/**
 * The model's probabilities `probs` for a digit with features `features`,
 * blended with the adapter's: a softmax over the best cosine to the user's
 * examples of each class, weighted by closeness and the class's support.
 */
export function adaptedProbabilities(
  adapter: PrototypeAdapter,
  probs: ArrayLike<number>,
  features: Float32Array,
): number[] {
  const out = Array.from(probs);
  if (adapter.count === 0) return out;
  const { dims, options: o } = adapter;
  if (features.length !== dims) {
    throw new RangeError(`features have ${features.length} values, the adapter takes ${dims}`);
  }
  const q = new Float32Array(dims);
  centredUnit(features, 0, adapter.centre, q);
  const best = new Array(out.length).fill(-Infinity);
  const support = new Array(out.length).fill(0);
  for (let n = 0; n < adapter.count; n++) {
    let s = 0;
    for (let i = 0; i < dims; i++) s += adapter.examples[n * dims + i] * q[i];
    const label = adapter.labels[n];
    support[label]++;
    if (s > best[label]) best[label] = s;
  }
  let top = 0;
  for (let k = 1; k < best.length; k++) if (best[k] > best[top]) top = k;
  const closeness = Math.min(1, Math.max(0, (best[top] - o.simLow) / (o.simHigh - o.simLow)));
  const weight = o.maxWeight * closeness * support[top] / (support[top] + o.halfSupport);
  if (weight === 0) return out;
  const z = best.map((s) => Math.exp((s - best[top]) / o.temperature));
  const sum = z.reduce((a, b) => a + b, 0);
  return out.map((p, k) => (1 - weight) * p + weight * z[k] / sum);
}
