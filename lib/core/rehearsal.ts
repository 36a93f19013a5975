/**
 * The rehearsal digits shipped with the app (static/personal/, made by
 * training/make_rehearsal.ts): a few hundred MNIST training digits, balanced
 * over the ten classes, that the personal model keeps practising on so that
 * learning one person's handwriting does not unlearn everyone else's.
 */
import { type DigitSet, pairImagesLabels, parseIdx } from "./idx.ts";

/** Where the app serves the rehearsal digits (gzip-compressed IDX files). */
export const REHEARSAL_IMAGES_PATH = "/personal/rehearsal-images.idx.gz";
/** Their labels (an IDX file of N bytes). */
export const REHEARSAL_LABELS_PATH = "/personal/rehearsal-labels.idx";

async function maybeGunzip(bytes: Uint8Array): Promise<Uint8Array> {
  // A server may already have undone the gzip (Content-Encoding): look at the magic bytes.
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Reads the rehearsal files into a digit set (throws `IdxError` on malformed files). */
export async function decodeRehearsal(images: Uint8Array, labels: Uint8Array): Promise<DigitSet> {
  return pairImagesLabels(
    parseIdx(await maybeGunzip(images), "rehearsal images"),
    parseIdx(await maybeGunzip(labels), "rehearsal labels"),
    "rehearsal digits",
  );
}

/** The 28×28 model inputs (values in [0, 1]) of a digit set, one per digit. */
export function digitInputs(set: DigitSet): Float32Array[] {
  const size = set.rows * set.cols;
  return Array.from({ length: set.count }, (_, i) => {
    const out = new Float32Array(size);
    for (let k = 0; k < size; k++) out[k] = set.images[i * size + k] / 255;
    return out;
  });
}
