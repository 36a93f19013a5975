/**
 * Build hooks of this app (see framework/build.ts): the TensorFlow.js WASM
 * binaries are served by the app itself, never fetched from a CDN.
 */
import type { AppBuildConfig } from "./framework/build.ts";

const WASM_DIR = "./node_modules/@tensorflow/tfjs-backend-wasm/dist";

const config: AppBuildConfig = {
  copy: Object.fromEntries(
    [
      "tfjs-backend-wasm.wasm",
      "tfjs-backend-wasm-simd.wasm",
      "tfjs-backend-wasm-threaded-simd.wasm",
    ]
      .map((name) => [`/wasm/${name}`, `${WASM_DIR}/${name}`]),
  ),
};

export default config;
