/**
 * The server's one copy of the digit model: the TensorFlow.js backend is
 * chosen and the model loaded once, at start-up, and every request reuses
 * them. Recognition goes through the same `decode_image` and `recognize` as
 * the CLI, and `recognize` through the same preprocessing as the browser.
 */
import * as tf from "@tensorflow/tfjs-core";
import { decode_image } from "../decode_image.ts";
import { type DigitModel, load_model } from "../model_runner.ts";
import { recognize } from "../recognize.ts";
import { init_inference_backend } from "../tf_backend.ts";
import type { RecognitionResult } from "../image_types.ts";
import { ApiError } from "./api_error.ts";
import { toApiError } from "./image_check.ts";

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

/** What recognising one image gives, with the decode time added. */
export interface ImageRecognition {
  result: RecognitionResult;
  decodeMs: number;
}

/** See the module comment. */
export class ModelService {
  readonly modelPath: string;
  readonly preferredBackend: "wasm" | "cpu";
  #state: ModelState = "idle";
  #loading?: Promise<DigitModel>;
  #model?: DigitModel;
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
        this.#backend = await init_inference_backend(this.preferredBackend);
        this.#model = await load_model(this.modelPath);
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

  /**
   * Decodes `bytes` (at most `maxPixels`) and reads the digits in them.
   * Throws `ApiError` for images that cannot be decoded.
   */
  async recognizeBytes(bytes: Uint8Array, maxPixels: number): Promise<ImageRecognition> {
    const model = await this.model();
    const t0 = performance.now();
    let image;
    try {
      image = await decode_image(bytes, { max_pixels: maxPixels });
    } catch (error) {
      throw toApiError(error);
    }
    const decodeMs = performance.now() - t0;
    return { result: recognize(model, image), decodeMs };
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
