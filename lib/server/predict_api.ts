/**
 * `POST /api/predict` and `GET /api/health` as plain `Request → Response`
 * functions, so the route files stay one line each and tests can call them
 * with their own service, queue and limits.
 */
import { ApiError, errorResponse, jsonError, jsonResponse } from "./api_error.ts";
import { BoundedQueue, QueueFullError } from "./bounded_queue.ts";
import type { ApiLimits } from "./limits.ts";
import { limitsFromEnv } from "./limits.ts";
import { type ModelService, sharedModelService } from "./model_service.ts";
import { type Preprocessed, PreprocessPool } from "./preprocess_pool.ts";
import { readUploads, type Upload, withImageContext } from "./uploads.ts";
import type { RecognitionResult } from "../core/image_types.ts";
import { outcomeJson } from "../core/result_json.ts";

/** What the API handlers work with. */
export interface ApiDeps {
  service: ModelService;
  queue: BoundedQueue;
  pool: PreprocessPool;
  limits: ApiLimits;
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
 * The predict handler: admission to the queue first (503 `busy` with
 * Retry-After when full, before reading a byte of the body), then the
 * capped body and every image's header checked, and only when its turn
 * comes, decoding and preprocessing in a worker and the model here.
 */
export function createPredictHandler(deps: ApiDeps): (req: Request) => Promise<Response> {
  return async (req) => {
    const started = performance.now();
    let ticket;
    try {
      ticket = deps.queue.admit();
    } catch (error) {
      if (!(error instanceof QueueFullError)) return errorResponse(error, "POST /api/predict");
      await req.body?.cancel().catch(() => {});
      return jsonError(
        503,
        "busy",
        "The server is busy recognising other images; retry after the time in Retry-After.",
        { "Retry-After": String(error.retryAfterSeconds) },
      );
    }
    try {
      const { multipart, images: uploads } = await readUploads(req, deps.limits);
      await deps.service.model();
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
      ticket.release();
    }
  };
}

/**
 * The health handler: 200 with the model version once the model is loaded,
 * 503 while it loads or when it failed, so a load balancer can wait for it.
 * Memory figures let the load benchmark see leaks from outside the process.
 */
export function createHealthHandler(deps: ApiDeps): (req: Request) => Response {
  return () => {
    const { service, queue } = deps;
    const body = {
      status: service.state === "ready"
        ? "ready"
        : service.state === "failed"
        ? "failed"
        : "loading",
      model_version: service.version ?? null,
      backend: service.backend ?? null,
      queue: queue.stats(),
      memory: {
        rss_bytes: Deno.memoryUsage().rss,
        // Asking the engine before a backend is chosen would start one: null until ready.
        tf_tensors: service.state === "ready" ? service.numTensors() : null,
      },
    };
    if (service.state === "ready") return jsonResponse(body);
    const error = service.state === "failed"
      ? new ApiError(503, "model_unavailable", "The recognition model could not be loaded.")
      : new ApiError(503, "model_loading", "The recognition model is still loading.");
    return jsonResponse({ ...body, error: { code: error.code, message: error.message } }, 503, {
      "Retry-After": service.state === "failed" ? "60" : "1",
    });
  };
}

let shared: ApiDeps | undefined;

/**
 * The process-wide service, queue and limits (limits from the environment,
 * see limits.ts), shared by the route files and main.ts.
 */
export function sharedApiDeps(): ApiDeps {
  if (!shared) {
    const limits = limitsFromEnv();
    shared = {
      service: sharedModelService(),
      queue: new BoundedQueue({ concurrency: limits.concurrency, maxQueued: limits.maxQueued }),
      // One worker per running request: the queue never lets more run at once.
      pool: new PreprocessPool({ size: limits.concurrency, timeoutMs: limits.decodeTimeoutMs }),
      limits,
    };
  }
  return shared;
}
