/**
 * The WebGL backend with only the kernels that lib/core/model_runner.ts can emit (every layer type it
 * supports), instead of the package's full kernel set: tfjs's documented custom-bundle approach,
 * which keeps the JavaScript a phone downloads small. Loaded with a dynamic import() by
 * backend_loader.ts, so a device that never uses this backend never downloads it. A layer type
 * added to model_runner needs its kernels here too: tests/e2e/recognizer_kernels_test.ts runs a
 * model with every supported layer type on each backend.
 */
import { type KernelConfig } from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgl/dist/base.js";
import { conv2DConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Conv2D.js";
import { fusedConv2DConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/FusedConv2D.js";
import { depthwiseConv2dNativeConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/DepthwiseConv2dNative.js";
import { fusedDepthwiseConv2DConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/FusedDepthwiseConv2D.js";
import { addConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Add.js";
import { batchNormConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/BatchNorm.js";
import { reluConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Relu.js";
import { relu6Config } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Relu6.js";
import { softmaxConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Softmax.js";
import { sigmoidConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Sigmoid.js";
import { tanhConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Tanh.js";
import { eluConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Elu.js";
import { seluConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Selu.js";
import { softplusConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Softplus.js";
import { multiplyConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Multiply.js";
import { leakyReluConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/LeakyRelu.js";
import { minimumConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Minimum.js";
import { maxPoolConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/MaxPool.js";
import { avgPoolConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/AvgPool.js";
import { meanConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Mean.js";
import { reshapeConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Reshape.js";
import { _fusedMatMulConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/_FusedMatMul.js";
import { batchMatMulConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/BatchMatMul.js";
import { castConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Cast.js";
import { identityConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Identity.js";
import { transposeConfig } from "@tensorflow/tfjs-backend-webgl/dist/kernels/Transpose.js";

/** The kernels registered for the "webgl" backend. */
export const KERNELS: KernelConfig[] = [
  conv2DConfig,
  fusedConv2DConfig,
  depthwiseConv2dNativeConfig,
  fusedDepthwiseConv2DConfig,
  addConfig,
  batchNormConfig,
  reluConfig,
  relu6Config,
  softmaxConfig,
  sigmoidConfig,
  tanhConfig,
  eluConfig,
  seluConfig,
  softplusConfig,
  multiplyConfig,
  leakyReluConfig,
  minimumConfig,
  maxPoolConfig,
  avgPoolConfig,
  meanConfig,
  reshapeConfig,
  _fusedMatMulConfig,
  batchMatMulConfig,
  castConfig,
  identityConfig,
  transposeConfig,
];
