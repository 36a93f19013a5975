/**
 * Runs a TensorFlow.js layers model (model.json + weight shards) with
 * tfjs-core ops only. tfjs-layers is several times the size of tfjs-core in
 * a browser bundle, and the digit model needs a dozen layer types, so this
 * interprets the Sequential topology itself:
 * InputLayer, Conv2D, DepthwiseConv2D, SeparableConv2D, BatchNormalization,
 * Activation, ReLU, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D,
 * Flatten, Dense, Dropout (channels_last only). Quantized weights (uint8,
 * float16) are dequantized by tfjs-core's `tf.io.decodeWeights`.
 * Tests check its output against tfjs-layers' own on the shipped model.
 */
import * as tf from "@tensorflow/tfjs-core";

/** The parts of a model.json this runner reads. */
export interface ModelJson {
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  format?: string;
  userDefinedMetadata?: Record<string, unknown>;
}

/** A loaded model ready to run. */
export interface DigitModel {
  /** Input shape without the batch dimension, e.g. [28, 28, 1]. */
  readonly inputShape: number[];
  /** Layer class names in order, for diagnostics. */
  readonly layerTypes: string[];
  /** `userDefinedMetadata` of model.json (version, accuracy, …), if any. */
  readonly metadata: Record<string, unknown>;
  /** Runs the model on a [N, ...input_shape] batch; the caller owns the result. */
  predict(x: tf.Tensor): tf.Tensor;
  /**
   * The penultimate features of a [N, ...input_shape] batch ([N, F]: the
   * input of the final Dense layer); the caller owns the result. (Optional so
   * that stand-in models need not have it; every loaded model has.)
   */
  features?(x: tf.Tensor): tf.Tensor;
  /** The final Dense layer's weights (its kernel row-major [F, units]), copied. */
  head?(): DenseHead;
  /**
   * One pass giving both the output and the penultimate features (what
   * `features` returns): the no-digit head judges "digit or not" from them
   * without a second run. The caller owns both tensors. (Optional, as
   * `features`; every loaded model has it.)
   */
  predictWithFeatures?(x: tf.Tensor): { output: tf.Tensor; features: tf.Tensor };
  /** Frees the weight tensors. */
  dispose(): void;
}

/** Weights of a final softmax Dense layer: `kernel` is [inputs, units] row-major. */
export interface DenseHead {
  inputs: number;
  units: number;
  kernel: Float32Array;
  bias: Float32Array;
}

/** A model whose topology or weights this runner cannot interpret. */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelFormatError";
  }
}

interface LayerSpec {
  class_name: string;
  config: Record<string, unknown>;
}

type Op = (x: tf.Tensor) => tf.Tensor;

/** The Keras layer types this runner interprets; training ships only these. */
export const SUPPORTED_LAYERS: ReadonlySet<string> = new Set([
  "InputLayer",
  "Conv2D",
  "DepthwiseConv2D",
  "SeparableConv2D",
  "BatchNormalization",
  "Activation",
  "ReLU",
  "MaxPooling2D",
  "AveragePooling2D",
  "GlobalAveragePooling2D",
  "Flatten",
  "Dense",
  "Dropout",
]);

/** The ordered layer list of a Sequential topology (or a chain-shaped functional one). */
function layerList(topology: unknown): LayerSpec[] {
  // deno-lint-ignore no-explicit-any
  let t = topology as any;
  if (t?.model_config) t = t.model_config;
  const cls = t?.class_name;
  const layers = t?.config?.layers ?? (Array.isArray(t?.config) ? t.config : undefined);
  if (!Array.isArray(layers)) throw new ModelFormatError("model topology has no layer list");
  if (cls !== "Sequential" && cls !== "Model" && cls !== "Functional") {
    throw new ModelFormatError(`unsupported model class ${cls}`);
  }
  if (cls !== "Sequential") {
    // A functional model is accepted only when it is a plain chain.
    layers.forEach((l: { inbound_nodes?: unknown[][] }, i: number) => {
      const inbound = l.inbound_nodes ?? [];
      const n = inbound.length === 0 ? 0 : (inbound[0] as unknown[]).length;
      if (i === 0 ? n !== 0 : n !== 1) {
        throw new ModelFormatError("only chain-shaped models are supported");
      }
    });
  }
  return layers as LayerSpec[];
}

