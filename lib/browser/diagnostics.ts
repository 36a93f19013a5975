/**
 * `window.digitRecognizer`: a small handle for the browser tests, the
 * benchmark and support ("what backend is this phone using?"). It goes
 * through the same recognition worker (or page fallback) as the UI, without
 * the history.
 */
import type { RecognitionResult } from "../core/image_types.ts";
import type { ModelJson } from "../core/model_runner.ts";
import type { BackendName } from "./backend_choice.ts";
import type { EngineState } from "./engine.ts";
import {
  getEngineState,
  type RecognitionThread,
  recognitionThread,
  send,
  setPreferredBackend,
} from "./recognizer_client.ts";
import type { Reading } from "./recognition_service.ts";

/** What `window.digitRecognizer` offers. */
export interface Diagnostics {
  state(): EngineState;
  /** Where recognition runs: "worker", or "page" where the browser cannot run the worker. */
  thread(): RecognitionThread | undefined;
  numTensors(): Promise<number>;
  /** Preprocess + predict on RGBA pixels, as the UI does (no history). */
  recognize(pixels: ImageData): Promise<RecognitionResult & { backend: string }>;
  /** Decode + preprocess + predict of an image file, as uploads are read (no history). */
  readFile(file: Blob): Promise<Reading>;
  /** Decodes an image file the way uploads are decoded (to the working size). */
  decode(file: Blob): Promise<ImageData>;
  setBackend(name: BackendName | null): Promise<void>;
  /** Runs a model (model.json + weight bytes) on one backend: kernel coverage checks. */
  runArtifacts(
    backend: BackendName,
    json: ModelJson,
    weights: ArrayBuffer,
    inputs: Float32Array[],
  ): Promise<number[][]>;
  /** Makes the active backend fail on its next prediction, as a lost GPU context does. */
  simulateBackendLoss(): Promise<void>;
}

/** Installs `window.digitRecognizer` (idempotent). */
export function installDiagnostics(): void {
  const d: Diagnostics = {
    state: getEngineState,
    thread: recognitionThread,
    numTensors: () => send<number>({ type: "numTensors" }),
    async recognize(pixels) {
      return (await send<Reading>({ type: "readPixels", pixels, keep: false })).result;
    },
    readFile: (file) => send<Reading>({ type: "readFile", file }),
    decode: (file) => send<ImageData>({ type: "decode", file }),
    setBackend: setPreferredBackend,
    simulateBackendLoss: () => send<void>({ type: "simulateBackendLoss" }),
    runArtifacts: (backend, json, weights, inputs) =>
      send<number[][]>({ type: "runArtifacts", backend, json, weights, inputs }),
  };
  (globalThis as unknown as { digitRecognizer: Diagnostics }).digitRecognizer = d;
}
