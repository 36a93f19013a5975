/**
 * Worker side of preprocess_pool.ts: decodes one upload and preprocesses it
 * into digit crops, off the main thread. A decoder that loops forever on a
 * hostile file (omggif's LZW on a crafted GIF does) then costs only this
 * worker, which the pool terminates, and never the server.
 */
/// <reference lib="deno.worker" />
import { decodeImage, ImageDecodeError } from "./decode_image.ts";
import { preprocessImage } from "../core/preprocess.ts";
import type { PreprocessJob, PreprocessReply } from "./preprocess_pool.ts";

self.onmessage = async (event: MessageEvent<PreprocessJob>) => {
  const { id, bytes, maxPixels, options } = event.data;
  let reply: PreprocessReply;
  try {
    const t0 = performance.now();
    const image = await decodeImage(bytes, { maxPixels: maxPixels });
    const t1 = performance.now();
    const pre = preprocessImage(image, options);
    reply = {
      id,
      ok: true,
      pre,
      decodeMs: t1 - t0,
      preprocessMs: performance.now() - t1,
    };
  } catch (error) {
    const e = error as Error;
    reply = {
      id,
      ok: false,
      error: {
        code: error instanceof ImageDecodeError ? error.code : undefined,
        message: e?.message ?? String(error),
        stack: e?.stack,
      },
    };
  }
  self.postMessage(reply);
};
