/**
 * Decoder process of preprocess_pool.ts: reads jobs from stdin, decodes each
 * upload and preprocesses it into digit crops, writes the answers to stdout
 * (frames.ts). A decoder that loops forever on a hostile file (omggif's LZW
 * on a crafted GIF does) then costs only this process, which the pool kills
 * (a worker thread cannot be stopped in the middle of a loop), and its memory
 * goes with it. Run with read permission only: no network, no writes.
 */
import { decodeImageScaled, ImageDecodeError, warmDecoders } from "./decode_image.ts";
import { preprocessImage } from "../core/preprocess.ts";
import type { PreprocessJob, PreprocessReply } from "./preprocess_pool.ts";
import { encodeFrame, readFrames } from "./frames.ts";

/**
 * A large JPEG is decoded shrunk, but to no fewer pixels than twice the area
 * preprocessing works at (`workPixels`, 640×480 by default), so that it
 * still shrinks the image itself and reads the same digits.
 */
const MIN_DECODE_PIXELS = 2 * 640 * 480;

/** Decodes and preprocesses one job; never throws. */
async function handle(job: PreprocessJob): Promise<PreprocessReply> {
  const { id, bytes, maxPixels, options } = job;
  try {
    const t0 = performance.now();
    const minPixels = 2 * (options?.workPixels ?? MIN_DECODE_PIXELS / 2);
    const { image, scale } = await decodeImageScaled(bytes, { maxPixels, minPixels });
    const t1 = performance.now();
    const pre = preprocessImage(image, options);
    if (scale !== 1) {
      // Boxes in the file's pixels, as if it had been decoded in full.
      for (const digit of pre.digits) {
        digit.box = digit.box.map((v) => Math.round(v * scale)) as typeof digit.box;
      }
    }
    return {
      id,
      ok: true,
      pre,
      decodeMs: t1 - t0,
      preprocessMs: performance.now() - t1,
      rssBytes: Deno.memoryUsage().rss,
    };
  } catch (error) {
    const e = error as Error;
    return {
      id,
      ok: false,
      rssBytes: Deno.memoryUsage().rss,
      error: {
        code: error instanceof ImageDecodeError ? error.code : undefined,
        message: e?.message ?? String(error),
        stack: e?.stack,
      },
    };
  }
}

if (import.meta.main) {
  const out = Deno.stdout.writable.getWriter();
  await warmDecoders();
  // Tells the pool the decoders are loaded: its deadlines start after this.
  await out.write(encodeFrame({ id: 0, ready: true, rssBytes: Deno.memoryUsage().rss }));
  for await (const job of readFrames<PreprocessJob>(Deno.stdin.readable)) {
    await out.write(encodeFrame(await handle(job)));
  }
}
