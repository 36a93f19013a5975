/**
 * The history of recognitions in IndexedDB (idb-keyval), keyed by the hash of
 * the image so the same image is never recognised twice.
 *
 * Storage must never stand in the way of recognition: `findByHash` and
 * `saveEntry` never reject. When the browser cannot store (private mode, a
 * full disk, a database blocked by another tab), they report a
 * `HistoryStorageError` to `onStorageProblem` listeners (the app's status bar
 * shows its message) and recognition goes on without history. The history
 * page's operations (`listEntries`, `deleteEntry`, `setCorrection`,
 * `clearHistory`) reject with a `HistoryStorageError` instead, so that page can
 * say what went wrong.
 *
 * Every change is announced to this tab and, over a BroadcastChannel, to the
 * app's other tabs (`onHistoryChange`).
 */
import { clear, createStore, del, entries, get, set, type UseStore } from "idb-keyval";
import type { NoDigitKind } from "../core/image_types.ts";

/** Where a recognised image came from. */
export type RecognitionSource = "camera" | "upload" | "draw" | "share";

/** One stored recognition. */
export interface HistoryEntry {
  /** The image's hash (see `hashImageBytes`); also the key. */
  id: string;
  /** Milliseconds since the epoch. */
  time: number;
  source: RecognitionSource;
  /** A small JPEG/PNG of the image (a Blob, never a data URL), for lists. */
  thumbnail: Blob;
  /**
   * The image at a size where a photographed number stays readable (longer
   * side ≤ 1024 px, see `IMAGE_SIDE` in lib/browser/thumbnail.ts); absent in
   * entries stored before it was kept.
   */
  image?: Blob;
  /** The file name of an upload or share, when there was one. */
  name?: string;
  /** The recognised digits, e.g. "2026"; "" when no digit was found. */
  digits: string;
  /**
   * The number as written when it held a decimal point or comma ("72.5");
   * absent otherwise (then it is `digits`) and in entries stored before it was kept.
   */
  reading?: string;
  /** Clockwise degrees the image was read turned by, when not as it came. */
  turned?: number;
  /**
   * What the image held instead of digits (writing, a symbol…) when the
   * model found none; absent otherwise and in entries stored before it was kept.
   */
  kind?: NoDigitKind;
  /** The lowest per-digit confidence, 0..1. */
  confidence: number;
  /** The ten probabilities per digit. */
  probabilities: number[][];
  backend: string;
  modelVersion: string;
  /** A label the user set because the model was wrong; "" means "no digit". */
  correctedLabel?: string;
  /** True when the user said the reading is right (one tap on the result). */
  confirmed?: boolean;
  /** When the user last corrected or confirmed it (ms since the epoch). */
  labelledAt?: number;
  /**
   * Optional: the 28×28 inputs the model saw, 784 bytes per digit (0 =
   * background, 255 = ink), left to right (see `packCrops` in
   * lib/core/history_export.ts). The export uses them for fine-tuning; without
   * them it derives crops from the thumbnail.
   */
  crops?: Uint8Array;
}

/** What went wrong with storage, for the message shown. */
export type StorageProblemKind = "unavailable" | "blocked" | "quota" | "failed";

const MESSAGES: Record<StorageProblemKind, string> = {
  unavailable: "This browser does not let the app store data here (private browsing or " +
    "blocked site data), so your history is not saved. Recognition still works.",
  blocked: "The history database is busy in another tab of this app. Close the other tabs or " +
    "reload. Recognition still works.",
  quota: "Your device's storage is full, so this recognition was not saved to the history. " +
    "Delete old entries or free some space. Recognition still works.",
  failed: "The history could not be read or saved. Recognition still works.",
};

/** A storage failure with a message meant for the user. */
export class HistoryStorageError extends Error {
  constructor(public readonly kind: StorageProblemKind, public override readonly cause?: unknown) {
    super(MESSAGES[kind]);
    this.name = "HistoryStorageError";
  }
}

/** Classifies any error thrown by IndexedDB into a `HistoryStorageError`. */
export function toStorageError(error: unknown): HistoryStorageError {
  if (error instanceof HistoryStorageError) return error;
  const name = (error as { name?: string } | null)?.name ?? "";
  if (name === "QuotaExceededError" || name === "NS_ERROR_DOM_QUOTA_REACHED") {
    return new HistoryStorageError("quota", error);
  }
  if (["InvalidStateError", "SecurityError", "UnknownError", "NotAllowedError"].includes(name)) {
    return new HistoryStorageError("unavailable", error);
  }
  return new HistoryStorageError("failed", error);
}

/** How long an IndexedDB call may take before it is taken as blocked. */
const TIMEOUT_MS = 4000;
const DB_NAME = "digit-recognizer";
const CHANNEL = "digit-recognizer-history";

