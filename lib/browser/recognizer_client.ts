/**
 * The page's side of recognition: starts the recognition worker (a module
 * Worker with OffscreenCanvas, where decoding, preprocessing and the model
 * run) and talks to it; mirrors the engine's state for the UI. Where a
 * browser lacks module workers or OffscreenCanvas, or the worker cannot
 * start, the same service runs on the page itself (a lazily loaded chunk).
 * Remembers the user's backend choice (localStorage lives on the page).
 */
import type { PersonalModel } from "../core/personal_reader.ts";
import type { BackendName } from "./backend_choice.ts";
import { parseBackend } from "./backend_choice.ts";
import type { EngineState } from "./engine.ts";
import { InputError } from "./image_input.ts";
import type { RecognitionRequest } from "./recognition_service.ts";

/** The worker's URL: a stable name that imports the build's content-hashed bundle. */
export const WORKER_URL = "/recognition-worker.js";

const STORAGE_KEY = "digit-recognizer:backend";

/** Where recognition runs. */
export type RecognitionThread = "worker" | "page";

let state: EngineState = { status: "idle", preferred: null, failed: {} };
const listeners = new Set<(s: EngineState) => void>();
let worker: Worker | undefined;
let thread: RecognitionThread | undefined;
let startRequest: RecognitionRequest | undefined;
let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

/**
 * Once the engine is ready, hands the service worker the files recognition
 * fetched on demand (backend code, WASM build, model), so the installed app
 * has them offline; the service worker takes them from the HTTP cache.
 * Sets `data-offline-ready` on <html> once it has them.
 */
async function keepForOffline(): Promise<void> {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.ready;
  const urls = await send<string[]>({ type: "usedFiles" });
  const own = performance.getEntriesByType("resource").map((e) => e.name);
  const sameOrigin = [...new Set([...urls, ...own])].filter((u) =>
    new URL(u).origin === location.origin
  );
  const channel = new MessageChannel();
  const done = new Promise((resolve) => (channel.port1.onmessage = resolve));
  registration.active?.postMessage({ type: "CACHE_URLS", urls: sameOrigin }, [channel.port2]);
  await done;
  document.documentElement.dataset.offlineReady = "true";
}

let keptForOffline = false;

function setState(next: EngineState): void {
  // The worker's clock starts later than the page's: time the first ready moment here.
  const readyAt = state.readyAt ?? (next.status === "ready" ? performance.now() : undefined);
  state = { ...next, readyAt };
  const root = document.documentElement.dataset;
  if (state.backend) root.backend = state.backend;
  if (state.status === "ready") root.recognizerReady = "true";
  if (state.status === "ready" && !keptForOffline) {
    keptForOffline = true;
    keepForOffline().catch(() => {}); // Offline use is a bonus; recognition works without it.
  }
  for (const l of listeners) l(state);
}

/** The current state. */
export function getEngineState(): EngineState {
  return state;
}

/** Calls `listener` on every state change; returns the unsubscribe function. */
export function subscribeEngine(listener: (s: EngineState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Where recognition runs on this page (undefined before the engine starts). */
export function recognitionThread(): RecognitionThread | undefined {
  return thread;
}

/** True when this browser has what the recognition worker needs: workers and OffscreenCanvas. */
export function workerSupported(): boolean {
  return typeof Worker === "function" && typeof OffscreenCanvas === "function";
}

function errorFrom({ name, message }: { name: string; message: string }): Error {
  const e = name === "InputError" ? new InputError(message) : new Error(message);
  e.name = name;
  return e;
}

/** Runs the service on the page from now on (no worker, or the worker failed to start). */
let local: Promise<typeof import("./recognition_service.ts")> | undefined;

function useThePage(): void {
  thread = "page";
  document.documentElement.dataset.recognitionThread = thread;
  local = import("./recognition_service.ts");
}

function startWorker(): void {
  // A browser without module workers never reads `type` from the options: it
  // would run the bundle as a classic script, so recognise on the page. (A
  // probe worker from a blob: URL would break the page's CSP, worker-src 'self'.)
  let module = false;
  const options = {
    name: "recognition",
    get type() {
      module = true;
      return "module" as const;
    },
  };
  let w: Worker;
  try {
    w = new Worker(WORKER_URL, options);
  } catch {
    return useThePage();
  }
  if (!module) {
    w.terminate();
    return useThePage();
  }
  let answered = false;
  w.onmessage = ({ data }) => {
    answered = true;
    if (data.state) return setState(data.state);
    const job = pending.get(data.id);
    pending.delete(data.id);
    if (data.error) job?.reject(errorFrom(data.error));
    else job?.resolve(data.value);
  };
  w.onerror = (event) => {
    // A worker that cannot even load (old browser quirk, blocked script): recognise on the page.
    if (answered) return;
    event.preventDefault();
    w.terminate();
    worker = undefined;
    useThePage();
    const waiting = [...pending.entries()];
    pending.clear();
    for (const [, job] of waiting) job.reject(new Error("the recognition worker could not start"));
    if (startRequest) void send(startRequest).catch(() => {});
  };
  worker = w;
  thread = "worker";
  document.documentElement.dataset.recognitionThread = thread;
}

/** Sends one request to wherever recognition runs and resolves with its answer. */
export async function send<T = unknown>(
  request: RecognitionRequest,
  transfer: Transferable[] = [],
): Promise<T> {
  if (!thread) throw new Error("the recognizer has not been started");
  if (thread === "page") {
    const service = await local!;
    return await service.handleRequest(request, setState) as T;
  }
  const id = nextId++;
  return await new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    worker!.postMessage({ id, request }, transfer);
  });
}

function storedPreference(): BackendName | null {
  // ?backend=wasm wins for this visit (benchmarks, support); then the saved choice.
  const fromUrl = parseBackend(new URLSearchParams(location.search).get("backend"));
  if (fromUrl) return fromUrl;
  try {
    return parseBackend(localStorage.getItem(STORAGE_KEY));
  } catch {
    return null; // Storage blocked: automatic choice.
  }
}

/**
 * Starts recognition once per page (later calls do nothing): the worker (or
 * the page fallback), then the engine in it: probe, backend, model, warm-up.
 */
export function startEngine(config: { modelUrl: string; wasmDir: string }): Promise<void> {
  if (thread) return Promise.resolve();
  const preferred = storedPreference();
  setState({ ...state, status: "loading", preferred });
  if (workerSupported()) startWorker();
  else useThePage();
  startRequest = { type: "start", config: { ...config, preferred } };
  return send(startRequest);
}

/**
 * Reads with the personal model (its last layer and the writer's warp) from
 * the next prediction on (null: the shipped model again); see
 * lib/browser/personal_model.ts.
 */
export function setPersonalHead(
  personal: { id: string; model: PersonalModel } | null,
): Promise<void> {
  return send({ type: "setPersonalHead", personal });
}

/** Switches to the user's backend (null = automatic) and remembers the choice. */
export function setPreferredBackend(name: BackendName | null): Promise<void> {
  try {
    if (name) localStorage.setItem(STORAGE_KEY, name);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // Not remembered across visits; still applied now.
  }
  return send({ type: "setBackend", name });
}
