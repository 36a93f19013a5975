/** Formatting of history values for people: times and sources (numbers: lib/core/format.ts). */
import type { RecognitionSource } from "../../lib/browser/history_store.ts";

const SOURCES: Record<RecognitionSource, string> = {
  camera: "Camera",
  upload: "Upload",
  draw: "Drawing",
  share: "Shared",
};

/** "Camera", "Upload", "Drawing", "Shared". */
export function sourceLabel(source: RecognitionSource): string {
  return SOURCES[source] ?? source;
}

/** "just now", "5 min ago", "today 14:05", "yesterday 09:12", "3 Mar 2025, 10:00". */
export function formatTime(time: number, now = Date.now()): string {
  const diff = now - time;
  if (diff >= 0 && diff < 60_000) return "just now";
  if (diff >= 0 && diff < 3_600_000) return `${Math.floor(diff / 60_000)} min ago`;
  const date = new Date(time);
  const clock = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(new Date(now)) - day(date)) / 86_400_000);
  if (days === 0) return `today ${clock}`;
  if (days === 1) return `yesterday ${clock}`;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