let store: UseStore | undefined;
function historyStore(): UseStore {
  if (typeof indexedDB === "undefined") throw new HistoryStorageError("unavailable");
  store ??= createStore(DB_NAME, "history");
  return store;
}

/** Runs one store operation with classified errors and a timeout (a blocked open never settles). */
async function run<T>(op: (s: UseStore) => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HistoryStorageError("blocked")), TIMEOUT_MS);
  });
  try {
    return await Promise.race([op(historyStore()), timeout]);
  } catch (error) {
    throw toStorageError(error);
  } finally {
    clearTimeout(timer);
  }
}

// ---- change and problem notifications ------------------------------------------------------

/** A change to the history, as seen by every tab. */
export type HistoryChange =
  | { type: "saved" | "corrected" | "deleted" | "restored"; id: string }
  | { type: "cleared" };

const changeListeners = new Set<(change: HistoryChange) => void>();
let channel: BroadcastChannel | null | undefined;
function historyChannel(): BroadcastChannel | null {
  if (channel === undefined) {
    channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
    channel?.addEventListener("message", (e: MessageEvent<HistoryChange>) => {
      changeListeners.forEach((cb) => cb(e.data));
    });
  }
  return channel;
}

function announce(change: HistoryChange): void {
  changeListeners.forEach((cb) => cb(change));
  // A BroadcastChannel does not deliver to its own sender: the local call above covers this tab.
  historyChannel()?.postMessage(change);
}

/** Calls `cb` on every change made in this tab or another tab of the app; returns the unsubscriber. */
export function onHistoryChange(cb: (change: HistoryChange) => void): () => void {
  historyChannel();
  changeListeners.add(cb);
  return () => changeListeners.delete(cb);
}

const problemListeners = new Set<(problem: HistoryStorageError) => void>();
let lastProblem: HistoryStorageError | undefined;

function reportProblem(error: unknown): HistoryStorageError {
  const problem = toStorageError(error);
  lastProblem = problem;
  problemListeners.forEach((cb) => cb(problem));
  return problem;
}

/**
 * Calls `cb` when saving or reading the history failed where recognition goes
 * on regardless (`findByHash`, `saveEntry`); an earlier problem is replayed at once.
 */
export function onStorageProblem(cb: (problem: HistoryStorageError) => void): () => void {
  problemListeners.add(cb);
  if (lastProblem) cb(lastProblem);
  return () => problemListeners.delete(cb);
}

// ---- the store ------------------------------------------------------------------------------

/** SHA-256 of image bytes (a file, or the RGBA pixels of a canvas), as hex. */
export async function hashImageBytes(bytes: BufferSource): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The stored recognition of the image with this hash, if any. Never rejects:
 * when storage fails it resolves `undefined` (and reports the problem), so
 * the caller simply recognises the image.
 */
export async function findByHash(id: string): Promise<HistoryEntry | undefined> {
  try {
    return await run((s) => get<HistoryEntry>(id, s));
  } catch (error) {
    reportProblem(error);
    return undefined;
  }
}

/**
 * Stores (or replaces) a recognition. Never rejects: a failure (full disk,
 * private mode, blocked database) is reported to `onStorageProblem` listeners.
 * A correction or confirmation the user already made to the same image is kept.
 */
export async function saveEntry(entry: HistoryEntry): Promise<void> {
  try {
    await run(async (s) => {
      const previous = entry.correctedLabel === undefined && !entry.confirmed
        ? await get<HistoryEntry>(entry.id, s)
        : undefined;
      const stored = { ...entry };
      if (previous?.correctedLabel !== undefined) stored.correctedLabel = previous.correctedLabel;
      if (previous?.confirmed) stored.confirmed = true;
      if (previous?.labelledAt) stored.labelledAt = previous.labelledAt;
      await set(entry.id, stored, s);
    });
  } catch (error) {
    reportProblem(error);
    return;
  }
  announce({ type: "saved", id: entry.id });
  void requestPersistentStorage();
}

/** Every stored recognition, newest first. Rejects with a `HistoryStorageError`. */
export async function listEntries(): Promise<HistoryEntry[]> {
  const all = await run((s) => entries<string, HistoryEntry>(s));
  return all.map(([, e]) => e).sort((a, b) => b.time - a.time);
}

/**
 * Removes one recognition and resolves what was removed (for undo with
 * `restoreEntry`), `undefined` when it was already gone. Rejects with a
 * `HistoryStorageError`.
 */
export async function deleteEntry(id: string): Promise<HistoryEntry | undefined> {
  const removed = await run(async (s) => {
    const entry = await get<HistoryEntry>(id, s);
    await del(id, s);
    return entry;
  });
  announce({ type: "deleted", id });
  return removed;
}

