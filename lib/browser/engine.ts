/**
 * The recognition engine, one per page: probes the device, picks the fastest
 * backend, loads the model once, warms it up, and runs it. It lives in the
 * recognition worker (lib/browser/recognition_worker.ts), or on the page's
 * main thread where a browser has no module workers; it touches no DOM, so
 * either works. A backend that breaks at run time (lost GPU context, device
 * gone, an exception or garbage out of predict) is dropped and the next one
 * in the chain takes over, and the same digits are run again, so the user's
 * image is never lost.
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  type BatchOutputs,
  type DigitModel,
  inputBatch,
  modelFromArtifacts,
  type ModelJson,
  rowsOf,
  runBatch,
} from "../core/model_runner.ts";
import { type RecognizeOptions } from "../core/recognize.ts";
import { buildResult, modelInputs } from "../core/result.ts";
import { noDigitSettingsOf } from "../core/no_digit.ts";
import type { PreprocessResult, RecognitionResult } from "../core/image_types.ts";
import {
  backendChain,
  type BackendName,
  type DeviceProbe,
  explainChoice,
  probeDevice,
} from "./backend_choice.ts";
import { activateBackend, dropBackend, prefetchBackend } from "./backend_loader.ts";
import { fetchModelArtifacts, type ModelArtifacts } from "./model_artifacts.ts";

/** What the UI shows about the engine. */
export interface EngineState {
  status: "idle" | "loading" | "ready" | "error";
  /** The backend in use once ready. */
  backend?: BackendName;
  /** Why that backend (automatic choice) or "your choice". */
  reason?: string;
  probe?: DeviceProbe;
  /** The user's override, or null for automatic. */
  preferred: BackendName | null;
  /** Backends that failed on this page, with the reason. */
  failed: Partial<Record<BackendName, string>>;
  /** The version of the model reading now: the shipped one's, plus "+" and the adapter's id. */
  modelVersion?: string;
  /** The shipped model's version. */
  baseModelVersion?: string;
  /** Milliseconds from navigation start until the first prediction was possible. */
  readyAt?: number;
  /** Milliseconds of the warm-up prediction (includes shader compilation on GPUs). */
  warmupMs?: number;
  /** Why nothing works, when status is "error". */
  error?: string;
}

/** Where the engine finds its files. */
export interface EngineConfig {
  modelUrl: string;
  wasmDir: string;
  /** The user's backend (null: automatic). */
  preferred: BackendName | null;
}

let state: EngineState = { status: "idle", preferred: null, failed: {} };
const listeners = new Set<(s: EngineState) => void>();
let config: EngineConfig | undefined;
let artifacts: Promise<ModelArtifacts> | undefined;
let model: DigitModel | undefined;
/** A change to the model on this device (the personal model, lib/browser/personal_model.ts). */
export interface ModelAdapter {
  /** Short id, appended to the model version (history entries record which model read them). */
  id: string;
  /** The model to run in place of `base` (sharing its weights; disposed on its own). */
  wrap: (base: DigitModel) => DigitModel;
}
let adapter: ModelAdapter | null = null;
let adapted: DigitModel | undefined;
/** The no-digit head, when the model's folder ships one. */
let head: DigitModel | undefined;
/** GPU backends whose context/device was lost since they were activated. */
const lost = new Set<BackendName>();
/** Every model run and backend switch goes through this chain, one at a time. */
let queue: Promise<unknown> = Promise.resolve();

function setState(patch: Partial<EngineState>): void {
  state = { ...state, ...patch };
  for (const l of listeners) l(state);
}

function serial<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => {});
  return run;
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