function pair(v: unknown, fallback: number): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  if (typeof v === "number") return [v, v];
  return [fallback, fallback];
}

function paddingOf(c: Record<string, unknown>): "same" | "valid" {
  const p = (c.padding as string | undefined) ?? "valid";
  if (p !== "same" && p !== "valid") throw new ModelFormatError(`unsupported padding ${p}`);
  return p;
}

function checkChannelsLast(c: Record<string, unknown>, name: string) {
  if (c.data_format && c.data_format !== "channels_last") {
    throw new ModelFormatError(`${name}: only channels_last is supported`);
  }
}

/** Applies a Keras activation by name. */
function activate(x: tf.Tensor, name: string | undefined): tf.Tensor {
  switch (name ?? "linear") {
    case "linear":
      return x;
    case "relu":
      return tf.relu(x);
    case "relu6":
      return tf.relu6(x);
    case "softmax":
      return tf.softmax(x, -1);
    case "sigmoid":
      return tf.sigmoid(x);
    case "tanh":
      return tf.tanh(x);
    case "elu":
      return tf.elu(x);
    case "selu":
      return tf.selu(x);
    case "softplus":
      return tf.softplus(x);
    case "swish":
      return tf.mul(x, tf.sigmoid(x));
    default:
      throw new ModelFormatError(`unsupported activation ${name}`);
  }
}

/** Activations the fused ops can apply in the same kernel. */
function fusable(
  name: string | undefined,
): "linear" | "relu" | "relu6" | "sigmoid" | "elu" | undefined {
  const n = name ?? "linear";
  return n === "linear" || n === "relu" || n === "relu6" || n === "sigmoid" || n === "elu"
    ? n
    : undefined;
}

/** The settings every convolution layer shares; refuses channels-first layouts. */
function convSettings(
  c: Record<string, unknown>,
  name: string,
  weight: (k: string) => tf.Tensor,
) {
  checkChannelsLast(c, name);
  return {
    bias: c.use_bias === false ? undefined : weight("bias"),
    strides: pair(c.strides, 1),
    dilations: pair(c.dilation_rate, 1),
    pad: paddingOf(c),
    act: c.activation as string | undefined,
  };
}