/** Puts back an entry `deleteEntry` removed (undo). Rejects with a `HistoryStorageError`. */
export async function restoreEntry(entry: HistoryEntry): Promise<void> {
  await run((s) => set(entry.id, entry, s));
  announce({ type: "restored", id: entry.id });
}

/** Whether `label` is a valid correction: 1 to 16 digits, or "" for "no digit". */
export function isValidLabel(label: string): boolean {
  return /^\d{0,16}$/.test(label);
}

/**
 * Sets the label the user says is right ("it was a 7", "" for "no digit").
 * The prediction itself as the label marks the entry confirmed ("the reading
 * is right"); `null` removes the correction and the confirmation. Resolves
 * the updated entry, or `undefined` when it no longer exists. Rejects with a
 * `HistoryStorageError`.
 */
export async function setCorrection(
  id: string,
  label: string | null,
): Promise<HistoryEntry | undefined> {
  if (label !== null && !isValidLabel(label)) {
    throw new RangeError(`A label is up to 16 digits, got "${label}"`);
  }
  const updated = await run(async (s) => {
    const entry = await get<HistoryEntry>(id, s);
    if (!entry) return undefined;
    const next: HistoryEntry = { ...entry };
    delete next.correctedLabel;
    delete next.confirmed;
    delete next.labelledAt;
    if (label === entry.digits) next.confirmed = true;
    else if (label !== null) next.correctedLabel = label;
    if (label !== null) next.labelledAt = Date.now();
    await set(id, next, s);
    return next;
  });
  if (updated) announce({ type: "corrected", id });
  return updated;
}

/** Deletes every recognition. Rejects with a `HistoryStorageError`. */
export async function clearHistory(): Promise<void> {
  await run((s) => clear(s));
  announce({ type: "cleared" });
}

/** The label to trust: the user's correction when there is one, else the prediction. */
export function effectiveLabel(entry: HistoryEntry): string {
  return entry.correctedLabel ?? entry.digits;
}

/**
 * The reading to show: the user's correction, else the number as the model
 * read it with its decimal mark ("72.5"). `effectiveLabel` stays digits only:
 * training needs one digit per crop.
 */
export function shownLabel(entry: HistoryEntry): string {
  return entry.correctedLabel ?? entry.reading ?? entry.digits;
}

/** Whether the user vouched for the entry's label (corrected or confirmed it). */
export function isUserLabelled(entry: HistoryEntry): boolean {
  return entry.correctedLabel !== undefined || entry.confirmed === true;
}

/** Whether `entry` reads `query` (digits of its label, e.g. "47" finds "472"); "" matches all. */
export function matchesReading(entry: HistoryEntry, query: string): boolean {
  const q = query.replace(/\D+/g, "");
  return q === "" || effectiveLabel(entry).includes(q);
}

/**
 * Bytes the history itself takes: its images, thumbnails, crops and readings
 * (what the browser's own estimate mixes with the app's cached files).
 */
export function historyBytes(entries: HistoryEntry[]): number {
  let total = 0;
  for (const e of entries) {
    total += e.thumbnail?.size ?? 0;
    total += e.image?.size ?? 0;
    total += e.crops?.byteLength ?? 0;
    // Readings and metadata, as stored (structured clone ~ their JSON size).
    total += 8 * e.probabilities.flat().length + 200 + (e.name?.length ?? 0) * 2;
  }
  return total;
}

// ---- persistence ---------------------------------------------------------------------------

let persistAsked: Promise<boolean | undefined> | undefined;

/**
 * Asks the browser to keep this site's storage under pressure
 * (`navigator.storage.persist()`), once per page load; resolves whether the
 * storage is persistent, `undefined` where the API is missing.
 */
export function requestPersistentStorage(): Promise<boolean | undefined> {
  persistAsked ??= (async () => {
    const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
    if (!storage?.persist) return undefined;
    try {
      return (await storage.persisted()) || await storage.persist();
    } catch {
      return undefined;
    }
  })();
  return persistAsked;
}

/** Storage used and available for this site, and whether it is persistent, where known. */
export interface StorageInfo {
  usage?: number;
  quota?: number;
  persisted?: boolean;
}

/** Reads `navigator.storage.estimate()` and `persisted()`; empty where unsupported. */
export async function storageInfo(): Promise<StorageInfo> {
  const storage = typeof navigator === "undefined" ? undefined : navigator.storage;
  if (!storage?.estimate) return {};
  try {
    const [{ usage, quota }, persisted] = await Promise.all([
      storage.estimate(),
      storage.persisted?.() ?? Promise.resolve(undefined),
    ]);
    return { usage, quota, persisted };
  } catch {
    return {};
  }
}
