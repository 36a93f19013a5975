/**
 * The history of recognitions in IndexedDB (idb-keyval), keyed by the hash of
 * the image so the same image is never recognised twice.
 */
import { createStore, del, entries, get, set, type UseStore } from "idb-keyval";

/** Where a recognised image came from. */
export type RecognitionSource = "camera" | "upload" | "draw" | "share";

/** One stored recognition. */
export interface HistoryEntry {
  /** The image's hash (see `hashImageBytes`); also the key. */
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  source: RecognitionSource;
  /** A small JPEG/PNG of the image (a Blob, never a data URL). */
  thumbnail: Blob;
  /** The recognised digits, e.g. "2026"; "" when no digit was found. */
  digits: string;
  /** The lowest per-digit confidence, 0..1. */
  confidence: number;
  /** The ten probabilities per digit. */
  probabilities: number[][];
  backend: string;
  modelVersion: string;
  /** A label the user set because the model was wrong. */
  correctedLabel?: string;
}

let store: UseStore | undefined;
function historyStore(): UseStore {
  store ??= createStore("digit-recognizer", "history");
  return store;
}

/** SHA-256 of image bytes (a file, or the RGBA pixels of a canvas), as hex. */
export async function hashImageBytes(bytes: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The stored recognition of the image with this hash, if any. */
export function findByHash(id: string): Promise<HistoryEntry | undefined> {
  return get<HistoryEntry>(id, historyStore());
}

/** Stores (or replaces) a recognition. */
export function saveEntry(entry: HistoryEntry): Promise<void> {
  return set(entry.id, entry, historyStore());
}

/** Every stored recognition, newest first. */
export async function listEntries(): Promise<HistoryEntry[]> {
  const all = await entries<string, HistoryEntry>(historyStore());
  return all.map(([, e]) => e).sort((a, b) => b.time - a.time);
}

/** Removes one recognition. */
export function deleteEntry(id: string): Promise<void> {
  return del(id, historyStore());
}
