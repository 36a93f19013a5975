import { useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { UNSURE_BELOW } from "../../lib/core/recognize.ts";
import type { RecognitionOutcome } from "../../lib/browser/recognize_pixels.ts";
import type { RecognitionResult } from "../../lib/core/image_types.ts";
import { lowestConfidence } from "../../lib/browser/recognize_pixels.ts";
import { ModelInputCanvas } from "./ModelInputCanvas.tsx";
import { ProbabilityBars } from "./ProbabilityBars.tsx";
import { percent } from "../../lib/core/format.ts";

/**
 * The reading of one image: the digits in large type with the confidence, a
 * "not sure" state under the threshold, "no digit found", what the model saw
 * (its 28×28 inputs) and the ten probabilities of the selected digit.
 */
export function ResultView(
  { outcome, unsureBelow = UNSURE_BELOW, onEditReading, children }: {
    outcome: RecognitionOutcome;
    unsureBelow?: number;
    /** When given, a tap on the reading calls it (to correct the reading). */
    onEditReading?: () => void;
    /** Actions on the reading (confirm, correct, share), shown right under it. */
    children?: ComponentChildren;
  },
) {
  const { result, crops } = outcome;
  const [selected, setSelected] = useState(0);
  if (result.noDigit) {
    return (
      <div class="rz-reading rz-reading-none">
        {onEditReading
          ? (
            <button
              type="button"
              class="rz-headline rz-editable"
              onClick={onEditReading}
              title="Correct this reading"
            >
              No digit found
            </button>
          )
          : <p class="rz-headline">No digit found</p>}
        <p class="rz-hint" data-kind={result.kind}>
          {hintFor(result)}
        </p>
        {children && <div class="rz-actions">{children}</div>}
      </div>
    );
  }
  const lowest = lowestConfidence(result);
  const unsure = lowest < unsureBelow;
  const shown = result.predictions[Math.min(selected, result.predictions.length - 1)];
  const many = result.predictions.length > 1;
  // The number as written ("72.5"); the cells below hold its digits one by one.
  const shownReading = result.reading ?? result.digits;
  const spoken = `Read: ${shownReading.split("").join(" ")}`;
  return (
    <div class={unsure ? "rz-reading rz-reading-unsure" : "rz-reading"}>
      {onEditReading
        ? (
          <button
            type="button"
            class="rz-digits rz-editable"
            aria-label={`${spoken}. Correct this reading`}
            title="Correct this reading"
            onClick={onEditReading}
          >
            {shownReading}
          </button>
        )
        : (
          <p class="rz-digits" aria-label={spoken}>
            {shownReading}
          </p>
        )}
      <p class="rz-confidence">
        {unsure
          ? (
            <>
              <span class="rz-badge rz-badge-unsure">Not sure</span> {percent(lowest)} confident.
              {" "}
              {result.rejected?.length
                ? "Some shapes did not look like digits and were left out."
                : "Try a closer, sharper or better-lit image."}
            </>
          )
          : (
            <>
              <span class="rz-badge rz-badge-ok">{percent(lowest)}</span> confident
              {outcome.fromHistory ? " · from your history" : ""}
            </>
          )}
        {result.turned !== undefined && (
          // Inside the confidence line: the reading's grid has no area of its own for it.
          <span class="rz-turned" data-turned={String(result.turned)}>
            {" "}
            {turnedNote(result.turned)}
          </span>
        )}
      </p>
      {children && <div class="rz-actions">{children}</div>}
      <div class="rz-seen">
        <p class="rz-label">What the model saw</p>
        <ul class="rz-cells">
          {result.predictions.map((p, i) => (
            <li
              key={i}
              class={i === selected ? "rz-cell rz-cell-selected" : "rz-cell"}
              data-digit={String(p.digit)}
              data-confidence={p.confidence.toFixed(4)}
            >
              <button
                type="button"
                class="rz-cell-button"
                aria-pressed={many ? i === selected : undefined}
                disabled={!many}
                onClick={() => setSelected(i)}
                title={many ? "Show the probabilities of this digit" : undefined}
              >
                {crops[i] && (
                  <ModelInputCanvas pixels={crops[i]} label={`Model input for digit ${i + 1}`} />
                )}
                <span class="rz-cell-digit">{p.digit}</span>
                <span class="rz-cell-conf">{percent(p.confidence)}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      {shown && (
        <ProbabilityBars
          probabilities={shown.probabilities}
          caption={many
            ? `Probabilities of digit ${Math.min(selected, result.predictions.length - 1) + 1}`
            : "Probabilities"}
        />
      )}
    </div>
  );
}

/** Why the reading may not match the image as shown: it was read turned. */
export function turnedNote(degrees: number): string {
  const d = ((Math.round(degrees) % 360) + 360) % 360;
  if (d === 180) return "Read upside down (the image was turned 180°).";
  if (d === 90) return "Read sideways (the image was turned 90° clockwise).";
  if (d === 270) return "Read sideways (the image was turned 90° anticlockwise).";
  return `Read along the tilted line (turned ${Math.round(degrees)}°).`;
}

/** What the page says about an image without digits: what it saw, and what to try. */
export function hintFor(result: Pick<RecognitionResult, "kind" | "reason">): string {
  switch (result.kind) {
    case "blank":
      return "The image looks blank. Write or photograph a digit.";
    case "noise":
      return "Only noise was found. Try a sharper, better-lit photo of a digit.";
    case "writing":
      return "This looks like writing, not digits.";
    case "symbol":
      return "This looks like a symbol or a mark (such as + − × = ✓ or a box), not a digit.";
    case "drawing":
      return "This looks like a drawing, not digits.";
    case "photo":
      return "This looks like a photo without digits.";
    default:
      return "Nothing shaped like a digit was found. Fill more of the frame with the digit.";
  }
}
