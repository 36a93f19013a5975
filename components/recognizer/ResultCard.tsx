import { useState } from "preact/hooks";
import type { ResultItem } from "./types.ts";
import { DigitBoxes } from "./DigitBoxes.tsx";
import { CheckedReading } from "./CheckedReading.tsx";
import { lowestConfidence, type RecognitionOutcome } from "../../lib/browser/recognize_pixels.ts";

const SOURCE_LABELS = { camera: "Camera", upload: "Upload", draw: "Drawing", share: "Shared" };

/**
 * One image of the results list: its preview with the digits boxed, then the
 * reading, a spinner while working, or a clear message when it was refused.
 * A tap on the reading corrects it; one tap confirms it. `data-digit` /
 * `data-confidence` carry the reading (as corrected) for scripts and tests.
 */
export function ResultCard({ item, unsureBelow }: { item: ResultItem; unsureBelow?: number }) {
  // The reading as the user left it (their correction), for the card's data-digit.
  const [shown, setShown] = useState<RecognitionOutcome | null>(null);
  const outcome = shown ?? item.outcome;
  const r = outcome?.result;
  const digit = item.status === "done" && r ? r.digits : "";
  const confidence = item.status === "done" && r && !r.noDigit ? lowestConfidence(r) : 0;
  return (
    <article
      class={`rz-result rz-result-${item.status}`}
      data-state={item.status}
      data-digit={digit}
      data-reading={item.status === "done" && r ? r.reading ?? r.digits : ""}
      data-confidence={confidence.toFixed(4)}
      aria-busy={item.status === "working"}
    >
      <div class="rz-media">
        {item.previewUrl
          ? (
            <div class="rz-preview">
              <img src={item.previewUrl} alt={`Your image ${item.name}`} />
              {r && item.size && (
                <DigitBoxes
                  size={item.size}
                  marks={[
                    ...r.predictions.map((p) => ({
                      box: p.box,
                      tag: String(p.digit),
                      cls: "rz-box",
                    })),
                    // Shapes judged not to be digits: boxed too, so the user sees what was left out.
                    ...(r.rejected ?? []).map((s) => ({
                      box: s.box,
                      tag: "✕",
                      cls: "rz-box rz-box-rejected",
                    })),
                  ]}
                />
              )}
            </div>
          )
          : (
            <div class={`rz-preview rz-preview-empty`} aria-hidden="true">
              {item.status === "error" ? "!" : ""}
            </div>
          )}
      </div>
      <div class="rz-body">
        <p class="rz-meta">
          <span class="rz-source">{SOURCE_LABELS[item.source]}</span>
          <span class="rz-name" title={item.name}>{item.name}</span>
        </p>
        {item.status === "working" && (
          <p class="rz-working">
            <span class="rz-spinner" aria-hidden="true" />Reading…
          </p>
        )}
        {item.status === "error" && <p class="rz-error">{item.message}</p>}
        {item.status === "done" && item.outcome && (
          <CheckedReading outcome={item.outcome} unsureBelow={unsureBelow} onVerdict={setShown} />
        )}
      </div>
    </article>
  );
}