/** One batch through the model (and the head); reads the result asynchronously so a GPU never blocks the page. */
async function predictRows(
  m: DigitModel,
  inputs: Float32Array[],
  h?: DigitModel,
): Promise<BatchOutputs> {
  const x = inputBatch(m, inputs);
  let y: ReturnType<typeof runBatch> | undefined;
  try {
    y = runBatch(m, x, h);
    const rows = rowsOf(await y.probabilities.data(), inputs.length);
    // A lost WebGL context reads back zeros instead of throwing: softmax rows must sum to 1.
    for (const r of rows) {
      const sum = r.reduce((a, b) => a + b, 0);
      if (!r.every(Number.isFinite) || Math.abs(sum - 1) > 0.05) {
        throw new Error("the backend returned invalid probabilities");
      }
    }
    const shapeClasses = y.shapeClasses
      ? rowsOf(await y.shapeClasses.data(), inputs.length)
      : undefined;
    return { probabilities: rows, ...(shapeClasses ? { shapeClasses } : {}) };
  } finally {
    x.dispose();
    y?.probabilities.dispose();
    y?.shapeClasses?.dispose();
  }
}

function watchForLoss(name: BackendName): void {
  // deno-lint-ignore no-explicit-any
  const backend = tf.backend() as any;
  if (name === "webgpu") backend.device?.lost?.then?.(() => lost.add(name));
  if (name === "webgl") {
    backend.gpgpu?.gl?.canvas?.addEventListener?.("webglcontextlost", () => lost.add(name));
  }
}

function releaseModel(): void {
  for (const m of [adapted, model, head]) {
    try {
      m?.dispose();
    } catch {
      // The weights lived on a backend that is gone; nothing left to free.
    }
  }
  model = undefined;
  adapted = undefined;
  head = undefined;
}

/** Rebuilds the adapted model for the current backend; what the page runs is `active()`. */
function adapt(): void {
  try {
    adapted?.dispose();
  } catch {
    // As in releaseModel.
  }
  adapted = model && adapter ? adapter.wrap(model) : undefined;
  const base = state.baseModelVersion;
  setState({ modelVersion: base && adapter ? `${base}+${adapter.id}` : base });
}

function active(): DigitModel | undefined {
  return adapted ?? model;
}

/**
 * Runs `adapter`'s model in place of the shipped one from the next
 * prediction on (null: the shipped model again). Applied in turn with
 * predictions, and again after a backend switch.
 */
export function setModelAdapter(next: ModelAdapter | null): Promise<void> {
  return serial(() => {
    adapter = next;
    adapt();
    return Promise.resolve();
  });
}

/** Tries the backends of `chain` in order until one runs the model; throws if none does. */
async function bringUp(chain: BackendName[], userChoice: boolean): Promise<void> {
  const art = await artifacts!;
  let lastError = "";
  for (const name of chain) {
    if (state.failed[name] && !(userChoice && name === chain[0])) continue;
    try {
      releaseModel();
      await activateBackend(name, config!.wasmDir);
      lost.delete(name);
      model = modelFromArtifacts(art.json, art.weights);
      head = art.head ? modelFromArtifacts(art.head.json, art.head.weights) : undefined;
      const t0 = performance.now();
      await predictRows(
        model,
        [new Float32Array(model.inputShape.reduce((a, b) => a * b, 1))],
        head,
      );
      const warmupMs = performance.now() - t0;
      watchForLoss(name);
      const failed = { ...state.failed };
      delete failed[name];
      setState({
        status: "ready",
        backend: name,
        reason: userChoice && name === chain[0] ? "your choice" : explainChoice(state.probe!, name),
        baseModelVersion: art.version,
        warmupMs,
        failed,
        error: undefined,
        readyAt: state.readyAt ?? performance.now(),
      });
      adapt();
      return;
    } catch (e) {
      releaseModel();
      lastError = (e as Error).message || String(e);
      setState({ failed: { ...state.failed, [name]: lastError } });
    }
  }
  throw new Error(
    `no backend could run the model on this device${lastError ? ` (${lastError})` : ""}`,
  );
}

/**
 * Starts the engine (once per page; later calls return the same promise's
 * outcome): probe, backend, model download, warm-up.
 */
