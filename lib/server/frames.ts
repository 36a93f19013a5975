/**
 * Messages between the server and its decoder processes (preprocess_pool.ts):
 * each is a 4-byte little-endian length, then the value in V8's structured
 * clone format (`node:v8` serialize), so typed arrays cross intact.
 */
import { deserialize, serialize } from "node:v8";

/** One framed message for `value`. */
export function encodeFrame(value: unknown): Uint8Array {
  const body = serialize(value);
  const out = new Uint8Array(4 + body.byteLength);
  new DataView(out.buffer).setUint32(0, body.byteLength, true);
  out.set(body, 4);
  return out;
}

/** Yields the values of the frames read from `stream`, in order, until it ends. */
export async function* readFrames<T>(stream: ReadableStream<Uint8Array>): AsyncGenerator<T> {
  let buffer = new Uint8Array(0);
  for await (const chunk of stream) {
    const joined = new Uint8Array(buffer.byteLength + chunk.byteLength);
    joined.set(buffer);
    joined.set(chunk, buffer.byteLength);
    buffer = joined;
    while (buffer.byteLength >= 4) {
      const length = new DataView(buffer.buffer, buffer.byteOffset).getUint32(0, true);
      if (buffer.byteLength < 4 + length) break;
      yield deserialize(buffer.subarray(4, 4 + length)) as T;
      buffer = buffer.subarray(4 + length);
    }
  }
}
