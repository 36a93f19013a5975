/**
 * The digit classifier's architecture, in two forms:
 * - a training graph (conv → BatchNorm → ReLU blocks) built with tfjs-layers;
 * - an inference graph with each BatchNorm folded into its conv's kernel and
 *   bias, which is what ships (fewer weights, no fragile variance tensors to
 *   quantize, and only layer types lib/core/model_runner.ts interprets).
 * Both are Sequential and use only Conv2D, BatchNormalization, Activation,
 * MaxPooling2D, GlobalAveragePooling2D and Dense.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** Channel widths: two 3×3 convs at 28×28, two at 14×14, one at 7×7, then GAP and a softmax. */
export interface ModelConfig {
  widths: [number, number, number, number, number];
  /** Dropout before the classifier, training only. */
  dropout: number;
}

/** The shipped configuration: ≈ 87 k parameters, ≈ 16 M multiply-adds per digit. */
export const DEFAULT_CONFIG: ModelConfig = { widths: [32, 32, 48, 48, 96], dropout: 0.1 };

const BN_EPSILON = 1e-3;

/** Stage layout shared by both graphs: for each conv, its width and whether a 2×2 max-pool follows. */
function convPlan(cfg: ModelConfig): { filters: number; poolAfter: boolean }[] {
  const [a, b, c, d, e] = cfg.widths;
  return [
    { filters: a, poolAfter: false },
    { filters: b, poolAfter: true },
    { filters: c, poolAfter: false },
    { filters: d, poolAfter: true },
    { filters: e, poolAfter: false },
  ];
}

/** Builds the training graph (BatchNorm after each conv) with deterministic initial weights. */
export function buildTrainingModel(cfg: ModelConfig = DEFAULT_CONFIG, seed = 1): tfl.Sequential {
  const model = tfl.sequential({ name: "digits_train" });
  let s = seed * 1000;
  convPlan(cfg).forEach(({ filters, poolAfter }, i) => {
    model.add(tfl.layers.conv2d({
      ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
      name: `conv${i + 1}`,
      filters,
      kernelSize: 3,
      padding: "same",
      useBias: false,
      kernelInitializer: tfl.initializers.heNormal({ seed: s++ }),
    }));
    model.add(
      tfl.layers.batchNormalization({ name: `bn${i + 1}`, momentum: 0.9, epsilon: BN_EPSILON }),
    );
    model.add(tfl.layers.activation({ name: `relu${i + 1}`, activation: "relu" }));
    if (poolAfter) {
      model.add(tfl.layers.maxPooling2d({ name: `pool${i + 1}`, poolSize: 2, strides: 2 }));
    }
  });
  model.add(tfl.layers.globalAveragePooling2d({ name: "gap" }));
  if (cfg.dropout > 0) {
    model.add(tfl.layers.dropout({ name: "dropout", rate: cfg.dropout, seed: s++ }));
  }
  model.add(tfl.layers.dense({
    name: "classifier",
    units: 10,
    activation: "softmax",
    kernelInitializer: tfl.initializers.glorotUniform({ seed: s++ }),
  }));
  return model;
}

/** Builds the inference graph: conv (with bias, fused ReLU) blocks, GAP, softmax. Weights untrained. */
export function buildInferenceModel(cfg: ModelConfig = DEFAULT_CONFIG): tfl.Sequential {
  const model = tfl.sequential({ name: "digits" });
  convPlan(cfg).forEach(({ filters, poolAfter }, i) => {
    model.add(tfl.layers.conv2d({
      ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
      name: `conv${i + 1}`,
      filters,
      kernelSize: 3,
      padding: "same",
      useBias: true,
      activation: "relu",
    }));
    if (poolAfter) {
      model.add(tfl.layers.maxPooling2d({ name: `pool${i + 1}`, poolSize: 2, strides: 2 }));
    }
  });
  model.add(tfl.layers.globalAveragePooling2d({ name: "gap" }));
  model.add(tfl.layers.dense({ name: "classifier", units: 10, activation: "softmax" }));
  return model;
}

/**
 * Copies a trained training-graph's weights into a fresh inference graph,
 * folding each BatchNorm (moving statistics) into the preceding conv:
 * W' = W·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε).
 */
export function foldIntoInferenceModel(
  trained: tfl.LayersModel,
  cfg: ModelConfig = DEFAULT_CONFIG,
): tfl.Sequential {
  const inference = buildInferenceModel(cfg);
  tf.tidy(() => {
    convPlan(cfg).forEach((_, i) => {
      const [kernel] = trained.getLayer(`conv${i + 1}`).getWeights();
      const bn = trained.getLayer(`bn${i + 1}`) as tfl.layers.Layer;
      // BatchNormalization weights: gamma, beta, moving_mean, moving_variance (center/scale on).
      const [gamma, beta, mean, variance] = bn.getWeights();
      const eps = (bn.getConfig().epsilon as number) ?? BN_EPSILON;
      const factor = tf.div(gamma, tf.sqrt(tf.add(variance, eps)));
      const foldedKernel = tf.mul(kernel, factor);
      const foldedBias = tf.sub(beta, tf.mul(mean, factor));
      inference.getLayer(`conv${i + 1}`).setWeights([foldedKernel, foldedBias]);
    });
    inference.getLayer("classifier").setWeights(trained.getLayer("classifier").getWeights());
  });
  return inference;
}

/** Multiply-adds for one digit through a Sequential model of the supported layer types. */
export function countMacs(model: tfl.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const out = layer.outputShape as number[];
    if (cls === "Conv2D") {
      const [k] = layer.getWeights();
      const [kh, kw, cin, cout] = k.shape;
      macs += out[1] * out[2] * kh * kw * cin * cout;
    } else if (cls === "Dense") {
      const [k] = layer.getWeights();
      macs += (k.shape[0] ?? 0) * (k.shape[1] ?? 0);
    }
  }
  return macs;
}
