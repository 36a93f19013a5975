/**
 * Decoding and preprocessing in worker threads, with a deadline. The main
 * thread keeps answering (health checks, other requests' I/O) while an image
 * is decoded, and a decoder stuck on a hostile file is terminated after
 * `timeoutMs` and replaced, answering 422 `decode_timeout` instead of
 * hanging the server. The model itself stays on the main thread, loaded once.
 */
import { ImageDecodeError } from "./decode_image.ts";
import type { PreprocessResult } from "../core/image_types.ts";
import type { PreprocessOptions } from "../core/preprocess.ts";
import { ApiError } from "./api_error.ts";
import { toApiError } from "./image_check.ts";

/** A job for preprocess_worker.ts. */
export interface PreprocessJob {
  id: number;
  bytes: Uint8Array;
  maxPixels: number;
  /** Preprocessing options (defaults when absent). */
  options?: PreprocessOptions;
}

/** The worker's answer to a {@link PreprocessJob}. */
export type PreprocessReply =
  | { id: number; ok: true; pre: PreprocessResult; decodeMs: number; preprocessMs: number }
  | {
    id: number;
    ok: false;
    error: { code?: ImageDecodeError["code"]; message: string; stack?: string };
  };

/** What one image gives: digit crops and the time each step took. */
export interface Preprocessed {
  pre: PreprocessResult;
  decodeMs: number;
  preprocessMs: number;
}

const WORKER_URL = new URL("./preprocess_worker.ts", import.meta.url).href;

interface Slot {
  worker?: Worker;
  busy: boolean;
}

/** See the module comment. */
export class PreprocessPool {
  readonly size: number;
  readonly timeoutMs: number;
  #slots: Slot[];
  #waiting: ((slot: Slot) => void)[] = [];
  #nextId = 1;
  #closed = false;

  /** `size` workers at most, started on first use; each job gets `timeoutMs`. */
  constructor(options: { size: number; timeoutMs: number }) {
    this.size = options.size;
    this.timeoutMs = options.timeoutMs;
    this.#slots = Array.from({ length: options.size }, () => ({ busy: false }));
  }

  /**
   * Decodes `bytes` (at most `maxPixels`) and preprocesses the image in a
   * worker. Throws `ApiError`: the decoder's errors (see image_check.ts),
   * 422 `decode_timeout` past the deadline; other worker failures are thrown
   * as plain errors (a 500, logged).
   */
  async run(
    bytes: Uint8Array,
    maxPixels: number,
    options?: PreprocessOptions,
  ): Promise<Preprocessed> {
    if (this.#closed) throw new Error("PreprocessPool is closed");
    const slot = await this.#acquire();
    try {
      return await this.#runOn(slot, bytes, maxPixels, options);
    } finally {
      this.#release(slot);
    }
  }

  /** Terminates every worker (tests, shutdown). */
  close() {
    this.#closed = true;
    for (const slot of this.#slots) {
      slot.worker?.terminate();
      slot.worker = undefined;
    }
  }

  #acquire(): Promise<Slot> {
    const free = this.#slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: Slot) {
    const next = this.#waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  #runOn(
    slot: Slot,
    bytes: Uint8Array,
    maxPixels: number,
    options?: PreprocessOptions,
  ): Promise<Preprocessed> {
    slot.worker ??= new Worker(WORKER_URL, { type: "module" });
    const worker = slot.worker;
    const id = this.#nextId++;
    // Transfer, not copy: the request no longer needs its bytes.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? bytes
      : bytes.slice();
    return new Promise<Preprocessed>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.removeEventListener("message", onMessage);
        worker.removeEventListener("error", onError);
      };
      const discardWorker = () => {
        worker.terminate();
        if (slot.worker === worker) slot.worker = undefined;
      };
      const timer = setTimeout(() => {
        done();
        discardWorker();
        reject(
          new ApiError(
            422,
            "decode_timeout",
            `The image could not be decoded within ${
              Math.round(this.timeoutMs / 1000)
            } s: it is probably corrupt or crafted.`,
          ),
        );
      }, this.timeoutMs);
      const onMessage = (event: MessageEvent<PreprocessReply>) => {
        const reply = event.data;
        if (reply.id !== id) return;
        done();
        if (reply.ok) {
          resolve({ pre: reply.pre, decodeMs: reply.decodeMs, preprocessMs: reply.preprocessMs });
        } else if (reply.error.code) {
          reject(toApiError(new ImageDecodeError(reply.error.code, reply.error.message)));
        } else {
          const error = new Error(`preprocessing failed in the worker: ${reply.error.message}`);
          error.stack = reply.error.stack ?? error.stack;
          reject(error);
        }
      };
      const onError = (event: ErrorEvent) => {
        // An uncaught error (e.g. out of memory) leaves the worker unusable.
        event.preventDefault();
        done();
        discardWorker();
        reject(new Error(`the preprocessing worker failed: ${event.message}`));
      };
      worker.addEventListener("message", onMessage);
      worker.addEventListener("error", onError);
      const job: PreprocessJob = { id, bytes: own, maxPixels, options };
      worker.postMessage(job, [own.buffer as ArrayBuffer]);
    });
  }
}
