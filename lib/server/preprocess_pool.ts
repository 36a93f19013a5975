/**
 * Decoding and preprocessing in separate processes, with a deadline. The
 * server keeps answering (health checks, other requests' I/O) while images
 * are decoded, on as many cores as the pool has processes, and a decoder
 * stuck on a hostile file is killed after `timeoutMs` and replaced,
 * answering 422 `decode_timeout` instead of hanging or slowing the server.
 *
 * Processes, not worker threads: Deno cannot stop a worker thread that is
 * busy in a loop (`terminate()` leaves it spinning, measured with the
 * looping GIF), while a killed process stops at once and returns all of its
 * memory. For the same reason a process whose memory grew is retired after
 * its job, so the memory a spike took goes back to the system, and the pixels being
 * decoded at once are bounded by `pixelBudget` whatever the concurrency.
 * The model itself stays in the server process, loaded once.
 */
import { ImageDecodeError, readImageInfo } from "./decode_image.ts";
import type { PreprocessResult } from "../core/image_types.ts";
import type { PreprocessOptions } from "../core/preprocess.ts";
import { ApiError } from "./api_error.ts";
import { toApiError } from "./image_check.ts";
import { startDeadline } from "./deadline.ts";
import { encodeFrame, readFrames } from "./frames.ts";

/** A job for preprocess_worker.ts. */
export interface PreprocessJob {
  id: number;
  bytes: Uint8Array;
  maxPixels: number;
  /** Preprocessing options (defaults when absent). */
  options?: PreprocessOptions;
}

/** The worker's answer to a {@link PreprocessJob}, with the process's resident memory after it. */
export type PreprocessReply =
  | {
    id: number;
    ok: true;
    pre: PreprocessResult;
    decodeMs: number;
    preprocessMs: number;
    rssBytes: number;
  }
  | {
    id: number;
    ok: false;
    rssBytes: number;
    error: { code?: ImageDecodeError["code"]; message: string; stack?: string };
  };

/** What one image gives: digit crops and the time each step took. */
export interface Preprocessed {
  pre: PreprocessResult;
  decodeMs: number;
  preprocessMs: number;
}

/** Options of {@link PreprocessPool}. */
export interface PreprocessPoolOptions {
  /** Decoder processes at most (images decoded at the same time). */
  size: number;
  /** Time one image may take before its process is killed (see deadline.ts). */
  timeoutMs: number;
  /** Pixels decoded at the same time, all processes together (default 64 million). */
  pixelBudget?: number;
  /** A process whose memory grew by more than this since it started is replaced after its job (default 96 MB). */
  recycleGrowthBytes?: number;
}

const ROOT = new URL("../../", import.meta.url).pathname;
const WORKER_PATH = new URL("./preprocess_worker.ts", import.meta.url).pathname;
/** Jobs a process runs before it is replaced, so slow leaks cannot accumulate. */
const MAX_JOBS_PER_PROCESS = 500;

/** One decoder process and the job it runs (one at a time). */
class DecoderProcess {
  readonly child: Deno.ChildProcess;
  jobs = 0;
  /** Resident memory once started, before any job. */
  startRss = 0;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #pending?: { id: number; resolve: (r: PreprocessReply) => void; reject: (e: Error) => void };
  #exited = false;
  /** Whether the process has loaded its decoders and waits for jobs. */
  isReady = false;
  #ready: Promise<void>;
  #listening: Promise<void>;
  #onReady!: () => void;

  constructor() {
    this.#ready = new Promise<void>((resolve) => (this.#onReady = resolve)).then(() => {
      this.isReady = !this.#exited;
    });
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        `--config=${ROOT}deno.json`,
        // Reads its own modules and the decoders' wasm; loads libvips (sharp,
        // a Node-API addon) for shrink-on-load JPEG decoding; nothing else.
        `--allow-read=${ROOT}`,
        "--allow-ffi",
        "--allow-env",
        "--allow-sys",
        "--no-prompt",
        WORKER_PATH,
      ],
      stdin: "piped",
      stdout: "piped",
      // libjpeg's warnings on damaged files are not worth a log line each.
      stderr: "null",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#listening = this.#listen();
  }

  async #listen() {
    try {
      for await (const reply of readFrames<PreprocessReply>(this.child.stdout)) {
        if (reply.id === 0) {
          this.startRss = reply.rssBytes;
          this.#onReady();
          continue;
        }
        const pending = this.#pending;
        if (pending && pending.id === reply.id) {
          this.#pending = undefined;
          pending.resolve(reply);
        }
      }
    } catch {
      // A killed process may cut a frame short: the same as exiting.
    }
    this.#exited = true;
    this.#onReady();
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(new Error("the decoder process exited (out of memory?)"));
  }

  /** Resolves once the process has loaded its modules (or has exited). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Sends `job` and resolves with its reply. */
  run(job: PreprocessJob): Promise<PreprocessReply> {
    if (this.#exited) return Promise.reject(new Error("the decoder process has exited"));
    this.jobs++;
    return new Promise((resolve, reject) => {
      this.#pending = { id: job.id, resolve, reject };
      this.#writer.write(encodeFrame(job)).catch((error) => {
        this.#pending = undefined;
        reject(error);
      });
    });
  }

  /** Resolves once the process has exited and its output is read. */
  async exited(): Promise<void> {
    await this.child.status;
    await this.#listening;
  }

  /** The process id, for memory accounting. */
  get pid(): number {
    return this.child.pid;
  }

  /** Stops the process at once, with its memory. */
  kill() {
    try {
      this.child.kill("SIGKILL");
    } catch { /* already gone */ }
    this.#writer.close().catch(() => {});
  }
}

