/**
 * A recognition result in the wire format shared by the API and the CLI
 * (snake_case, confidences rounded), converted here at the edge so both
 * answer the same way. Documented in the README's API section.
 */
import type { RecognitionResult } from "./image_types.ts";

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * `digits` (the digits only, one per prediction), `reading` (the number as
 * written: `digits` with a kept decimal point or comma, e.g. "72.5"; equal
 * to `digits` when there is none, "" for no digit), `turned` (clockwise
 * degrees the image was read turned by: 0 as it came, 90/180/270 for a
 * sideways or upside-down photo, a few degrees for a levelled tilted line), `predictions` (digit, confidence, box; the ten probabilities
 * with `probabilities: true`; `not_digit` when the no-digit head ran),
 * `no_digit`, `unsure`, and for a no-digit answer `reason` and `kind`;
 * shapes left out of the reading as `rejected`.
 */
export function outcomeJson(result: RecognitionResult, options: { probabilities?: boolean } = {}) {
  return {
    digits: result.digits,
    reading: result.reading ?? result.digits,
    turned: result.turned ?? 0,
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