/** Builds one layer's op; weights are taken from `w` by `layer_name/weight`. */
function buildOp(
  spec: LayerSpec,
  w: (name: string) => tf.Tensor,
  optional: (name: string) => tf.Tensor | undefined,
): Op | null {
  const c = spec.config;
  const name = String(c.name);
  const weight = (k: string) => w(`${name}/${k}`);
  const maybe = (k: string) => optional(`${name}/${k}`);
  switch (spec.class_name) {
    case "InputLayer":
    case "Dropout":
      return null;
    case "Conv2D": {
      const kernel = weight("kernel") as tf.Tensor4D;
      const { bias, strides, dilations, pad, act } = convSettings(c, name, weight);
      const fused = fusable(act);
      return (x) => {
        const y = tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: kernel,
          strides,
          pad,
          dilations,
          bias,
          activation: fused ?? "linear",
        });
        return fused ? y : activate(y, act);
      };
    }
    case "DepthwiseConv2D": {
      const kernel = weight("depthwise_kernel") as tf.Tensor4D;
      const { bias, strides, dilations, pad, act } = convSettings(c, name, weight);
      const fused = fusable(act);
      return (x) => {
        const y = tf.fused.depthwiseConv2d({
          x: x as tf.Tensor4D,
          filter: kernel,
          strides,
          pad,
          dilations,
          bias,
          activation: fused ?? "linear",
        });
        return fused ? y : activate(y, act);
      };
    }
    case "SeparableConv2D": {
      const depthwise = weight("depthwise_kernel") as tf.Tensor4D;
      const pointwise = weight("pointwise_kernel") as tf.Tensor4D;
      const { bias, strides, dilations, pad, act } = convSettings(c, name, weight);
      return (x) => {
        let y: tf.Tensor = tf.separableConv2d(
          x as tf.Tensor4D,
          depthwise,
          pointwise,
          strides,
          pad,
          dilations,
        );
        if (bias) y = tf.add(y, bias);
        return activate(y, act);
      };
    }
    case "BatchNormalization": {
      const axis = c.axis as number | number[] | undefined;
      const a = Array.isArray(axis) ? axis[0] : axis ?? -1;
      if (a !== -1 && a !== 3 && a !== 1) {
        throw new ModelFormatError(`${name}: unsupported axis ${a}`);
      }
      const mean = weight("moving_mean");
      const variance = weight("moving_variance");
      const gamma = c.scale === false ? undefined : maybe("gamma");
      const beta = c.center === false ? undefined : maybe("beta");
      const epsilon = (c.epsilon as number | undefined) ?? 1e-3;
      return (x) => tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
    }
    case "Activation":
      return (x) => activate(x, c.activation as string);
    case "ReLU": {
      const max = c.max_value as number | null | undefined;
      const slope = (c.negative_slope as number | undefined) ?? 0;
      const threshold = (c.threshold as number | undefined) ?? 0;
      if (threshold !== 0) throw new ModelFormatError(`${name}: ReLU threshold is not supported`);
      return (x) => {
        const y = slope ? tf.leakyRelu(x, slope) : tf.relu(x);
        return max == null ? y : tf.minimum(y, max);
      };
    }
    case "MaxPooling2D":
    case "AveragePooling2D": {
      checkChannelsLast(c, name);
      const size = pair(c.pool_size, 2);
      const strides = c.strides == null ? size : pair(c.strides, size[0]);
      const pad = paddingOf(c);
      const pool = spec.class_name === "MaxPooling2D" ? tf.maxPool : tf.avgPool;
      return (x) => pool(x as tf.Tensor4D, size, strides, pad);
    }
    case "GlobalAveragePooling2D": {
      checkChannelsLast(c, name);
      const keep = c.keepdims === true;
      return (x) => tf.mean(x, [1, 2], keep);
    }
    case "Flatten":
      return (x) => tf.reshape(x, [x.shape[0], -1]);
    case "Dense": {
      const kernel = weight("kernel") as tf.Tensor2D;
      const bias = c.use_bias === false ? undefined : weight("bias");
      const act = c.activation as string | undefined;
      const fused = fusable(act);
      return (x) => {
        if (x.rank !== 2) throw new ModelFormatError(`${name}: Dense expects rank-2 input`);
        const y = tf.fused.matMul({
          a: x as tf.Tensor2D,
          b: kernel,
          bias,
          activation: fused ?? "linear",
        });
        return fused ? y : activate(y, act);
      };
    }
    default:
      throw new ModelFormatError(`unsupported layer type ${spec.class_name} (${name})`);
  }
}

/**
 * Builds a runnable model from a parsed model.json and the concatenated
 * weight bytes of its shards (in manifest order).
 */