interface Slot {
  process?: DecoderProcess;
  busy: boolean;
}

/** See the module comment. */
export class PreprocessPool {
  readonly size: number;
  readonly timeoutMs: number;
  readonly pixelBudget: number;
  readonly recycleGrowthBytes: number;
  #slots: Slot[];
  #waiting: ((slot: Slot) => void)[] = [];
  #pixelsInFlight = 0;
  #pixelWaiters: { pixels: number; resume: () => void }[] = [];
  #nextId = 1;
  #closed = false;

  /** `size` processes at most, started on first use (or by `warm()`). */
  constructor(options: PreprocessPoolOptions) {
    this.size = options.size;
    this.timeoutMs = options.timeoutMs;
    this.pixelBudget = options.pixelBudget ?? 64_000_000;
    this.recycleGrowthBytes = options.recycleGrowthBytes ?? 96 * 2 ** 20;
    this.#slots = Array.from({ length: options.size }, () => ({ busy: false }));
  }

  /** Starts every process now, so the first requests do not wait for them. */
  warm() {
    for (const slot of this.#slots) slot.process ??= new DecoderProcess();
  }

  /** Ids of the running decoder processes (their memory is the server's too). */
  pids(): number[] {
    return this.#slots.flatMap((s) => (s.process ? [s.process.pid] : []));
  }

  /**
   * Decodes `bytes` (at most `maxPixels`) and preprocesses the image in a
   * decoder process. Throws `ApiError`: the decoder's errors (see
   * image_check.ts), 422 `decode_timeout` past the deadline; other failures
   * are thrown as plain errors (a 500, logged).
   */
  async run(
    bytes: Uint8Array,
    maxPixels: number,
    options?: PreprocessOptions,
  ): Promise<Preprocessed> {
    if (this.#closed) throw new Error("PreprocessPool is closed");
    const pixels = Math.min(this.pixelBudget, headerPixels(bytes));
    await this.#reservePixels(pixels);
    try {
      const slot = await this.#acquire();
      try {
        return await this.#runOn(slot, bytes, maxPixels, options);
      } finally {
        this.#release(slot);
      }
    } finally {
      this.#releasePixels(pixels);
    }
  }

  /** Kills every process (tests, shutdown); resolves once they have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    const exits = [];
    for (const slot of this.#slots) {
      if (!slot.process) continue;
      slot.process.kill();
      exits.push(slot.process.exited());
      slot.process = undefined;
    }
    await Promise.all(exits);
  }

  #reservePixels(pixels: number): Promise<void> {
    if (this.#pixelWaiters.length === 0 && this.#pixelsInFlight + pixels <= this.pixelBudget) {
      this.#pixelsInFlight += pixels;
      return Promise.resolve();
    }
    // First come, first served: a large image is not overtaken forever by small ones.
    return new Promise((resume) => this.#pixelWaiters.push({ pixels, resume }));
  }

  #releasePixels(pixels: number) {
    this.#pixelsInFlight -= pixels;
    while (this.#pixelWaiters.length > 0) {
      const next = this.#pixelWaiters[0];
      if (this.#pixelsInFlight + next.pixels > this.pixelBudget) break;
      this.#pixelWaiters.shift();
      this.#pixelsInFlight += next.pixels;
      next.resume();
    }
  }

  #acquire(): Promise<Slot> {
    // A free slot whose process is ready first: one whose process was just
    // replaced (after a deadline) needs a second or two before it can start.
    const free = this.#slots.find((s) => !s.busy && s.process?.isReady) ??
      this.#slots.find((s) => !s.busy);
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

  async #runOn(
    slot: Slot,
    bytes: Uint8Array,
    maxPixels: number,
    options?: PreprocessOptions,
  ): Promise<Preprocessed> {
    const process = slot.process ??= new DecoderProcess();
    // Starting a process is not the image's time.
    await process.ready();
    const discard = () => {
      process.kill();
      // Its replacement starts now, so that it is ready by the next image.
      if (slot.process === process) slot.process = this.#closed ? undefined : new DecoderProcess();
    };
    const id = this.#nextId++;
    let timedOut = false;
    const deadline = startDeadline(this.timeoutMs, () => {
      timedOut = true;
      discard();
    });
    let reply: PreprocessReply;
    try {
      reply = await process.run({ id, bytes, maxPixels, options });
    } catch (error) {
      discard();
      if (timedOut) {
        throw new ApiError(
          422,
          "decode_timeout",
          `The image could not be decoded within ${
            Math.round(this.timeoutMs / 1000)
          } s: it is probably corrupt or crafted.`,
        );
      }
      throw new Error(`the preprocessing process failed: ${(error as Error).message}`);
    } finally {
      deadline.clear();
    }
    // A spike's memory goes back to the system with the process (V8 and
    // the allocator keep what they grew to, however little is in use).
    const grown = reply.rssBytes - process.startRss > this.recycleGrowthBytes;
    if (grown || process.jobs >= MAX_JOBS_PER_PROCESS) discard();
    if (reply.ok) {
      return { pre: reply.pre, decodeMs: reply.decodeMs, preprocessMs: reply.preprocessMs };
    }
    if (reply.error.code) {
      throw toApiError(new ImageDecodeError(reply.error.code, reply.error.message));
    }
    const error = new Error(`preprocessing failed in the decoder: ${reply.error.message}`);
    error.stack = reply.error.stack ?? error.stack;
    throw error;
  }
}

/** Pixels the header announces (what decoding will allocate); 0 when unreadable. */
function headerPixels(bytes: Uint8Array): number {
  try {
    const { width, height } = readImageInfo(bytes);
    return width * height;
  } catch {
    return 0;
  }
}
