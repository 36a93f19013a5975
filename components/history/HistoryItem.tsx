import type { HistoryEntry } from "../../lib/browser/history_store.ts";
import { shownLabel } from "../../lib/browser/history_store.ts";
import { formatTime, sourceLabel } from "./format.ts";
import { percent } from "../../lib/core/format.ts";
import { useObjectUrl } from "./use_object_url.ts";

/** Props of {@link HistoryItem}. */
export interface HistoryItemProps {
  entry: HistoryEntry;
  now: number;
  onOpen: (id: string) => void;
}

/** One row of the history: thumbnail, the digits (corrected ones marked), source, time, confidence. */
export function HistoryItem({ entry, now, onOpen }: HistoryItemProps) {
  const thumb = useObjectUrl(entry.thumbnail);
  const label = shownLabel(entry);
  const corrected = entry.correctedLabel !== undefined;
  const low = !corrected && entry.confidence < 0.7;
  return (
    <li class="history-row">
      <button
        type="button"
        class="history-item"
        data-entry-id={entry.id}
        data-label={label}
        onClick={() => onOpen(entry.id)}
        aria-label={`${label || "No digit"}, ${sourceLabel(entry.source)}, ${
          formatTime(entry.time, now)
        }${corrected ? ", corrected" : ""}. Open details`}
      >
        <span class="history-thumb">
          {thumb && <img src={thumb} alt="" width="56" height="56" decoding="async" />}
        </span>
        <span class="history-main">
          <span class="history-digits">{label || "—"}</span>
          <span class="history-meta">
            {entry.name ? `${entry.name} · ` : ""}
            {sourceLabel(entry.source)} · {formatTime(entry.time, now)}
          </span>
        </span>
        <span class="history-side">
          {corrected
            ? <span class="badge badge-corrected">Corrected</span>
            : (
              <span class={low ? "badge badge-unsure" : "badge"}>
                {entry.digits ? percent(entry.confidence) : "No digit"}
              </span>
            )}
        </span>
      </button>
    </li>
  );
}
