/** Messages between the page and the personal model's worker (lib/browser/personal_worker.ts). */
import type { PersonalModel } from "../core/personal_reader.ts";

/** Train the personal model on these digits. */
export interface PersonalTrainRequest {
  id: number;
  modelUrl: string;
  wasmDir: string;
  /** 784 bytes per digit (0 = background, 255 = ink), as stored in the history. */
  crops: Uint8Array;
  labels: Uint8Array;
}

/** The trained model, or why there is none. */
export interface PersonalTrainResult {
  id: number;
  model?: PersonalModel;
  baseVersion?: string;
  digits?: number;
  backend?: string;
  ms?: number;
  tensors?: number;
  error?: string;
}

/** Where the page loads the worker from (a fixed URL that imports the hashed bundle). */
export const PERSONAL_WORKER_URL = "/personal_worker.js";
