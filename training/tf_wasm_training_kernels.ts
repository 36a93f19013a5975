/**
 * Makes the tfjs wasm backend able to train conv nets, and fast at it.
 *
 * tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` kernel (so a conv
 * layer cannot learn at all), and its `Conv2DBackpropInput` and transposed
 * `BatchMatMul` paths are many times slower than its forward `Conv2D` and
 * plain `BatchMatMul` (XNNPACK). We express the slow or missing kernels
 * through the fast ones, composing the backend's own kernel functions so no
 * data leaves wasm memory:
 * - filter gradient = conv2d(transpose(x), transpose(dy)) with the forward
 *   stride as the dilation: batch and channels swap roles;
 * - input gradient (stride 1) = conv2d(padded dy, flipped and transposed filter);
 * - a transposed matmul = an explicit transpose, then a plain matmul.
 * It also replaces the BatchNorm gradient (all backends) with one that
 * broadcasts instead of materialising `tile`s of the batch's shape; wasm's
 * Tile alone took ~40 % of a training step.
 * `training/tf_wasm_training_kernels_test.ts` checks these against the cpu backend's gradients.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";

type Info = tf.TensorInfo;
// deno-lint-ignore no-explicit-any
type Backend = any;
// deno-lint-ignore no-explicit-any
type Attrs = any;
type KernelArgs = { inputs: Record<string, Info>; backend: Backend; attrs: Attrs };
type KernelFn = (args: KernelArgs) => Info;

function kernel(name: string): KernelFn {
  const k = tf.getKernel(name, "wasm");
  if (!k) throw new Error(`wasm backend lacks the ${name} kernel needed by the training kernels`);
  return k.kernelFunc as unknown as KernelFn;
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === "number" ? [v, v] : v;
}

/** Conv2DBackpropFilter: dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s+kh−top, ow·s+kw−left, ci] · dy[n,oh,ow,co]. */
function conv2dBackpropFilter(args: KernelArgs): Info {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dimRoundingMode, filterShape, dataFormat } = attrs;
  if (dataFormat && dataFormat !== "NHWC") {
    throw new Error("wasm Conv2DBackpropFilter supports NHWC only");
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const [sh, sw] = pair(strides);
  const transpose = kernel("Transpose");
  const conv = kernel("Conv2D");
  // [n,h,w,ci] → [ci,h,w,n]: input channels become the batch, images the channels.
  const xt = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
  // [n,oh,ow,co] → [oh,ow,n,co]: the output gradient becomes the filter.
  const dyt = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
  const p = info.padInfo;
  const g = conv({
    inputs: { x: xt, filter: dyt },
    backend,
    attrs: {
      strides: [1, 1],
      dilations: [sh, sw],
      pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]],
      dataFormat: "NHWC",
    },
  });
  backend.disposeData(xt.dataId);
  backend.disposeData(dyt.dataId);
  // With strides > 1 the padded input may leave a few extra rows/cols: keep the kernel's window.
  let gk = g;
  if (g.shape[1] !== kh || g.shape[2] !== kw) {
    gk = kernel("Slice")({
      inputs: { x: g },
      backend,
      attrs: { begin: [0, 0, 0, 0], size: [g.shape[0], kh, kw, g.shape[3]] },
    });
    backend.disposeData(g.dataId);
  }
  // [ci,kh,kw,co] → [kh,kw,ci,co]
  const out = transpose({ inputs: { x: gk }, backend, attrs: { perm: [1, 2, 0, 3] } });
  backend.disposeData(gk.dataId);
  return out;
}

/** Conv2DBackpropInput for stride 1 via a forward conv; other cases go to the stock kernel. */
function makeConv2dBackpropInput(stock: KernelFn) {
  return (args: KernelArgs): Info => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    const { strides, pad, dimRoundingMode, inputShape, dataFormat } = attrs;
    const [sh, sw] = pair(strides);
    if (sh !== 1 || sw !== 1 || (dataFormat && dataFormat !== "NHWC")) return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const [kh, kw] = [info.filterHeight, info.filterWidth];
    const p = info.padInfo;
    // Full correlation with the 180°-rotated filter, in/out channels swapped.
    const flipped = kernel("Reverse")({ inputs: { x: filter }, backend, attrs: { dims: [0, 1] } });
    const ft = kernel("Transpose")({
      inputs: { x: flipped },
      backend,
      attrs: { perm: [0, 1, 3, 2] },
    });
    backend.disposeData(flipped.dataId);
    const out = kernel("Conv2D")({
      inputs: { x: dy, filter: ft },
      backend,
      attrs: {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [[0, 0], [kh - 1 - p.top, kh - 1 - p.bottom], [kw - 1 - p.left, kw - 1 - p.right], [
          0,
          0,
        ]],
        dataFormat: "NHWC",
      },
    });
    backend.disposeData(ft.dataId);
    return out;
  };
}

