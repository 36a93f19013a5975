/**
 * One image through the whole browser pipeline, on the page's side: the
 * reading comes from the recognition worker (recognizer_client.ts) while the
 * history is looked up (a stored result comes back at once), then the result
 * is saved. Storage is optional equipment: when IndexedDB is blocked, full,
 * or slow (private mode, quota), recognition carries on.
 * lib/browser/history_store.ts reports its own failures to the app's status
 * bar (`onStorageProblem` there); this module tells its caller only about
 * what the store cannot see (no `crypto.subtle` to hash with on a plain-http
 * address, a thumbnail that cannot be encoded), so no problem is announced twice.
 */
import { buildResult, UNSURE_BELOW } from "../core/result.ts";
import type { PreprocessResult, RecognitionResult } from "../core/image_types.ts";
import {
  findByHash,
  hashImageBytes,
  type HistoryEntry,
  type RecognitionSource,
  saveEntry,
} from "./history_store.ts";
import { packCrops } from "../core/history_export.ts";
import { getEngineState, send } from "./recognizer_client.ts";
import { resultWithLabel } from "./reading_feedback.ts";
import type { Reading } from "./recognition_service.ts";

/** What the UI needs to show one recognition. */
export interface RecognitionOutcome {
  result: RecognitionResult;
  /** The 28×28 inputs the model saw (784 values in [0, 1], white on black), left to right. */
  crops: Float32Array[];
  /** True when the result came from the history instead of the model. */
  fromHistory: boolean;
  backend: string;
  /** The history entry's id (the image's hash), when the history is in use. */
  historyId?: string;
  /** Settles once the entry is stored (corrections wait for it); absent when nothing is saved. */
  saved?: Promise<void>;
  /** The user's own label for this image ("" = no digit), when they corrected it before. */
  correctedLabel?: string;
  /** True when the user confirmed this reading before. */
  confirmed?: boolean;
}

/** A recognition with the picture it was made from, for a result card. */
export interface ShownOutcome {
  outcome: RecognitionOutcome;
  /** The picture as read (a small JPEG), when there is one. */
  preview?: Blob;
  /** Size of the pixels that were read (boxes are in these units). */
  size: [number, number];
}

/** How to treat one image. */
export interface RecognizePixelsOptions {
  source: RecognitionSource;
  /** Look up and store in the history (default true; false for live previews). */
  history?: boolean;
  /** Called with a short message when the history cannot be used for a reason the store cannot see. */
  onStorageProblem?: (message: string) => void;
  /** The file name, kept with the history entry. */
  name?: string;
}

const STORAGE_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  // A blocked IndexedDB open may never settle: never let it hold a result back.
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error("the history did not answer")), ms)
    ),
  ]);
}

/** The lowest per-digit confidence (1 when there is no digit: nothing to doubt). */
export function lowestConfidence(result: RecognitionResult): number {
  return result.predictions.reduce((m, p) => Math.min(m, p.confidence), 1);
}

/**
 * Rebuilds a result from a history entry with lib/core/result.ts, as a fresh
 * recognition would be built: the stored per-digit probabilities stand for
 * the model's outputs; boxes come from today's reading when it agrees.
 * The user's correction wins over the model: its digits are certain
 * (confidence 1), and "" reads as no digit.
 */
export function resultFromHistory(
  entry: HistoryEntry,
  today: RecognitionResult,
  unsureBelow = UNSURE_BELOW,
): RecognitionResult {
  const n = entry.probabilities.length;
  const boxes = today.predictions.map((p) => p.box);
  const stored: PreprocessResult = {
    digits: entry.probabilities.map((_, i) => ({
      pixels: new Float32Array(0),
      box: boxes.length === n ? boxes[i] : [0, 0, 0, 0],
    })),
    inverted: false,
    workSize: [0, 0],
    reason: today.reason,
  };
  const built = buildResult(stored, { probabilities: entry.probabilities }, {
    unsureBelow,
    preprocessMs: today.timings.preprocessMs,
  });
  // The reading as stored, not re-derived from the rounded probabilities.
  const read = n
    ? {
      ...built,
      digits: entry.digits,
      ...(entry.reading ? { reading: entry.reading } : {}),
      ...(entry.turned !== undefined ? { turned: entry.turned } : {}),
    }
    // A stored "no digit" says what it saw, as it did when first read.
    : { ...built, ...(entry.kind ?? today.kind ? { kind: entry.kind ?? today.kind } : {}) };
  return entry.correctedLabel === undefined ? read : resultWithLabel(read, entry.correctedLabel);
}

