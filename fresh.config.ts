/**
 * Build hooks of this app (see framework/build.ts): the TensorFlow.js WASM
 * binaries are served by the app itself, never fetched from a CDN, and the
 * service worker (/sw.js) is bundled after the build with the list of files
 * that build emitted, for offline use.
 */
import type { AppBuildConfig } from "./framework/build.ts";
import { buildServiceWorker } from "./sw/build_service_worker.ts";

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
  afterBuild: buildServiceWorker,
};

export default config;
