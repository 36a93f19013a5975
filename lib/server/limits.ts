/**
 * Limits of the prediction API, with defaults and their environment
 * overrides. They are all checked before the expensive step they protect:
 * body size and the shared body budget while streaming; pixel count, aspect
 * ratio and the request's total pixels from the headers before decoding;
 * queue room once the body has arrived (a slow sender holds no place).
 */
import { DEFAULT_MAX_PIXELS } from "./decode_image.ts";
import { type ConnectionLimits, defaultConnectionLimits } from "../../framework/http_server.ts";

/** Every bound the API enforces. */
export interface ApiLimits {
  /** Largest request body in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Largest image in pixels, read from its header (413 beyond). */
  maxPixels: number;
  /** Most images in one multipart request (413 beyond). */
  maxImages: number;
  /** Most pixels of all the images of one request together (413 beyond). */
  maxRequestPixels: number;
  /** Longest side over shortest side of an image (413 beyond): a 50,000,000×1 line is no photo. */
  maxAspectRatio: number;
  /** Bytes of bodies held at once, arriving or waiting for a turn (503 beyond). */
  bodyBudgetBytes: number;
  /** Requests recognised at the same time (one decoding worker each). */
  concurrency: number;
  /** Requests admitted beyond `concurrency`, waiting their turn (503 beyond). */
  maxQueued: number;
  /** Time allowed to receive the whole body, so a slow sender cannot hold a slot (408). */
  bodyTimeoutMs: number;
  /** Time allowed to decode and preprocess one image before its worker is killed (422). */
  decodeTimeoutMs: number;
}

/** Defaults: a 10 MB body, the decoder's pixel limit, one recognition at a time. */
export const DEFAULT_LIMITS: Readonly<ApiLimits> = Object.freeze({
  maxBodyBytes: 10 * 1024 * 1024,
  maxPixels: DEFAULT_MAX_PIXELS,
  maxImages: 16,
  // One 48 MP photo and a few small ones; 16 photos of 50 MP in one request would hold a worker for a minute.
  maxRequestPixels: 64_000_000,
  // Panoramas are about 4:1, a long number on a strip of paper 20:1.
  maxAspectRatio: 40,
  bodyBudgetBytes: 128 * 1024 * 1024,
  // One decoder process per core; the pool's pixel budget (maxRequestPixels)
  // keeps two huge images from being decoded at once whatever this is.
  concurrency: Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1)),
  maxQueued: 32,
  bodyTimeoutMs: 30_000,
  // A 48 MP photo takes a few seconds on a slow core; a hostile file can take forever.
  decodeTimeoutMs: 20_000,
});

const ENV_NAMES: Record<keyof ApiLimits, string> = {
  maxBodyBytes: "API_MAX_BODY_BYTES",
  maxPixels: "API_MAX_PIXELS",
  maxImages: "API_MAX_IMAGES",
  maxRequestPixels: "API_MAX_REQUEST_PIXELS",
  maxAspectRatio: "API_MAX_ASPECT_RATIO",
  bodyBudgetBytes: "API_BODY_BUDGET_BYTES",
  concurrency: "API_CONCURRENCY",
  maxQueued: "API_MAX_QUEUED",
  bodyTimeoutMs: "API_BODY_TIMEOUT_MS",
  decodeTimeoutMs: "API_DECODE_TIMEOUT_MS",
};

/**
 * The limits with overrides from `get` (environment variables by default,
 * e.g. `API_MAX_BODY_BYTES`). A value that is not a positive integer
 * (zero for `API_MAX_QUEUED`) is an error, so a typo cannot lift a limit.
 */
export function limitsFromEnv(
  get: (name: string) => string | undefined = (name) => Deno.env.get(name),
): ApiLimits {
  return overrideFromEnv(
    { ...DEFAULT_LIMITS },
    ENV_NAMES,
    get,
    (key) => key === "maxQueued" ? 0 : 1,
  );
}

const CONNECTION_ENV_NAMES: Record<keyof ConnectionLimits, string> = {
  headersTimeoutMs: "HTTP_HEADERS_TIMEOUT_MS",
  requestTimeoutMs: "HTTP_REQUEST_TIMEOUT_MS",
  keepAliveTimeoutMs: "HTTP_KEEP_ALIVE_TIMEOUT_MS",
  maxConnections: "HTTP_MAX_CONNECTIONS",
};

/**
 * The listener's connection limits (framework/http_server.ts) with overrides
 * from `HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`,
 * `HTTP_KEEP_ALIVE_TIMEOUT_MS` and `HTTP_MAX_CONNECTIONS`.
 */
export function connectionLimitsFromEnv(
  get: (name: string) => string | undefined = (name) => Deno.env.get(name),
): ConnectionLimits {
  return overrideFromEnv(defaultConnectionLimits(), CONNECTION_ENV_NAMES, get, () => 1);
}

/** Replaces fields of `limits` by the positive integers found in the environment. */
function overrideFromEnv<T extends object>(
  limits: T,
  names: Record<keyof T, string>,
  get: (name: string) => string | undefined,
  minimum: (key: keyof T) => number,
): T {
  for (const key of Object.keys(names) as (keyof T)[]) {
    const raw = get(names[key]);
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    const min = minimum(key);
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`${names[key]} must be an integer ≥ ${min}, got "${raw}"`);
    }
    (limits as Record<keyof T, unknown>)[key] = value;
  }
  return limits;
}
