/**
 * Reads a request body with a hard byte cap and a deadline. Content-Length is
 * only a shortcut for refusing early: the count is kept while streaming, so a
 * chunked body, or one longer than it claimed, is cut off at the limit too and
 * never buffered beyond it.
 */
import { ApiError } from "./api_error.ts";
import type { ByteBudget } from "./byte_budget.ts";
import { startDeadline } from "./deadline.ts";
import { formatBytes } from "../core/format.ts";

/** Bounds for {@link readBodyCapped}. */
export interface ReadBodyOptions {
  /** Most bytes accepted; one more is a 413. */
  maxBytes: number;
  /** Milliseconds allowed for the whole body; past them, a 408 (see deadline.ts). */
  timeoutMs: number;
  /**
   * Shared budget the bytes are reserved from as they arrive (503 `busy`
   * when it is spent). On success the caller releases the body's length
   * once done with it; on failure nothing stays reserved.
   */
  budget?: ByteBudget;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    "body_too_large",
    `The request body is larger than the limit of ${formatBytes(maxBytes)}.`,
  );
}

/**
 * Reads `req`'s body into one buffer of at most `maxBytes`. Throws `ApiError`
 * 413 `body_too_large` (declared or streamed past the cap), 408 `body_timeout`
 * (not received in time) or 400 `body_unreadable` (the client went away).
 * The stream is cancelled on every failure, so nothing more is read.
 */
export async function readBodyCapped(req: Request, options: ReadBodyOptions): Promise<Uint8Array> {
  const { maxBytes, timeoutMs, budget } = options;
  const declared = req.headers.get("Content-Length");
  if (declared !== null && Number(declared) > maxBytes) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timedOut = false;
  const deadline = startDeadline(timeoutMs, () => {
    timedOut = true;
    // Cancelling makes the pending read() settle, which ends the loop below.
    reader.cancel().catch(() => {});
  });
  try {
    while (true) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch {
        if (timedOut) break;
        throw new ApiError(400, "body_unreadable", "The request body could not be read.");
      }
      if (timedOut) break;
      if (result.done) break;
      total += result.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      if (budget && !budget.tryReserve(result.value.byteLength)) {
        await reader.cancel().catch(() => {});
        throw new ApiError(
          503,
          "busy",
          "The server is receiving too many uploads at once; retry after the time in Retry-After.",
          { headers: { "Retry-After": "2" } },
        );
      }
      chunks.push(result.value);
    }
  } catch (error) {
    budget?.release(chunks.reduce((n, c) => n + c.byteLength, 0));
    throw error;
  } finally {
    deadline.clear();
  }
  if (timedOut) budget?.release(chunks.reduce((n, c) => n + c.byteLength, 0));
  if (timedOut) {
    throw new ApiError(
      408,
      "body_timeout",
      `The request body did not arrive within ${Math.round(timeoutMs / 1000)} s.`,
    );
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
