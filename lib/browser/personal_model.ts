/**
 * The personal model on the page: gathers the digits the user corrected or
 * confirmed (their 28×28 crops in the history), has the worker train the
 * personal model (the writer's warp and the final layer) on them once there are enough, keeps the result in IndexedDB
 * with the shipped model's version (a new shipped model is retrained from the
 * stored examples), and hands it to the engine. Can be switched off (the
 * shipped model reads again, the personal one is kept) and reset (forgotten;
 * only digits labelled after the reset count from then on). The server API and
 * the CLI never see it.
 */
import { createStore, del, get, set, type UseStore } from "idb-keyval";
import type { PersonalModel } from "../core/personal_reader.ts";
import { MIN_PERSONAL_DIGITS } from "../core/personal_head.ts";
import { CROP_BYTES } from "../core/history_export.ts";
import { REHEARSAL_IMAGES_PATH, REHEARSAL_LABELS_PATH } from "../core/rehearsal.ts";
import { effectiveLabel, isUserLabelled, listEntries, onHistoryChange } from "./history_store.ts";
import { getEngineState, setPersonalHead, subscribeEngine } from "./recognizer_client.ts";
import {
  PERSONAL_WORKER_URL,
  type PersonalTrainRequest,
  type PersonalTrainResult,
} from "./personal_protocol.ts";

/** What the UI shows. */
export interface PersonalState {
  /** "waiting": fewer than the digits needed; "training": the worker is at it. */
  status: "off" | "waiting" | "training" | "ready" | "error" | "unavailable";
  enabled: boolean;
  /** The user's labelled digits available to learn from. */
  digits: number;
  /** Digits the model in use was trained with. */
  trainedWith?: number;
  /** Digits still needed before the first personalisation. */
  needed: number;
  /** Milliseconds the last training took. */
  lastMs?: number;
  error?: string;
}

/** What is stored in IndexedDB. */
interface StoredModel {
  /** Absent in models stored before the warp was learnt: those are retrained. */
  model?: PersonalModel;
  baseVersion: string;
  digits: number;
  /** Which examples it was trained on (see `examplesKey`). */
  examplesKey: string;
  trainedAt: number;
}
interface Settings {
  enabled: boolean;
  /** Digits labelled before this time are not learnt from (reset). */
  resetAt: number;
}

const DEFAULT_SETTINGS: Settings = { enabled: true, resetAt: 0 };
/** Pause after a history change before retraining (a burst of corrections trains once). */
const SETTLE_MS = 1500;

let store: UseStore | undefined;
function personalStore(): UseStore {
  store ??= createStore("digit-recognizer-personal", "model");
  return store;
}

let state: PersonalState = { status: "waiting", enabled: true, digits: 0, needed: 0 };
const listeners = new Set<(s: PersonalState) => void>();
function setState(patch: Partial<PersonalState>): void {
  state = { ...state, ...patch };
  document.documentElement.dataset.personal = state.status;
  listeners.forEach((l) => l(state));
}

/** The current state. */
export function getPersonalState(): PersonalState {
  return state;
}

/** Calls `listener` on every change; returns the unsubscriber. */
export function subscribePersonal(listener: (s: PersonalState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The user's digits to learn from: labelled entries whose crops match their label. */
async function gatherExamples(resetAt: number) {
  const crops: Uint8Array[] = [];
  const labels: number[] = [];
  const keys: string[] = [];
  for (const e of await listEntries()) {
    if (!isUserLabelled(e) || !e.crops || (e.labelledAt ?? e.time) < resetAt) continue;
    const label = effectiveLabel(e);
    if (!label || e.crops.length !== label.length * CROP_BYTES) continue;
    crops.push(e.crops);
    for (const ch of label) labels.push(Number(ch));
    keys.push(`${e.id.slice(0, 16)}:${label}`);
  }
  const all = new Uint8Array(labels.length * CROP_BYTES);
  let at = 0;
  for (const c of crops) (all.set(c, at), at += c.length);
  return { crops: all, labels: Uint8Array.from(labels), key: keys.sort().join(",") };
}

let worker: Worker | undefined;
let nextId = 1;
function trainInWorker(req: Omit<PersonalTrainRequest, "id">): Promise<PersonalTrainResult> {
  worker ??= new Worker(PERSONAL_WORKER_URL, { type: "module", name: "personal-model" });
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (e: MessageEvent<PersonalTrainResult>) => {
      if (e.data.id !== id) return;
      worker!.removeEventListener("message", onMessage);
      worker!.removeEventListener("error", onError);
      if (e.data.error || !e.data.model) reject(new Error(e.data.error ?? "no model came back"));
      else resolve(e.data);
    };
    const onError = (e: ErrorEvent) => {
      worker!.removeEventListener("message", onMessage);
      worker!.removeEventListener("error", onError);
      worker?.terminate();
      worker = undefined;
      reject(new Error(e.message || "the personal model's worker failed to start"));
    };
    worker!.addEventListener("message", onMessage);
    worker!.addEventListener("error", onError);
    worker!.postMessage({ ...req, id }, [req.crops.buffer]);
  });
}

