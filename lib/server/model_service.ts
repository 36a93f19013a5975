/**
 * The server's one copy of the digit model: the TensorFlow.js backend is
 * chosen and the model loaded once, at start-up, and every request reuses
 * them. Images are decoded and preprocessed in workers (preprocess_pool.ts)
 * by the same functions as the CLI and the browser; the digit crops come back
 * here to `classifyDigits`, the model half of `recognize`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type DigitModel, loadModelWithHead } from "../core/model_runner.ts";
import { DEFAULT_MODEL_PATH, modelUrl } from "./model_file.ts";
import { classifyDigits } from "../core/recognize.ts";
import { initInferenceBackend } from "./tf_backend.ts";
import type { PreprocessResult, RecognitionResult } from "../core/image_types.ts";
import { ApiError } from "./api_error.ts";

/** Where the model stands. */
export type ModelState = "idle" | "loading" | "ready" | "failed";

/** Options for {@link ModelService}. */
export interface ModelServiceOptions {
  /** model.json path or URL (default: the shipped model). */
  modelPath?: string;
  /** Preferred backend; "wasm" falls back to "cpu" where WASM cannot start. */
  backend?: "wasm" | "cpu";
  /** Time allowed for one attempt at loading (default 60 s): a FIFO or a dead mount never answers. */
  loadTimeoutMs?: number;
  /** Wait before the first retry after a failed load (default 5 s); it doubles up to 5 minutes. */
  retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 5 * 60_000;

/** See the module comment. */
export class ModelService {
  readonly modelPath: string;
  readonly preferredBackend: "wasm" | "cpu";
  readonly loadTimeoutMs: number;
  readonly retryDelayMs: number;
  #state: ModelState = "idle";
  /** performance.now() after which a failed load is tried again. */
  #retryAt = 0;
  #failures = 0;
  #loading?: Promise<DigitModel>;
  #model?: DigitModel;
  #head?: DigitModel;
  #backend?: string;
  #error?: Error;

  constructor(options: ModelServiceOptions = {}) {
    this.modelPath = options.modelPath ?? DEFAULT_MODEL_PATH;
    this.preferredBackend = options.backend ?? "wasm";
    this.loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
    this.retryDelayMs = options.retryDelayMs ?? 5_000;
  }

  /** Whether loading failed and the next attempt is not due yet. */
  waitingToRetry(): boolean {
    return this.#state === "failed" && performance.now() < this.#retryAt;
  }

  /** Whole seconds until a failed load is tried again (at least 1); 0 unless failed. */
  retryAfterSeconds(): number {
    if (this.#state !== "failed") return 0;
    return Math.max(1, Math.ceil((this.#retryAt - performance.now()) / 1000));
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

  /**
   * Starts loading once; later calls return the same promise. After a
   * failure (an error, or no answer within `loadTimeoutMs`), a call once
   * the retry delay has passed tries again.
   */
  start(): Promise<DigitModel> {
    if (this.#state === "failed" && performance.now() >= this.#retryAt) this.#loading = undefined;
    this.#loading ??= (async () => {
      this.#state = "loading";
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${this.loadTimeoutMs / 1000} s`)),
          this.loadTimeoutMs,
        );
      });
      try {
        const load = (async () => {
          this.#backend = await initInferenceBackend(this.preferredBackend);
          // The no-digit head beside model.json, when there is one (lib/core/no_digit.ts).
          return await loadModelWithHead(modelUrl(this.modelPath));
        })();
        const { model, head } = await Promise.race([load, timeout]);
        this.#model = model;
        this.#head = head;
        this.#state = "ready";
        this.#failures = 0;
        return this.#model;
      } catch (error) {
        this.#state = "failed";
        this.#error = error as Error;
        const delay = Math.min(MAX_RETRY_DELAY_MS, this.retryDelayMs * 2 ** this.#failures++);
        this.#retryAt = performance.now() + delay;
        console.error(
          `Cannot load the model ${this.modelPath} (retrying in ${Math.round(delay / 1000)} s): ${
            (error as Error).message
          }`,
        );
        throw error;
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.#loading;
  }

  /**
   * The loaded model (loading it if needed); 503 `model_unavailable` with
   * Retry-After set to when the next attempt is due, if loading failed.
   */
  async model(): Promise<DigitModel> {
    try {
      return await this.start();
    } catch {
      throw new ApiError(503, "model_unavailable", "The recognition model could not be loaded.", {
        headers: { "Retry-After": String(this.retryAfterSeconds()) },
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
 * The process-wide service, configured from `MODEL_PATH`, `API_TF_BACKEND`
 * ("wasm" or "cpu") and `API_MODEL_LOAD_TIMEOUT_MS`; created on first use,
 * loaded by `start()`.
 */
export function sharedModelService(): ModelService {
  const backend = Deno.env.get("API_TF_BACKEND");
  const loadTimeout = Number(Deno.env.get("API_MODEL_LOAD_TIMEOUT_MS"));
  shared ??= new ModelService({
    modelPath: Deno.env.get("MODEL_PATH") || undefined,
    backend: backend === "cpu" ? "cpu" : "wasm",
    loadTimeoutMs: loadTimeout > 0 ? loadTimeout : undefined,
  });
  return shared;
}
