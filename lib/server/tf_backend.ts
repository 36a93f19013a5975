/**
 * TensorFlow.js backend for inference outside the browser (server, CLI,
 * tests): the WASM backend, several times faster than the pure-JS CPU one
 * on the small convolutions of the digit model, with CPU as the fallback.
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

let ready: Promise<string> | undefined;

/**
 * Selects "wasm" (or "cpu" if wasm cannot start, or if `prefer` is "cpu")
 * once per process and returns the backend name. Safe to call repeatedly.
 */
export function initInferenceBackend(prefer: "wasm" | "cpu" = "wasm"): Promise<string> {
  ready ??= (async () => {
    tf.enableProdMode();
    if (prefer === "wasm") {
      try {
        if (await tf.setBackend("wasm")) {
          await tf.ready();
          return "wasm";
        }
      } catch {
        // Fall through to cpu: slower, same results.
      }
    }
    await tf.setBackend("cpu");
    await tf.ready();
    return "cpu";
  })();
  return ready;
}
