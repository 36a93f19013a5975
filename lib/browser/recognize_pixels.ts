/**
 * One image through the whole browser pipeline: hash → history lookup (a
 * stored result comes back at once) → preprocessing → model → history save.
 * Storage is optional equipment: when IndexedDB is blocked, full, or slow
 * (private mode, quota), recognition carries on. lib/browser/history_store.ts reports
 * its own failures to the app's status bar (`onStorageProblem` there); this
 * module tells its caller only about what the store cannot see (no
 * `crypto.subtle` to hash with on a plain-http address, a thumbnail that
 * cannot be encoded), so no problem is announced twice.
 */
import { preprocessImage } from "../core/preprocess.ts";
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
import { classifyPreprocessed, getEngineState } from "./engine.ts";
import { IMAGE_SIDE, makeThumbnail } from "./thumbnail.ts";
import { resultWithLabel } from "./reading_feedback.ts";

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

/** How to treat one image. */
export interface RecognizeOptions {
  source: RecognitionSource;
  /** Bytes identifying the image (the file for uploads); default: its RGBA pixels. */
  hashBytes?: BufferSource;
  /** Look up and store in the history (default true; false for live drawing previews). */
  history?: boolean;
  /** The file name, kept with the history entry. */
  name?: string;
  /** Confidence under which a reading is "not sure" (default lib/core/recognize.ts's). */
  unsureBelow?: number;
  /** Called with a short message when the history cannot be used for a reason the store cannot see. */
  onStorageProblem?: (message: string) => void;
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
 * the model's outputs; boxes come from today's preprocessing when it agrees.
 * The user's correction wins over the model: its digits are certain
 * (confidence 1), and "" reads as no digit.
 */
export function resultFromHistory(
  entry: HistoryEntry,
  pre: PreprocessResult,
  unsureBelow = UNSURE_BELOW,
  preprocessMs = 0,
): RecognitionResult {
  const n = entry.probabilities.length;
  const stored: PreprocessResult = {
    ...pre,
    digits: entry.probabilities.map((_, i) => ({
      pixels: new Float32Array(0),
      box: pre.digits.length === n ? pre.digits[i].box : [0, 0, 0, 0],
    })),
  };
  const built = buildResult(stored, { probabilities: entry.probabilities }, {
    unsureBelow,
    preprocessMs,
  });
  // The reading as stored, not re-derived from the rounded probabilities.
  const read = n ? { ...built, digits: entry.digits } : built;
  return entry.correctedLabel === undefined ? read : resultWithLabel(read, entry.correctedLabel);
}

/** Recognises `pixels` (RGBA), using and filling the history as `options` say. */
export async function recognizePixels(
  pixels: ImageData,
  options: RecognizeOptions,
): Promise<RecognitionOutcome> {
  const useHistory = options.history !== false;
  let id: string | undefined;
  if (useHistory) {
    try {
      id = await hashImageBytes(options.hashBytes ?? pixels.data);
    } catch {
      // No crypto.subtle outside https and localhost: recognise without the history.
      options.onStorageProblem?.(
        "History is off on this insecure (http) address: results are not saved.",
      );
    }
  }
  const t0 = performance.now();
  const pre = preprocessImage(pixels);
  const preprocessMs = performance.now() - t0;
  const crops = pre.digits.map((d) => d.pixels);
  const version = getEngineState().modelVersion;

  if (id) {
    try {
      const entry = await withTimeout(findByHash(id), STORAGE_TIMEOUT_MS);
      // The user's correction holds whatever model read the image; a reading, only for its model.
      if (entry && (entry.correctedLabel !== undefined || entry.modelVersion === version)) {
        const result = resultFromHistory(entry, pre, options.unsureBelow, preprocessMs);
        return {
          result,
          crops,
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
      id = undefined; // Don't try to save where we cannot read.
    }
  }

  const { backend, ...result } = await classifyPreprocessed(
    pre,
    { unsureBelow: options.unsureBelow },
    preprocessMs,
  );
  if (id) {
    const entryId = id;
    // Saved in the background: the user sees the result without waiting for the disk.
    const saved = (async () => {
      const entry: HistoryEntry = {
        id: entryId,
        time: Date.now(),
        source: options.source,
        ...(options.name ? { name: options.name } : {}),
        thumbnail: await makeThumbnail(pixels),
        image: await makeThumbnail(pixels, IMAGE_SIDE),
        digits: result.digits,
        confidence: result.noDigit ? 0 : lowestConfidence(result),
        probabilities: result.predictions.map((p) => p.probabilities),
        backend,
        modelVersion: version ?? "unknown",
        // What the model saw: the history export uses it to fine-tune on the user's corrections.
        crops: packCrops(crops),
      };
      await saveEntry(entry); // Never rejects: the store reports its own failures.
    })().catch(() => options.onStorageProblem?.("This result could not be saved to the history."));
    return { result, crops, fromHistory: false, backend, historyId: entryId, saved };
  }
  return { result, crops, fromHistory: false, backend };
}