async function readSettings(): Promise<Settings> {
  return { ...DEFAULT_SETTINGS, ...(await get<Settings>("settings", personalStore())) };
}

let config: { modelUrl: string; wasmDir: string } | undefined;
let running: Promise<void> | undefined;
let again = false;

/** Brings the engine's model in line with the settings and the user's digits; retrains if needed. */
function sync(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    do {
      again = false;
      await syncOnce();
    } while (again);
  })().finally(() => (running = undefined));
  return running;
}

async function syncOnce(): Promise<void> {
  const base = getEngineState().baseModelVersion;
  if (!config || !base) return;
  try {
    const settings = await readSettings();
    const examples = await gatherExamples(settings.resetAt);
    const digits = examples.labels.length;
    const needed = Math.max(0, MIN_PERSONAL_DIGITS - digits);
    setState({ enabled: settings.enabled, digits, needed, error: undefined });
    if (!settings.enabled) {
      await setPersonalHead(null);
      setState({ status: "off" });
      return;
    }
    // The rehearsal digits are not precached (they would weigh on every
    // first visit): fetched, and so kept by the service worker, as soon as
    // the user starts labelling, so that personalising later works offline.
    if (digits > 0) prefetchRehearsal();
    if (needed > 0) {
      await setPersonalHead(null);
      setState({ status: "waiting", trainedWith: undefined });
      return;
    }
    let stored = await get<StoredModel>("model", personalStore());
    if (
      !stored?.model || stored.baseVersion !== base || stored.examplesKey !== examples.key
    ) {
      // Keep reading with the previous personal model (if any) while the new one trains.
      setState({ status: "training" });
      const result = await trainInWorker({
        ...config,
        crops: examples.crops,
        labels: examples.labels,
      });
      stored = {
        model: result.model!,
        baseVersion: result.baseVersion!,
        digits,
        examplesKey: examples.key,
        trainedAt: Date.now(),
      };
      await set("model", stored, personalStore());
      setState({ lastMs: result.ms });
    }
    await apply(stored);
  } catch (e) {
    setState({ status: "error", error: (e as Error)?.message ?? String(e) });
  }
}

let rehearsalFetched = false;

/** Fetches the rehearsal digits once per page, so the service worker keeps them. */
function prefetchRehearsal(): void {
  if (rehearsalFetched) return;
  rehearsalFetched = true;
  for (const path of [REHEARSAL_IMAGES_PATH, REHEARSAL_LABELS_PATH]) {
    fetch(path).then((res) => res.arrayBuffer()).catch(() => {
      rehearsalFetched = false; // Offline now: try again with the next labelled digit.
    });
  }
}

async function apply(stored: StoredModel): Promise<void> {
  // The engine runs in the recognition worker: the model goes there, as data.
  await setPersonalHead({
    id: `me${stored.digits}.${shortHash(stored.examplesKey)}`,
    model: stored.model!,
  });
  setState({ status: "ready", trainedWith: stored.digits });
}

function shortHash(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, "0").slice(0, 6);
}

let timer: ReturnType<typeof setTimeout> | undefined;
let started = false;

/**
 * Starts following the history and the engine (once per page): trains when
 * enough digits are labelled, applies a stored personal model at start-up.
 */
export function startPersonalModel(cfg: { modelUrl: string; wasmDir: string }): void {
  if (started) return;
  started = true;
  config = cfg;
  if (typeof Worker === "undefined" || typeof indexedDB === "undefined") {
    setState({ status: "unavailable", enabled: false });
    return;
  }
  let lastBase: string | undefined;
  subscribeEngine((s) => {
    if (s.status === "ready" && s.baseModelVersion !== lastBase) {
      lastBase = s.baseModelVersion;
      void sync();
    }
  });
  if (getEngineState().status === "ready") void sync();
  onHistoryChange(() => {
    clearTimeout(timer);
    timer = setTimeout(() => void sync(), SETTLE_MS);
  });
}

/** Switches the personal model on or off (it is kept while off). */
export async function setPersonalEnabled(enabled: boolean): Promise<void> {
  const settings = await readSettings();
  await set("settings", { ...settings, enabled }, personalStore());
  await sync();
}

/** Forgets the personal model; digits labelled from now on start a new one. */
export async function resetPersonalModel(): Promise<void> {
  const settings = await readSettings();
  await set("settings", { ...settings, resetAt: Date.now() }, personalStore());
  await del("model", personalStore());
  await sync();
}

/** Retrains now (after a change the page made itself, or for tests), resolving once applied. */
export function personaliseNow(): Promise<void> {
  clearTimeout(timer);
  return sync();
}
