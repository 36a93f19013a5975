import { useEffect, useRef, useState } from "preact/hooks";
import { FeedbackError, giveFeedback } from "../../lib/browser/reading_feedback.ts";
import type { RecognitionOutcome } from "../../lib/browser/recognize_pixels.ts";
import { HistoryStorageError } from "../../lib/browser/history_store.ts";

/** The user's word on the reading as shown now. */
export type Verdict =
  | { kind: "none" }
  | { kind: "confirmed" }
  | { kind: "corrected"; label: string; fromHistory?: boolean };

/** Props of {@link ReadingFeedback}. */
export interface ReadingFeedbackProps {
  outcome: RecognitionOutcome;
  verdict: Verdict;
  onVerdict: (v: Verdict) => void;
  /** Open the correction form (a tap on the reading sets it). */
  editing: boolean;
  onEditing: (open: boolean) => void;
}

function problemText(e: unknown): string {
  if (e instanceof FeedbackError || e instanceof HistoryStorageError) return e.message;
  return `Not saved: ${(e as Error)?.message ?? e}`;
}

/**
 * "Is this right?" under a reading: one tap confirms it; "Correct" (or a tap
 * on the reading) opens a field for a digit or a whole number, or "No digit".
 * Kept with the image in the history, so the same image reads the same way
 * again, and used to personalise the model.
 */
export function ReadingFeedback(
  { outcome, verdict, onVerdict, editing, onEditing }: ReadingFeedbackProps,
) {
  const model = outcome.result.digits;
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const shown = verdict.kind === "corrected" ? verdict.label : model;

  useEffect(() => {
    if (!editing) return;
    setDraft(shown);
    setProblem("");
    requestAnimationFrame(() => input.current?.select());
  }, [editing]);

  const send = async (label: string | null, next: Verdict) => {
    setBusy(true);
    setProblem("");
    try {
      await giveFeedback(outcome, label);
      onVerdict(next);
      onEditing(false);
    } catch (e) {
      setProblem(problemText(e));
    } finally {
      setBusy(false);
    }
  };
  const save = (label: string) =>
    send(label, label === model ? { kind: "confirmed" } : { kind: "corrected", label });
  const draftValid = /^\d{1,16}$/.test(draft);

  if (!outcome.historyId) return null;
  return (
    <div class="rz-feedback" data-verdict={verdict.kind}>
      {editing
        ? (
          <form
            class="rz-correct-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (draftValid) void save(draft);
            }}
          >
            <label class="rz-label" for={`rz-correct-${outcome.historyId}`}>
              The right reading
            </label>
            <div class="rz-correct-row">
              <input
                ref={input}
                id={`rz-correct-${outcome.historyId}`}
                class="rz-correct-input"
                inputMode="numeric"
                autocomplete="off"
                pattern="[0-9]{1,16}"
                maxLength={16}
                placeholder="e.g. 472"
                value={draft}
                onInput={(e) => setDraft((e.target as HTMLInputElement).value.replace(/\D+/g, ""))}
              />
              <button type="submit" class="primary" disabled={!draftValid || busy}>Save</button>
            </div>
            <div class="rz-correct-row">
              <button
                type="button"
                disabled={busy}
                data-action="no-digit"
                onClick={() => save("")}
              >
                No digit
              </button>
              <button type="button" class="link-button" onClick={() => onEditing(false)}>
                Cancel
              </button>
            </div>
          </form>
        )
        : verdict.kind === "none"
        ? (
          <div class="rz-feedback-row">
            <span class="rz-feedback-ask">Right?</span>
            <button
              type="button"
              class="rz-chip"
              data-action="confirm"
              disabled={busy}
              onClick={() => save(model)}
              aria-label={model ? `Yes, it is ${model}` : "Yes, there is no digit"}
            >
              ✓ Yes
            </button>
            <button
              type="button"
              class="rz-chip"
              data-action="correct"
              disabled={busy}
              onClick={() => onEditing(true)}
            >
              Correct…
            </button>
          </div>
        )
        : (
          <div class="rz-feedback-row">
            <span class="rz-feedback-done">
              {verdict.kind === "confirmed"
                ? "✓ You confirmed this reading"
                : verdict.fromHistory
                ? "Your correction, from your history"
                : `Corrected by you (the model read ${model || "no digit"})`}
            </span>
            {verdict.kind === "corrected" && verdict.fromHistory
              ? (
                <button type="button" class="link-button" onClick={() => onEditing(true)}>
                  Change
                </button>
              )
              : (
                <button
                  type="button"
                  class="link-button"
                  data-action="undo-feedback"
                  disabled={busy}
                  onClick={() => send(null, { kind: "none" })}
                >
                  Undo
                </button>
              )}
          </div>
        )}
      {problem && <p class="rz-error" role="alert">{problem}</p>}
    </div>
  );
}