/** BatchMatMul whose transposed operands are transposed explicitly first (XNNPACK's fast path is untransposed). */
function makeBatchMatMul(stock: KernelFn) {
  return (args: KernelArgs): Info => {
    const { inputs, backend, attrs } = args;
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) return stock(args);
    const swap = (t: Info) => {
      const perm = t.shape.map((_, i) => i);
      const r = perm.length;
      [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
      return kernel("Transpose")({ inputs: { x: t }, backend, attrs: { perm } });
    };
    const a = transposeA ? swap(inputs.a) : inputs.a;
    const b = transposeB ? swap(inputs.b) : inputs.b;
    const out = stock({
      inputs: { a, b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    if (transposeA) backend.disposeData(a.dataId);
    if (transposeB) backend.disposeData(b.dataId);
    return out;
  };
}

/** FusedBatchNorm gradient as in tfjs-core, minus its `tile` (broadcasting does the same). */
const batchNormGrad: tf.GradConfig = {
  kernelName: "FusedBatchNorm",
  inputsToSave: ["x", "mean", "variance", "scale"],
  gradFunc: (dy, saved, attrs) => {
    const g = dy as tf.Tensor;
    const { varianceEpsilon } = attrs as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved;
    const scaleValue = scale ?? tf.scalar(1);
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: tf.Tensor) => tf.reshape(mean.rank === 1 ? tf.sum(t, axes) : t, mean.shape);
    const xMinusMean = tf.sub(x, mean);
    const dyScaled = tf.mul(g, scaleValue);
    const rstd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    return {
      x: () => tf.reshape(tf.mul(g, tf.mul(rstd, scaleValue)), x.shape),
      mean: () => reduce(tf.mul(dyScaled, tf.neg(rstd))),
      variance: () => reduce(tf.mul(tf.mul(xMinusMean, dyScaled), tf.mul(tf.pow(rstd, 3), -0.5))),
      scale: () => reduce(tf.mul(g, tf.mul(xMinusMean, rstd))),
      offset: () => reduce(g),
    };
  },
};

let installed = false;

/**
 * Registers the tile-free BatchNorm gradient. Call after anything that
 * registers tfjs' stock gradients (e.g. importing "@tensorflow/tfjs"), which
 * would otherwise overwrite it.
 */
export function installFastBatchNormGradient(): void {
  // Silence tfjs' "overriding the gradient" warning: overriding is the point.
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.registerGradient(batchNormGrad);
  } finally {
    console.warn = warn;
  }
}

/**
 * Registers the missing and the faster gradient kernels on the wasm backend.
 * Idempotent; call after importing @tensorflow/tfjs-backend-wasm (before or
 * after `setBackend("wasm")`). Returns the names of the kernels it touched.
 */
export function installWasmTrainingKernels(): string[] {
  if (installed) return [];
  const touched: string[] = [];
  const replace = (name: string, make: (stock: KernelFn) => KernelFn) => {
    const stock = tf.getKernel(name, "wasm");
    if (!stock) {
      throw new Error(`wasm backend lacks ${name}; is @tensorflow/tfjs-backend-wasm imported?`);
    }
    tf.unregisterKernel(name, "wasm");
    tf.registerKernel({
      kernelName: name,
      backendName: "wasm",
      setupFunc: stock.setupFunc,
      kernelFunc: make(stock.kernelFunc as unknown as KernelFn) as unknown as tf.KernelFunc,
    });
    touched.push(name);
  };
  if (!tf.getKernel("Conv2DBackpropFilter", "wasm")) {
    tf.registerKernel({
      kernelName: "Conv2DBackpropFilter",
      backendName: "wasm",
      kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
    });
    touched.push("Conv2DBackpropFilter");
  }
  replace("Conv2DBackpropInput", makeConv2dBackpropInput);
  replace("BatchMatMul", makeBatchMatMul);
  installFastBatchNormGradient();
  installed = true;
  return touched;
}
