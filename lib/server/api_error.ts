/**
 * The API's single error shape, `{ "error": { "code", "message" } }`, and the
 * error class handlers throw to produce it. Every failure of an API request
 * ends up here, so clients only ever parse one kind of error body.
 */

/** An API failure with its HTTP status, a stable machine-readable code and a human message. */
export class ApiError extends Error {
  /** HTTP status to answer with (4xx for the client's fault, 5xx for ours). */
  readonly status: number;
  /** Stable, machine-readable code, e.g. `body_too_large`. */
  readonly code: string;
  /** Extra response headers, e.g. `Retry-After` on 503. */
  readonly headers: Record<string, string>;
  /** Extra fields for the error object, e.g. which image of a multi-image request failed. */
  readonly details: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { headers?: Record<string, string>; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.headers = options.headers ?? {};
    this.details = options.details ?? {};
  }
}

/** A JSON response that must never be cached (answers depend on the upload). */
export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      ...headers,
    },
  });
}

/** `{ "error": { "code", "message", ...details } }` with `status`. */
export function jsonError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  details: Record<string, unknown> = {},
): Response {
  return jsonResponse({ error: { code, message, ...details } }, status, headers);
}

/**
 * Turns anything thrown while handling an API request into a JSON error.
 * Unknown errors are logged with their stack on the server and answered as a
 * bare 500, so no internal detail reaches the client.
 */
export function errorResponse(error: unknown, context = "API request"): Response {
  if (error instanceof ApiError) {
    return jsonError(error.status, error.code, error.message, error.headers, error.details);
  }
  console.error(`Unexpected error in ${context}:`, error);
  return jsonError(500, "internal", "The server failed to handle this request.");
}
