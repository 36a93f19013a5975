/**
 * The server's one copy of the digit model: the TensorFlow.js backend is
 * chosen and the model loaded once, at start-up, and every request reuses
 * them. Images are decoded and preprocessed in workers (preprocess_pool.ts)
 * by the same functions as the CLI and the browser; the digit crops come back
 * here to `classifyDigits`, the model half of `recognize`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type DigitModel, loadModelWithHead } from "../core/model_runner.ts";
import { classifyDigits } from "../core/recognize.ts";
import { initInferenceBackend } from "./tf_backend.ts";
import type { PreprocessResult, RecognitionResult } from "../core/image_types.ts";
import { ApiError } from "./api_error.ts";

/** The shipped model, found relative to this file so any working directory works. */
export const DEFAULT_MODEL_PATH =
  new URL("../../static/model/model.json", import.meta.url).pathname;

/** Where the model stands. */
export type ModelState = "idle" | "loading" | "ready" | "failed";

/** Options for {@link ModelService}. */
export interface ModelServiceOptions {
  /** model.json path or URL (default: the shipped model). */
  modelPath?: string;
  /** Preferred backend; "wasm" falls back to "cpu" where WASM cannot start. */
  backend?: "wasm" | "cpu";
}

/** See the module comment. */
export class ModelService {
  readonly modelPath: string;
  readonly preferredBackend: "wasm" | "cpu";
  #state: ModelState = "idle";
  #loading?: Promise<DigitModel>;
  #model?: DigitModel;
  #head?: DigitModel;
  #backend?: string;
  #error?: Error;

  constructor(options: ModelServiceOptions = {}) {
    this.modelPath = options.modelPath ?? DEFAULT_MODEL_PATH;
    this.preferredBackend = options.backend ?? "wasm";
  }

  /** idle, loading, ready or failed. */
  get state(): ModelState {
    return this.#state;
  }

  /** The TensorFlow.js backend in use, once ready. */
  get backend(): string | undefined {
    return this.#backend;
  }

  /** `version` from model.json's metadata, once loaded ("unknown" when it has none). */
  get version(): string | undefined {
    if (!this.#model) return undefined;
    const version = this.#model.metadata.version;
    return typeof version === "string" ? version : "unknown";
  }

  /** Why loading failed, when it did. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Starts loading once; later calls return the same promise. */
  start(): Promise<DigitModel> {
    this.#loading ??= (async () => {
      this.#state = "loading";
      try {
        this.#backend = await initInferenceBackend(this.preferredBackend);
        // The no-digit head beside model.json, when there is one (lib/core/no_digit.ts).
        const { model, head } = await loadModelWithHead(this.modelPath);
        this.#model = model;
        this.#head = head;
        this.#state = "ready";
        return this.#model;
      } catch (error) {
        this.#state = "failed";
        this.#error = error as Error;
        console.error(`Cannot load the model ${this.modelPath}:`, error);
        throw error;
      }
    })();
    return this.#loading;
  }

  /** The loaded model (loading it if needed); 503 `model_unavailable` if it failed to load. */
  async model(): Promise<DigitModel> {
    try {
      return await this.start();
    } catch {
      throw new ApiError(503, "model_unavailable", "The recognition model could not be loaded.", {
        headers: { "Retry-After": "60" },
      });
    }
  }

  /** Runs the model on preprocessed digits; 503 `model_unavailable` without a model. */
  async classify(pre: PreprocessResult, preprocessMs: number): Promise<RecognitionResult> {
    const model = await this.model();
    return classifyDigits(model, pre, { noDigitHead: this.#head }, preprocessMs);
  }

  /** Live tensors of the TensorFlow.js engine: constant between requests when nothing leaks. */
  numTensors(): number {
    return tf.memory().numTensors;
  }
}

let shared: ModelService | undefined;

/**
 * The process-wide service, configured from `MODEL_PATH` and `API_TF_BACKEND`
 * ("wasm" or "cpu"); created on first use, loaded by `start()`.
 */
export function sharedModelService(): ModelService {
  const backend = Deno.env.get("API_TF_BACKEND");
  shared ??= new ModelService({
    modelPath: Deno.env.get("MODEL_PATH") || undefined,
    backend: backend === "cpu" ? "cpu" : "wasm",
  });
  return shared;
}
