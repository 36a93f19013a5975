import { useEffect, useRef, useState } from "preact/hooks";
import { effectiveLabel, type HistoryEntry } from "../../lib/browser/history_store.ts";
import { formatTime, sourceLabel } from "./format.ts";
import { percent } from "../../lib/core/format.ts";
import { ProbabilityChart } from "./ProbabilityChart.tsx";
import { hintFor } from "../recognizer/ResultView.tsx";
import { useObjectUrl } from "./use_object_url.ts";

/** Props of {@link EntryDialog}. */
export interface EntryDialogProps {
  /** The entry shown; null closes the dialog. */
  entry: HistoryEntry | null;
  onClose: () => void;
  /** Sets the right label, or removes the correction with null. */
  onCorrect: (id: string, label: string | null) => void;
  onDelete: (id: string) => void;
}

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * One recognition in full: the image, the probabilities, the details, and
 * the ways to fix it: "it is right", "it was a 7" (a keypad for a one-digit
 * reading, and a field for any whole number), "no digit", undo the
 * correction, delete.
 */
export function EntryDialog({ entry, onClose, onCorrect, onDelete }: EntryDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  // Keep showing the last entry while the dialog closes.
  const [shown, setShown] = useState<HistoryEntry | null>(entry);
  if (entry && entry !== shown) setShown(entry);
  const image = useObjectUrl(shown?.image ?? shown?.thumbnail);
  const [draft, setDraft] = useState("");

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (entry && !dialog.open) dialog.showModal();
    if (!entry && dialog.open) dialog.close();
  }, [entry]);
  useEffect(() => setDraft(entry ? effectiveLabel(entry) : ""), [entry?.id]);

  const e = shown;
  const label = e ? effectiveLabel(e) : "";
  const corrected = e?.correctedLabel !== undefined;
  const single = !!e && e.digits.length === 1;
  const draftValid = /^\d{1,16}$/.test(draft);
  const vouched = corrected || e?.confirmed === true;

  return (
    <dialog ref={ref} class="sheet entry-dialog" aria-labelledby="entry-title" onClose={onClose}>
      {e && (
        <>
          <div class="sheet-head">
            <h2 id="entry-title">
              {label
                ? (
                  <>
                    Read as <span class="entry-label" data-label={label}>{label}</span>
                  </>
                )
                : (
                  "No digit found"
                )}
            </h2>
            <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
              <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" />
              </svg>
            </button>
          </div>
          <div class="entry-body">
            <div class="entry-image">
              {image && <img src={image} alt={`The recognised image (${label || "no digit"})`} />}
            </div>
            <div class="entry-facts">
              {!e.digits && (
                // What the model saw instead of a digit, as the result said when it was read.
                <p class="entry-kind" data-kind={e.kind ?? ""}>{hintFor({ kind: e.kind })}</p>
              )}
              {corrected && (
                <p class="entry-corrected">
                  You corrected this: the model read <strong>{e.digits || "nothing"}</strong>.
                </p>
              )}
              <dl class="entry-details">
                {e.name && (
                  <>
                    <dt>File</dt>
                    <dd class="entry-name">{e.name}</dd>
                  </>
                )}
                <dt>Source</dt>
                <dd>{sourceLabel(e.source)}</dd>
                <dt>When</dt>
                <dd>{formatTime(e.time)}</dd>
                <dt>Confidence</dt>
                <dd>{e.digits ? percent(e.confidence) : "—"}</dd>
                <dt>Engine</dt>
                <dd>{e.backend || "—"}</dd>
                <dt>Model</dt>
                <dd class="entry-model">{e.modelVersion || "—"}</dd>
              </dl>
            </div>
          </div>
          {e.probabilities.length > 0 && (
            <div class="entry-probs">
              {e.probabilities.map((p, i) => (
                <ProbabilityChart
                  probabilities={p}
                  caption={e.probabilities.length > 1
                    ? `Digit ${i + 1}: ${e.digits[i] ?? "?"}`
                    : "Probabilities"}
                />
              ))}
            </div>
          )}
          <section class="correction" aria-labelledby="correction-title">
            <h3 id="correction-title">
              {corrected
                ? "Your correction"
                : e.confirmed
                ? "You confirmed this reading"
                : "Right? Or it was…"}
            </h3>
            {!vouched && (
              <button
                type="button"
                class="primary confirm-button"
                data-action="confirm"
                onClick={() => onCorrect(e.id, e.digits)}
              >
                ✓ {e.digits ? `Yes, it is ${e.digits}` : "Yes, there is no digit"}
              </button>
            )}
            {single && (
              <div class="keypad" role="group" aria-labelledby="correction-title">
                {DIGITS.map((d) => (
                  <button
                    type="button"
                    class="key"
                    data-correct={d}
                    aria-pressed={corrected && label === String(d)}
                    onClick={() => onCorrect(e.id, String(d))}
                  >
                    {d}
                  </button>
                ))}
              </div>
            )}
            <form
              class="correction-form"
              onSubmit={(ev) => {
                ev.preventDefault();
                if (draftValid) {
                  onCorrect(e.id, draft);
                }
              }}
            >
              <label for="correction-input" class="visually-hidden">The right digits</label>
              <input
                id="correction-input"
                inputMode="numeric"
                autocomplete="off"
                pattern="[0-9]{1,16}"
                maxLength={16}
                placeholder={single ? "or a whole number" : "e.g. 472"}
                value={draft}
                onInput={(ev) =>
                  setDraft((ev.target as HTMLInputElement).value.replace(/\D+/g, ""))}
              />
              <button type="submit" class="primary" disabled={!draftValid}>
                Save
              </button>
              {e.digits !== "" && (
                <button
                  type="button"
                  data-action="no-digit"
                  aria-pressed={corrected && label === ""}
                  onClick={() => onCorrect(e.id, "")}
                >
                  No digit
                </button>
              )}
            </form>
            {vouched && (
              <button
                type="button"
                class="link-button"
                onClick={() => onCorrect(e.id, null)}
              >
                {corrected
                  ? `Undo correction (back to ${e.digits || "no digit"})`
                  : "Undo confirmation"}
              </button>
            )}
          </section>
          <div class="dialog-actions">
            <button
              type="button"
              class="danger"
              onClick={() =>
                onDelete(e.id)}
            >
              Delete
            </button>
            <button type="button" onClick={onClose}>Done</button>
          </div>
        </>
      )}
    </dialog>
  );
}
