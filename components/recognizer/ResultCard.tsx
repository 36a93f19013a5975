import { useState } from "preact/hooks";
import type { ResultItem } from "./types.ts";
import { ResultView } from "./ResultView.tsx";
import { DigitBoxes } from "./DigitBoxes.tsx";
import { ReadingFeedback, type Verdict } from "./ReadingFeedback.tsx";
import { ShareReading } from "./ShareReading.tsx";
import { lowestConfidence, type RecognitionOutcome } from "../../lib/browser/recognize_pixels.ts";
import { resultWithLabel } from "../../lib/browser/reading_feedback.ts";

const SOURCE_LABELS = { camera: "Camera", upload: "Upload", draw: "Drawing", share: "Shared" };

function verdictOf(outcome: RecognitionOutcome | undefined): Verdict {
  if (outcome?.correctedLabel !== undefined) {
    return { kind: "corrected", label: outcome.correctedLabel, fromHistory: true };
  }
  return outcome?.confirmed ? { kind: "confirmed" } : { kind: "none" };
}

/**
 * One image of the results list: its preview with the digits boxed, then the
 * reading, a spinner while working, or a clear message when it was refused.
 * A tap on the reading corrects it; one tap confirms it. `data-digit` /
 * `data-confidence` carry the reading (as corrected) for scripts and tests.
 */
export function ResultCard({ item, unsureBelow }: { item: ResultItem; unsureBelow?: number }) {
  // A reading from the history already carries the user's label: it is the model's reading here.
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [editing, setEditing] = useState(false);
  const current = verdict ?? verdictOf(item.outcome);
  const outcome = item.outcome && current.kind === "corrected" && !current.fromHistory
    ? { ...item.outcome, result: resultWithLabel(item.outcome.result, current.label) }
    : item.outcome;
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
        {item.status === "done" && outcome && item.outcome && (
          <>
            <ResultView
              outcome={outcome}
              unsureBelow={unsureBelow}
              onEditReading={item.outcome.historyId ? () => setEditing(true) : undefined}
            >
              <ReadingFeedback
                outcome={item.outcome}
                verdict={current}
                onVerdict={setVerdict}
                editing={editing}
                onEditing={setEditing}
              />
              <ShareReading text={outcome.result.reading ?? outcome.result.digits} />
            </ResultView>
          </>
        )}
      </div>
    </article>
  );
}