export function startEngine(cfg: EngineConfig): Promise<void> {
  if (config) return serial(() => Promise.resolve());
  config = cfg;
  setState({ status: "loading", preferred: cfg.preferred });
  // The model and the WASM backend (the usual choice, and every device's
  // fallback) download while the GPU is probed.
  artifacts = fetchModelArtifacts(cfg.modelUrl);
  artifacts.catch(() => {}); // Reported by bringUp.
  prefetchBackend(cfg.preferred ?? "wasm", cfg.wasmDir);
  return serial(async () => {
    try {
      const probe = await probeDevice();
      setState({ probe });
      await bringUp(backendChain(probe, state.preferred), !!state.preferred);
    } catch (e) {
      setState({ status: "error", error: (e as Error).message });
      throw e;
    }
  });
}

/** Switches to the user's backend (null = automatic). */
export function setPreferredBackend(name: BackendName | null): Promise<void> {
  setState({ preferred: name, status: "loading" });
  return serial(async () => {
    if (!state.probe) return;
    try {
      await bringUp(backendChain(state.probe, name), !!name);
    } catch (e) {
      setState({ status: "error", error: (e as Error).message });
      throw e;
    }
  });
}

/**
 * Runs the model on preprocessed digits. On a backend failure, drops that
 * backend, brings up the next one and runs the same digits again.
 */
export function classifyPreprocessed(
  pre: PreprocessResult,
  options: RecognizeOptions = {},
  preprocessMs = 0,
): Promise<RecognitionResult & { backend: string }> {
  return serial(async () => {
    while (true) {
      const model = active();
      if (state.status !== "ready" || !model || !state.backend) {
        throw new Error(state.error ?? "the recognizer is not ready yet");
      }
      const backend = state.backend;
      if (pre.digits.length === 0) {
        return {
          ...buildResult(pre, { probabilities: [] }, { ...options, preprocessMs }),
          backend,
        };
      }
      try {
        if (lost.has(backend)) throw new Error(`the ${backend} context was lost`);
        const t0 = performance.now();
        // Alternatives included: a frame-filling scan is read at several widths.
        const outputs = await predictRows(model, modelInputs(pre), head);
        const modelMs = performance.now() - t0;
        // Built by lib/core/result.ts, as on the server and in the CLI, so they all agree.
        const noDigit = { ...noDigitSettingsOf(head), ...options.noDigit };
        const built = buildResult(pre, outputs, { ...options, noDigit, preprocessMs, modelMs });
        return { ...built, backend };
      } catch (e) {
        const message = (e as Error).message || String(e);
        console.warn(`Backend ${backend} failed, falling back:`, message);
        setState({ failed: { ...state.failed, [backend]: message }, status: "loading" });
        releaseModel();
        dropBackend(backend);
        try {
          await bringUp(backendChain(state.probe!, null), false);
        } catch (err) {
          setState({ status: "error", error: (err as Error).message });
          throw err;
        }
      }
    }
  });
}

/**
 * Runs a model given as artifacts on `backend` (loading it if needed) and
 * switches back to the engine's backend afterwards: lets tests check that a
 * backend's kernel set covers every layer type lib/core/model_runner.ts supports.
 */
export function runArtifactsOn(
  backend: BackendName,
  json: ModelJson,
  weights: ArrayBuffer,
  inputs: Float32Array[],
): Promise<number[][]> {
  return serial(async () => {
    const previous = state.backend;
    let m: DigitModel | undefined;
    try {
      await activateBackend(backend, config?.wasmDir);
      m = modelFromArtifacts(json, weights);
      return (await predictRows(m, inputs)).probabilities;
    } finally {
      m?.dispose();
      if (previous) await activateBackend(previous, config?.wasmDir);
    }
  });
}

/**
 * Marks the active backend as lost, as a dead GPU context would: the next
 * prediction falls back. For tests and support, not for the UI.
 */
export function simulateBackendLoss(): void {
  if (state.backend) lost.add(state.backend);
}

/** Number of live tensors (leak checks in tests and the settings panel). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
