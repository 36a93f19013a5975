/**
 * The personal model's trainer, in a Web Worker so the page never waits on
 * it: loads the shipped model (from the offline cache, like the page),
 * computes the penultimate features of the shipped rehearsal digits (once per
 * base model), and trains the personal model on the user's digits: the
 * writer's warp and the final layer (lib/core/personal_reader.ts). Answers one
 * `PersonalTrainResult` per request.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type DigitModel, modelFromArtifacts } from "../core/model_runner.ts";
import type { FeatureSet } from "../core/personal_head.ts";
import { featuresInSlices, trainPersonalModel } from "../core/personal_reader.ts";
import {
  decodeRehearsal,
  digitInputs,
  REHEARSAL_IMAGES_PATH,
  REHEARSAL_LABELS_PATH,
} from "../core/rehearsal.ts";
import { fetchModelArtifacts } from "./model_artifacts.ts";
import { activateBackend } from "./backend_loader.ts";
import type { PersonalTrainRequest, PersonalTrainResult } from "./personal_protocol.ts";

let model: DigitModel | undefined;
let modelVersion: string | undefined;
let rehearsal: { inputs: Float32Array[]; features: FeatureSet } | undefined;
let backend: string | undefined;

async function ensureBackend(wasmDir: string): Promise<string> {
  if (backend) return backend;
  try {
    await activateBackend("wasm", wasmDir);
    backend = "wasm";
  } catch {
    await activateBackend("cpu");
    backend = "cpu";
  }
  return backend;
}

async function fetchBytes(path: string): Promise<Uint8Array> {
  const res = await fetch(new URL(path, location.origin));
  if (!res.ok) throw new Error(`could not load ${path} (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

async function train(req: PersonalTrainRequest): Promise<PersonalTrainResult> {
  const t0 = performance.now();
  await ensureBackend(req.wasmDir);
  const art = await fetchModelArtifacts(req.modelUrl);
  if (!model || modelVersion !== art.version) {
    model?.dispose();
    model = modelFromArtifacts(art.json, art.weights);
    modelVersion = art.version;
    rehearsal = undefined;
  }
  if (!rehearsal) {
    const set = await decodeRehearsal(
      await fetchBytes(REHEARSAL_IMAGES_PATH),
      await fetchBytes(REHEARSAL_LABELS_PATH),
    );
    const inputs = digitInputs(set);
    rehearsal = { inputs, features: featuresInSlices(model, inputs, [...set.labels]) };
  }
  const count = req.labels.length;
  const inputs = Array.from(
    { length: count },
    (_, i) => Float32Array.from(req.crops.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
  );
  return {
    id: req.id,
    model: trainPersonalModel(model, inputs, [...req.labels], rehearsal),
    baseVersion: art.version,
    digits: count,
    backend: backend!,
    ms: performance.now() - t0,
    tensors: tf.memory().numTensors,
  };
}

// The project is type-checked with the DOM library: a worker's scope posts like a Worker does.
const scope = self as unknown as Worker;
scope.onmessage = async (e: MessageEvent<PersonalTrainRequest>) => {
  try {
    const result = await train(e.data);
    const head = result.model!.head;
    scope.postMessage(result, [head.kernel.buffer, head.bias.buffer]);
  } catch (error) {
    scope.postMessage({ id: e.data.id, error: (error as Error)?.message ?? String(error) });
  }
};