export function modelFromArtifacts(json: ModelJson, weightData: ArrayBuffer): DigitModel {
  const layers = layerList(json.modelTopology);
  for (const l of layers) {
    if (!SUPPORTED_LAYERS.has(l.class_name)) {
      throw new ModelFormatError(`unsupported layer type ${l.class_name} (${l.config?.name})`);
    }
  }
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const tensors = tf.io.decodeWeights(weightData, specs);
  const used = new Set<string>();
  const optional = (n: string) => {
    const t = tensors[n];
    if (t) used.add(n);
    return t;
  };
  const required = (n: string) => {
    const t = optional(n);
    if (!t) throw new ModelFormatError(`weight ${n} is missing from the manifest`);
    return t;
  };
  let ops: (Op | null)[];
  try {
    ops = layers.map((l) => buildOp(l, required, optional));
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
  // Unused weights (a layer this runner skips, e.g. Dropout has none) would leak: free them.
  for (const [n, t] of Object.entries(tensors)) if (!used.has(n)) t.dispose();
  const first = layers[0]?.config ?? {};
  const shape = (first.batch_input_shape ?? first.batchInputShape) as (number | null)[] | undefined;
  const inputShape = shape ? shape.slice(1).map((d) => d ?? -1) : [28, 28, 1];
  const kept = Object.entries(tensors).filter(([n]) => used.has(n)).map(([, t]) => t);
  // The head is the last Dense layer; only Dropout (inert here) may follow it.
  let headAt = layers.length - 1;
  while (headAt > 0 && layers[headAt].class_name === "Dropout") headAt--;
  const headSpec = layers[headAt];
  const run = (x: tf.Tensor, end: number) =>
    tf.tidy(() => {
      let y = x;
      for (let i = 0; i < end; i++) if (ops[i]) y = ops[i]!(y);
      return y;
    });
  return {
    inputShape,
    layerTypes: layers.map((l) => l.class_name),
    metadata: json.userDefinedMetadata ?? {},
    predict(x: tf.Tensor): tf.Tensor {
      return run(x, ops.length);
    },
    predictWithFeatures(x: tf.Tensor) {
      return tf.tidy(() => {
        let features = x;
        for (let i = 0; i < headAt; i++) if (ops[i]) features = ops[i]!(features);
        let output = features;
        for (let i = headAt; i < ops.length; i++) if (ops[i]) output = ops[i]!(output);
        return { output, features };
      });
    },
    features(x: tf.Tensor): tf.Tensor {
      if (headSpec?.class_name !== "Dense") {
        throw new ModelFormatError("the model does not end in a Dense layer");
      }
      return run(x, headAt);
    },
    head(): DenseHead {
      const name = headSpec?.config?.name as string | undefined;
      const kernel = name ? tensors[`${name}/kernel`] : undefined;
      if (headSpec?.class_name !== "Dense" || !kernel) {
        throw new ModelFormatError("the model does not end in a Dense layer");
      }
      const bias = tensors[`${name}/bias`];
      const [inputs, units] = kernel.shape;
      return {
        inputs,
        units,
        kernel: kernel.dataSync().slice() as Float32Array,
        bias: bias ? bias.dataSync().slice() as Float32Array : new Float32Array(units),
      };
    },
    dispose() {
      for (const t of kept) t.dispose();
    },
  };
}

/** Where to read a model from: a URL, or an absolute file path (a relative one: lib/server/model_file.ts). */
export type ModelSource = string | URL;

/** The URL of a source; an absolute path becomes a file: URL (no runtime file API needed). */
function sourceUrl(source: ModelSource): URL {
  if (source instanceof URL) return source;
  if (/^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) return new URL(source);
  if (source.startsWith("/")) {
    return new URL(`file://${source.split("/").map(encodeURIComponent).join("/")}`);
  }
  throw new ModelFormatError(`${source}: a relative model path must be resolved first (modelUrl)`);
}

/** The bytes at a URL, by `fetch` (which reads file: URLs in Deno too). */
async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`fetching ${url}: HTTP ${res.status}`);
  return await res.arrayBuffer();
}

/**
 * Loads model.json from a URL (http(s), file:, blob:…), then its weight
 * shards, which are resolved relative to model.json, and returns the
 * runnable model. File paths are the caller's business (lib/server/model_file.ts):
 * this module stays free of any runtime's file APIs.
 */
export async function loadModel(from: ModelSource): Promise<DigitModel> {
  const source = sourceUrl(from);
  const json = JSON.parse(new TextDecoder().decode(await fetchBytes(source))) as ModelJson;
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new ModelFormatError(`${source} is not a tfjs layers model.json`);
  }
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const buffers = await Promise.all(paths.map((p) => fetchBytes(new URL(p, source))));
  const total = buffers.reduce((a, b) => a + b.byteLength, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) {
    all.set(new Uint8Array(b), o);
    o += b.byteLength;
  }
  return modelFromArtifacts(json, all.buffer);
}

/**
 * Packs model inputs (each `inputShape`'s worth of floats, e.g. 784 for a
 * 28×28 digit) into one [N, ...inputShape] batch: every digit of an image,
 * with its alternative renderings, goes through the model in one call.
 * The caller owns the tensor.
 */
