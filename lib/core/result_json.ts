/**
 * A recognition result in the wire format shared by the API and the CLI
 * (snake_case, confidences rounded), converted here at the edge so both
 * answer the same way. Documented in the README's API section.
 */
import type { RecognitionResult } from "./image_types.ts";

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * `digits`, `predictions` (digit, confidence, box; the ten probabilities
 * with `probabilities: true`; `not_digit` when the no-digit head ran),
 * `no_digit`, `unsure`, and for a no-digit answer `reason` and `kind`;
 * shapes left out of the reading as `rejected`.
 */
export function outcomeJson(result: RecognitionResult, options: { probabilities?: boolean } = {}) {
  return {
    digits: result.digits,
    predictions: result.predictions.map((p) => ({
      digit: p.digit,
      confidence: round4(p.confidence),
      ...(options.probabilities ? { probabilities: p.probabilities } : {}),
      box: p.box,
      ...(p.notDigit !== undefined ? { not_digit: p.notDigit } : {}),
    })),
    no_digit: result.noDigit,
    unsure: result.unsure,
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.kind ? { kind: result.kind } : {}),
    ...(result.rejected?.length
      ? {
        rejected: result.rejected.map((r) => ({
          box: r.box,
          kind: r.kind,
          not_digit: r.notDigit,
        })),
      }
      : {}),
  };
}
