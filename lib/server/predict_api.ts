/**
 * `POST /api/predict` and `GET /api/health` as plain `Request → Response`
 * functions, so the route files stay one line each and tests can call them
 * with their own service, queue and limits.
 */
import { ApiError, errorResponse, jsonResponse } from "./api_error.ts";
import { BoundedQueue, QueueFullError } from "./bounded_queue.ts";
import type { ApiLimits } from "./limits.ts";
import { limitsFromEnv } from "./limits.ts";
import { type ModelService, sharedModelService } from "./model_service.ts";
import { type Preprocessed, PreprocessPool } from "./preprocess_pool.ts";
import { readUploads, type Upload, withImageContext } from "./uploads.ts";
import { ByteBudget } from "./byte_budget.ts";
import { clientAddress, isLoopback } from "../../framework/http_server.ts";
import type { RecognitionResult } from "../core/image_types.ts";
import { outcomeJson } from "../core/result_json.ts";

/** What the API handlers work with. */
export interface ApiDeps {
  service: ModelService;
  queue: BoundedQueue;
  pool: PreprocessPool;
  limits: ApiLimits;
  /** Bytes of request bodies held at once (see byte_budget.ts). */
  budget: ByteBudget;
  /** Whether /api/health shows memory and queue figures to any client, not only to this machine. */
  publicHealthDetails?: boolean;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The answer for one image. */
function imageJson(
  upload: Upload,
  result: RecognitionResult,
  { decodeMs }: Preprocessed,
  ms: number,
) {
  return {
    ...(upload.name ? { name: upload.name } : {}),
    format: upload.info.format,
    // As the image is shown (EXIF orientation applied): boxes are in these coordinates.
    width: upload.info.displayWidth,
    height: upload.info.displayHeight,
    ...outcomeJson(result, { probabilities: true }),
    time_ms: round(ms, 1),
    timings: {
      decode_ms: round(decodeMs, 1),
      preprocess_ms: round(result.timings.preprocessMs, 1),
      model_ms: round(result.timings.modelMs, 1),
    },
  };
}

/**
 * The predict handler: the body is read first (capped in size and time, its
 * bytes drawn from the shared body budget) and every image's header checked;
 * only then does the request take a place in the queue (503 `busy` with
 * Retry-After when full), so a slow sender holds no place. When its turn
 * comes, decoding and preprocessing run in a decoder process and the model
 * here.
 */
export function createPredictHandler(deps: ApiDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    const started = performance.now();
    let ticket;
    let bodyBytes = 0;
    try {
      // Known to fail: do not read a body the model cannot be run on.
      if (deps.service.waitingToRetry()) {
        await req.body?.cancel().catch(() => {});
        await deps.service.model();
      }
      const read = await readUploads(req, deps.limits, deps.budget);
      bodyBytes = read.bodyBytes;
      const { multipart, images: uploads } = read;
      // Waiting for the model holds no queue place (it has its own deadline).
      await deps.service.model();
      try {
        ticket = deps.queue.admit();
      } catch (error) {
        if (!(error instanceof QueueFullError)) throw error;
        throw new ApiError(
          503,
          "busy",
          "The server is busy recognising other images; retry after the time in Retry-After.",
          { headers: { "Retry-After": String(error.retryAfterSeconds) } },
        );
      }
      const queuedAt = performance.now();
      await ticket.turn();
      const runStarted = performance.now();
      const images = [];
      for (const [index, upload] of uploads.entries()) {
        const t0 = performance.now();
        let prepared: Preprocessed;
        try {
          prepared = await deps.pool.run(upload.bytes, deps.limits.maxPixels);
        } catch (error) {
          throw multipart ? withImageContext(error, index, upload.name) : error;
        }
        const result = await deps.service.classify(prepared.pre, prepared.preprocessMs);
        images.push(imageJson(upload, result, prepared, performance.now() - t0));
      }
      return jsonResponse({
        model_version: deps.service.version,
        backend: deps.service.backend,
        images,
        queue_ms: round(runStarted - queuedAt, 1),
        time_ms: round(performance.now() - started, 1),
      });
    } catch (error) {
      return errorResponse(error, "POST /api/predict");
    } finally {
      ticket?.release();
      deps.budget.release(bodyBytes);
    }
  };
}

/**
 * The health handler: 200 with the model version once the model is loaded,
 * 503 while it loads or when it failed (Retry-After: when the next attempt
 * is due), so a load balancer can wait for it. Queue and memory figures
 * (for the load benchmark and operators) only go to clients on this machine,
 * or to anyone with `API_HEALTH_DETAILS=1`: they tell an attacker how close
 * the server is to its limits.
 */
export function createHealthHandler(deps: ApiDeps): (req: Request) => Response {
  return (req) => {
    const { service, queue } = deps;
    const details = deps.publicHealthDetails || isLoopback(clientAddress(req));
    const body = {
      status: service.state === "ready"
        ? "ready"
        : service.state === "failed"
        ? "failed"
        : "loading",
      model_version: service.version ?? null,
      backend: service.backend ?? null,
      ...(details
        ? {
          queue: queue.stats(),
          memory: {
            rss_bytes: Deno.memoryUsage().rss,
            // The decoder processes' memory is the server's too.
            decoders_rss_bytes: processesRss(deps.pool.pids()),
            // Asking the engine before a backend is chosen would start one: null until ready.
            tf_tensors: service.state === "ready" ? service.numTensors() : null,
          },
        }
        : {}),
    };
    if (service.state === "ready") return jsonResponse(body);
    const error = service.state === "failed"
      ? new ApiError(503, "model_unavailable", "The recognition model could not be loaded.")
      : new ApiError(503, "model_loading", "The recognition model is still loading.");
    return jsonResponse({ ...body, error: { code: error.code, message: error.message } }, 503, {
      "Retry-After": String(service.state === "failed" ? service.retryAfterSeconds() : 1),
    });
  };
}

/** Resident memory of the processes `pids` together, from /proc (0 where unknown). */
function processesRss(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const pages = Number(Deno.readTextFileSync(`/proc/${pid}/statm`).split(" ")[1]);
      total += pages * 4096;
    } catch { /* exited meanwhile, or no /proc */ }
  }
  return total;
}

let shared: ApiDeps | undefined;

/**
 * The process-wide service, queue, pool and limits (limits from the
 * environment, see limits.ts), shared by the route files and main.ts.
 */
export function sharedApiDeps(): ApiDeps {
  if (!shared) {
    const limits = limitsFromEnv();
    shared = {
      service: sharedModelService(),
      queue: new BoundedQueue({ concurrency: limits.concurrency, maxQueued: limits.maxQueued }),
      // One decoder per running request: the queue never lets more run at once.
      pool: new PreprocessPool({
        size: limits.concurrency,
        timeoutMs: limits.decodeTimeoutMs,
        pixelBudget: limits.maxRequestPixels,
      }),
      limits,
      budget: new ByteBudget(limits.bodyBudgetBytes),
      publicHealthDetails: Deno.env.get("API_HEALTH_DETAILS") === "1",
    };
  }
  return shared;
}
