/**
 * Reads a request body with a hard byte cap and a deadline. Content-Length is
 * only a shortcut for refusing early: the count is kept while streaming, so a
 * chunked body, or one longer than it claimed, is cut off at the limit too and
 * never buffered beyond it.
 */
import { ApiError } from "./api_error.ts";

/** Bounds for {@link readBodyCapped}. */
export interface ReadBodyOptions {
  /** Most bytes accepted; one more is a 413. */
  maxBytes: number;
  /** Milliseconds allowed for the whole body; past them, a 408. */
  timeoutMs: number;
}

/** Formats a byte count for messages, e.g. "10 MB". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
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
  const { maxBytes, timeoutMs } = options;
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
  const timer = setTimeout(() => {
    timedOut = true;
    // Cancelling makes the pending read() settle, which ends the loop below.
    reader.cancel().catch(() => {});
  }, timeoutMs);
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
      chunks.push(result.value);
    }
  } finally {
    clearTimeout(timer);
  }
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
