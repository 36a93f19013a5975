/**
 * `window.digitRecognizer`: a small handle for the browser tests, the
 * benchmark and support ("what backend is this phone using?"). It runs the
 * same code as the UI, without the history.
 */
import { preprocessImage } from "../core/preprocess.ts";
import type { RecognitionResult } from "../core/image_types.ts";
import type { ModelJson } from "../core/model_runner.ts";
import type { BackendName } from "./backend_choice.ts";
import {
  classifyPreprocessed,
  type EngineState,
  getEngineState,
  liveTensors,
  runArtifactsOn,
  setPreferredBackend,
  simulateBackendLoss,
} from "./engine.ts";
import { decodeImageFile } from "./image_input.ts";

/** What `window.digitRecognizer` offers. */
export interface Diagnostics {
  state(): EngineState;
  numTensors(): number;
  /** Preprocess + predict on RGBA pixels, as the UI does (no history). */
  recognize(pixels: ImageData): Promise<RecognitionResult & { backend: string }>;
  /** Decodes an image file the way uploads are decoded. */
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
  simulateBackendLoss(): void;
}

/** Installs `window.digitRecognizer` (idempotent). */
export function installDiagnostics(): void {
  const d: Diagnostics = {
    state: getEngineState,
    numTensors: liveTensors,
    recognize(pixels) {
      const t0 = performance.now();
      const pre = preprocessImage(pixels);
      return classifyPreprocessed(pre, {}, performance.now() - t0);
    },
    async decode(file) {
      return (await decodeImageFile(file)).pixels;
    },
    setBackend: setPreferredBackend,
    simulateBackendLoss,
    runArtifacts: runArtifactsOn,
  };
  (globalThis as unknown as { digitRecognizer: Diagnostics }).digitRecognizer = d;
}
