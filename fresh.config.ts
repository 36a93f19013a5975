/**
 * Build hooks of this app (see framework/build.ts): the TensorFlow.js WASM
 * binaries are served by the app itself, never fetched from a CDN, and the
 * service worker (/sw.js) is bundled after the build with the list of files
 * that build emitted, for offline use.
 */
import type { AppBuildConfig, BuildResult } from "./framework/build.ts";
import { buildServiceWorker } from "./sw/build_service_worker.ts";
import { PERSONAL_WORKER_URL } from "./lib/browser/personal_protocol.ts";

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
  // The personal model's trainer runs in a module worker: bundled as an entry of its own.
  entries: { "personal-worker": "lib/browser/personal_worker.ts" },
  afterBuild: async (result: BuildResult) => {
    await writeWorkerStub(result);
    await buildServiceWorker(result);
  },
};

/**
 * A page starts a worker by URL, and the bundle's URL changes with every
 * build: a fixed-name module (precached like the rest) imports the current one.
 */
async function writeWorkerStub(result: BuildResult): Promise<void> {
  const bundle = result.manifest.entries["personal-worker"];
  await Deno.writeTextFile(
    `${result.staticOutDir}${PERSONAL_WORKER_URL}`,
    `import ${JSON.stringify(bundle)};\n`,
  );
}

export default config;
