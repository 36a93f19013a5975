import { useState } from "preact/hooks";
import { ResultView } from "./ResultView.tsx";
import { ReadingFeedback, type Verdict } from "./ReadingFeedback.tsx";
import { ShareReading } from "./ShareReading.tsx";
import type { RecognitionOutcome } from "../../lib/browser/recognize_pixels.ts";
import { resultWithLabel } from "../../lib/browser/reading_feedback.ts";

function verdictOf(outcome: RecognitionOutcome): Verdict {
  if (outcome.correctedLabel !== undefined) {
    return { kind: "corrected", label: outcome.correctedLabel, fromHistory: true };
  }
  return outcome.confirmed ? { kind: "confirmed" } : { kind: "none" };
}

/** The reading of `outcome` as the user left it: their correction replaces the model's. */
export function shownOutcome(outcome: RecognitionOutcome, verdict: Verdict): RecognitionOutcome {
  // A reading from the history already carries the user's label: it is the model's reading here.
  return verdict.kind === "corrected" && !verdict.fromHistory
    ? { ...outcome, result: resultWithLabel(outcome.result, verdict.label) }
    : outcome;
}

/**
 * A reading with the user's word on it: the reading (a tap corrects it once
 * stored), "Right? ✓ Yes / Correct…", and sharing. Used by every result, the
 * result cards and the drawing pad's live reading alike; `onShown` hears the
 * reading as corrected, for the surrounding card's `data-digit`.
 */
export function CheckedReading(
  { outcome, unsureBelow, onVerdict }: {
    outcome: RecognitionOutcome;
    unsureBelow?: number;
    onVerdict?: (shown: RecognitionOutcome) => void;
  },
) {
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [editing, setEditing] = useState(false);
  const current = verdict ?? verdictOf(outcome);
  const shown = shownOutcome(outcome, current);
  return (
    <ResultView
      outcome={shown}
      unsureBelow={unsureBelow}
      onEditReading={outcome.historyId ? () => setEditing(true) : undefined}
    >
      <ReadingFeedback
        outcome={outcome}
        verdict={current}
        onVerdict={(v) => {
          setVerdict(v);
          onVerdict?.(shownOutcome(outcome, v));
        }}
        editing={editing}
        onEditing={setEditing}
      />
      <ShareReading text={shown.result.reading ?? shown.result.digits} />
    </ResultView>
  );
}
