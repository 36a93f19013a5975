/**
 * Build hooks of this app (see framework/build.ts): the recognition worker and
 * the personal model's trainer are bundled as entries of their own (sharing
 * chunks with the islands) and started from stable URLs, the TensorFlow.js
 * WASM binaries are served by the app itself, never fetched from a CDN, and
 * the service worker (/sw.js) is bundled after the build with the list of
 * files that build emitted, for offline use.
 */
import type { AppBuildConfig, BuildResult } from "./framework/build.ts";
import { buildServiceWorker } from "./sw/build_service_worker.ts";
import { PERSONAL_WORKER_URL } from "./lib/browser/personal_protocol.ts";
import { WORKER_URL } from "./lib/browser/recognizer_client.ts";

const WASM_DIR = "./node_modules/@tensorflow/tfjs-backend-wasm/dist";

/** Each worker entry and the stable URL pages start it from. */
const WORKERS: Record<string, string> = {
  "personal-worker": PERSONAL_WORKER_URL,
  "recognition-worker": WORKER_URL,
};

const config: AppBuildConfig = {
  copy: Object.fromEntries(
    [
      "tfjs-backend-wasm.wasm",
      "tfjs-backend-wasm-simd.wasm",
      "tfjs-backend-wasm-threaded-simd.wasm",
    ]
      .map((name) => [`/wasm/${name}`, `${WASM_DIR}/${name}`]),
  ),
  entries: {
    // The personal model's trainer runs in a module worker.
    "personal-worker": "lib/browser/personal_worker.ts",
    // Decoding, preprocessing and the model run in a module worker (lib/browser/recognizer_client.ts).
    "recognition-worker": "lib/browser/recognition_worker.ts",
  },
  afterBuild: async (result: BuildResult) => {
    await writeWorkerStubs(result);
    await buildServiceWorker(result);
  },
};

/**
 * A page starts a worker by URL, and the bundle's URL changes with every
 * build: a fixed-name module (precached like the rest) imports the current one.
 */
async function writeWorkerStubs(result: BuildResult): Promise<void> {
  for (const [entry, url] of Object.entries(WORKERS)) {
    const bundle = result.manifest.entries[entry];
    await Deno.writeTextFile(`${result.staticOutDir}${url}`, `import ${JSON.stringify(bundle)};\n`);
  }
}

export default config;
