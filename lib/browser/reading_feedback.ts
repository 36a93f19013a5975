/**
 * The user's word on a reading, given on the result card: "right" (confirm)
 * or the right label (a digit, a whole number, or "" for no digit). Stored on
 * the image's history entry, so the same image recognised again returns it,
 * and the personal model learns from it.
 */
import { isValidLabel, setCorrection } from "./history_store.ts";
import type { RecognitionOutcome } from "./recognize_pixels.ts";
import type { RecognitionResult } from "../core/image_types.ts";

/** Why feedback could not be kept, in words for the user. */
export class FeedbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FeedbackError";
  }
}

/**
 * Stores `label` as the right reading of the outcome's image (its own reading
 * = confirmed; `null` = take back). Waits for the entry's save first.
 */
export async function giveFeedback(
  outcome: RecognitionOutcome,
  label: string | null,
): Promise<void> {
  if (label !== null && !isValidLabel(label)) {
    throw new FeedbackError("Type the digits you see (up to 16), or choose “No digit”.");
  }
  if (!outcome.historyId) {
    throw new FeedbackError("The history is off here, so this correction cannot be kept.");
  }
  await outcome.saved;
  const updated = await setCorrection(outcome.historyId, label);
  if (!updated) throw new FeedbackError("This result is no longer in your history.");
}

/** `result` as the user says it reads: their digits, certain; "" = no digit. */
export function resultWithLabel(result: RecognitionResult, label: string): RecognitionResult {
  const boxes = result.predictions.length === label.length
    ? result.predictions.map((p) => p.box)
    : undefined;
  const predictions = [...label].map((ch, i) => {
    const digit = Number(ch);
    return {
      digit,
      confidence: 1,
      probabilities: Array.from({ length: 10 }, (_, k) => (k === digit ? 1 : 0)),
      box: boxes?.[i] ?? [0, 0, 0, 0] as [number, number, number, number],
    };
  });
  return {
    ...result,
    digits: label,
    // The user's digits replace the model's reading, its decimal mark with it.
    reading: undefined,
    predictions,
    noDigit: label === "",
    unsure: false,
    reason: label === "" ? "you said there is no digit" : undefined,
  };
}
