/**
 * The model's files, fetched once and kept in memory, so that switching to a
 * fallback backend rebuilds the model without touching the network (which may
 * be gone by then: the app works offline).
 */
import { type ModelJson, NO_DIGIT_HEAD_FILE } from "../core/model_runner.ts";

/** model.json parsed, plus all weight shards concatenated in manifest order. */
export interface ModelArtifacts {
  json: ModelJson;
  weights: ArrayBuffer;
  /** `userDefinedMetadata.version` of model.json ("unknown" when absent). */
  version: string;
  /** The no-digit head beside model.json, when there is one (same layout). */
  head?: { json: ModelJson; weights: ArrayBuffer };
}

async function fetchBytes(url: URL): Promise<ArrayBuffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not download ${url.pathname} (HTTP ${res.status})`);
  return await res.arrayBuffer();
}

/** Downloads a model.json and its shards (resolved relative to it), concatenated. */
async function fetchLayersModel(url: URL): Promise<{ json: ModelJson; weights: ArrayBuffer }> {
  const json = JSON.parse(new TextDecoder().decode(await fetchBytes(url))) as ModelJson;
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new Error(`${url.pathname} is not a TensorFlow.js layers model`);
  }
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const shards = await Promise.all(paths.map((p) => fetchBytes(new URL(p, url))));
  const all = new Uint8Array(shards.reduce((n, s) => n + s.byteLength, 0));
  let offset = 0;
  for (const s of shards) {
    all.set(new Uint8Array(s), offset);
    offset += s.byteLength;
  }
  return { json, weights: all.buffer };
}

/**
 * Downloads model.json and its shards, and the no-digit head beside it
 * (optional: without it the page reads digits but never rejects a shape).
 */
export async function fetchModelArtifacts(modelUrl: string): Promise<ModelArtifacts> {
  const base = new URL(modelUrl, location.href);
  const [model, head] = await Promise.all([
    fetchLayersModel(base),
    fetchLayersModel(new URL(NO_DIGIT_HEAD_FILE, base)).catch(() => undefined),
  ]);
  const version = String(model.json.userDefinedMetadata?.version ?? "unknown");
  return { ...model, version, ...(head ? { head } : {}) };
}