export function inputBatch(model: DigitModel, inputs: Float32Array[]): tf.Tensor {
  const size = model.inputShape.reduce((a, b) => a * b, 1);
  const batch = new Float32Array(inputs.length * size);
  inputs.forEach((p, i) => {
    if (p.length !== size) {
      throw new RangeError(`input ${i} has ${p.length} values, expected ${size}`);
    }
    batch.set(p, i * size);
  });
  return tf.tensor(batch, [inputs.length, ...model.inputShape]);
}

/** The tensors of one batch through the digit model and, when given, the no-digit head. */
export interface BatchTensors {
  /** [N, 10] class probabilities. */
  probabilities: tf.Tensor;
  /** [N, K] the head's class probabilities (class 0 = a digit), when a head was given. */
  shapeClasses?: tf.Tensor;
}

/**
 * Runs `model` on `x` and the open-set `head` on the model's penultimate
 * features, in one pass. A model without features runs without the head.
 * The caller owns (and frees) the returned tensors.
 */
export function runBatch(model: DigitModel, x: tf.Tensor, head?: DigitModel): BatchTensors {
  if (!head || !(model.predictWithFeatures || model.features)) {
    return { probabilities: model.predict(x) };
  }
  // A wrapped model (the personal one) may offer features only: two passes then.
  const { output, features } = model.predictWithFeatures?.(x) ??
    { output: model.predict(x), features: model.features!(x) };
  try {
    return { probabilities: output, shapeClasses: head.predict(features) };
  } finally {
    features.dispose();
  }
}

/** What one batch gave, as plain arrays (one row per input). */
export interface BatchOutputs {
  probabilities: number[][];
  /** The head's class probabilities per input (class 0 = a digit); absent without a head. */
  shapeClasses?: number[][];
}

/** Splits a flat [N, K] read-back into N rows. */
export function rowsOf(flat: ArrayLike<number>, n: number): number[][] {
  const k = n ? flat.length / n : 0;
  return Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, j) => flat[i * k + j]));
}

/**
 * Runs the model (and the head, if any) on `inputs` in one batch and reads
 * the outputs back synchronously. Allocates and frees its tensors.
 */
export function predictBatch(
  model: DigitModel,
  inputs: Float32Array[],
  head?: DigitModel,
): BatchOutputs {
  if (inputs.length === 0) return { probabilities: [], ...(head ? { shapeClasses: [] } : {}) };
  const x = inputBatch(model, inputs);
  try {
    const out = runBatch(model, x, head);
    try {
      return {
        probabilities: rowsOf(out.probabilities.dataSync(), inputs.length),
        ...(out.shapeClasses
          ? { shapeClasses: rowsOf(out.shapeClasses.dataSync(), inputs.length) }
          : {}),
      };
    } finally {
      out.probabilities.dispose();
      out.shapeClasses?.dispose();
    }
  } finally {
    x.dispose();
  }
}

/**
 * Convenience for 28×28 crops: runs the model on `inputs` (each 784 floats)
 * and returns one probability row per input. Allocates and frees its tensors.
 */
export function predictProbabilities(model: DigitModel, inputs: Float32Array[]): number[][] {
  return predictBatch(model, inputs).probabilities;
}

/** File name of the no-digit head, beside the digit model's model.json. */
export const NO_DIGIT_HEAD_FILE = "no_digit.json";

/** Where the no-digit head of the model at `source` is: the same folder, {@link NO_DIGIT_HEAD_FILE}. */
export function noDigitHeadSource(source: ModelSource): string {
  const s = String(source);
  const cut = s.lastIndexOf("/");
  return `${cut >= 0 ? s.slice(0, cut + 1) : ""}${NO_DIGIT_HEAD_FILE}`;
}

/**
 * Loads the digit model and, when its folder has one, its no-digit head.
 * A model without a head still reads digits; it just never says "no digit"
 * for a shape (only for blank or shapeless images).
 */
export async function loadModelWithHead(
  source: ModelSource,
): Promise<{ model: DigitModel; head?: DigitModel }> {
  const model = await loadModel(source);
  try {
    return { model, head: await loadModel(new URL(NO_DIGIT_HEAD_FILE, sourceUrl(source))) };
  } catch (e) {
    if (e instanceof ModelFormatError) {
      model.dispose();
      throw e;
    }
    return { model };
  }
}