async function hashFor(
  bytes: () => Promise<BufferSource>,
  options: RecognizePixelsOptions,
): Promise<string | undefined> {
  if (options.history === false) return undefined;
  try {
    return await hashImageBytes(await bytes());
  } catch {
    // No crypto.subtle outside https and localhost: recognise without the history.
    options.onStorageProblem?.(
      "History is off on this insecure (http) address: results are not saved.",
    );
    return undefined;
  }
}

/**
 * The history's side of one reading: a stored result for the same image and
 * model wins; otherwise the new one is saved (in the background).
 */
async function withHistory(
  id: string | undefined,
  reading: Reading,
  options: RecognizePixelsOptions,
): Promise<RecognitionOutcome> {
  const { backend, ...result } = reading.result;
  const version = getEngineState().modelVersion;
  if (id) {
    try {
      const entry = await withTimeout(findByHash(id), STORAGE_TIMEOUT_MS);
      // The user's correction holds whatever model read the image; a reading, only for its model.
      if (entry && (entry.correctedLabel !== undefined || entry.modelVersion === version)) {
        return {
          result: resultFromHistory(entry, result),
          crops: reading.crops,
          fromHistory: true,
          backend: entry.backend,
          historyId: id,
          correctedLabel: entry.correctedLabel,
          confirmed: entry.confirmed,
        };
      }
    } catch {
      // The store answers within its own timeout and reports the problem to the status bar;
      // this shorter one only keeps a slow disk from holding the result back.
      return { result, crops: reading.crops, fromHistory: false, backend };
    }
    const thumbnail = reading.thumbnail;
    if (thumbnail) {
      const entry: HistoryEntry = {
        id,
        time: Date.now(),
        source: options.source,
        ...(options.name ? { name: options.name } : {}),
        thumbnail,
        ...(reading.image ? { image: reading.image } : {}),
        digits: result.digits,
        ...(result.reading ? { reading: result.reading } : {}),
        ...(result.turned !== undefined ? { turned: result.turned } : {}),
        ...(result.noDigit && result.kind ? { kind: result.kind } : {}),
        confidence: result.noDigit ? 0 : lowestConfidence(result),
        probabilities: result.predictions.map((p) => p.probabilities),
        backend,
        modelVersion: version ?? "unknown",
        // What the model saw: the history export uses it to fine-tune on the user's corrections.
        crops: packCrops(reading.crops),
      };
      // Saved in the background: the user sees the result without waiting for the disk.
      const saved = saveEntry(entry).catch(() =>
        options.onStorageProblem?.("This result could not be saved to the history.")
      );
      return { result, crops: reading.crops, fromHistory: false, backend, historyId: id, saved };
    }
    options.onStorageProblem?.("This result could not be saved to the history.");
  }
  return { result, crops: reading.crops, fromHistory: false, backend };
}

function shown(outcome: RecognitionOutcome, reading: Reading): ShownOutcome {
  return { outcome, preview: reading.preview, size: reading.size };
}

/** Reads an image file (decoded in the worker at the working size) and keeps it in the history. */
export async function recognizeFile(
  file: Blob,
  options: RecognizePixelsOptions,
): Promise<ShownOutcome> {
  const [reading, id] = await Promise.all([
    send<Reading>({ type: "readFile", file }),
    hashFor(() => file.arrayBuffer(), options),
  ]);
  return shown(await withHistory(id, reading, options), reading);
}

/** Reads RGBA pixels (a drawing), keeping them in the history unless `history` is false. */
export async function recognizePixels(
  pixels: ImageData,
  options: RecognizePixelsOptions,
): Promise<RecognitionOutcome> {
  const keep = options.history !== false;
  // The hash first: the pixels are handed to the worker (transferred) afterwards.
  const id = await hashFor(() => Promise.resolve(pixels.data), options);
  const copy = new ImageData(new Uint8ClampedArray(pixels.data), pixels.width, pixels.height);
  const reading = await send<Reading>({ type: "readPixels", pixels: copy, keep }, [
    copy.data.buffer,
  ]);
  return await withHistory(id, reading, options);
}

/** Reads a camera frame (live: no history); the worker keeps it a while for `keepFrame`. */
export function readFrame(frame: ImageBitmap, frameId: number): Promise<Reading> {
  return send<Reading>({ type: "readFrame", frame, frameId }, [frame]);
}

/** A camera frame read moments ago, with its reading, kept in the history (a capture). */
export async function keepFrame(
  frameId: number,
  options: RecognizePixelsOptions,
): Promise<ShownOutcome> {
  const reading = await send<Reading>({ type: "keepFrame", frameId });
  const id = reading.pixels
    ? await hashFor(() => Promise.resolve(reading.pixels!.data), options)
    : undefined;
  return shown(await withHistory(id, reading, options), reading);
}
