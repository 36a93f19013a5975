/**
 * Writes and reads tfjs layers-format model folders (model.json + one weight
 * shard) from Deno, which has no file:// IO handler, and quantizes weights
 * the way tfjs-converter does (manifest entries carry `quantization`).
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

/** How the weights are stored in the shard. */
export type WeightDtype = "float32" | "float16" | "uint8";

/** The shard's file name, fixed so the service worker can cache a stable URL list. */
export const SHARD_NAME = "group1-shard1of1.bin";

/** Captures a model's topology and float32 weights in memory (tfjs `model.save` with a custom handler). */
export async function captureArtifacts(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler((artifacts) => {
    captured = artifacts;
    return Promise.resolve({
      modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" },
    });
  }));
  if (!captured) throw new Error("model.save produced no artifacts");
  return captured;
}

function asBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  if (Array.isArray(data)) return new Uint8Array(tf.io.concatenateArrayBuffers(data));
  return new Uint8Array(data);
}

/** float32 → IEEE half bits, round-to-nearest-even (no Float16Array needed). */
export function float32ToFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  e = half;
  return sign | e;
}

/**
 * Re-encodes float32 weights as `dtype`. uint8 uses one affine range per
 * tensor, nudged so that 0 is exactly representable (as tfjs-converter does).
 */
export function quantizeWeights(
  specs: tf.io.WeightsManifestEntry[],
  data: Uint8Array,
  dtype: WeightDtype,
): { specs: tf.io.WeightsManifestEntry[]; data: Uint8Array } {
  if (dtype === "float32") return { specs: specs.map((s) => ({ ...s })), data: data.slice() };
  const chunks: Uint8Array[] = [];
  const outSpecs: tf.io.WeightsManifestEntry[] = [];
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== "float32") {
      throw new Error(`cannot quantize ${spec.name} of dtype ${spec.dtype}`);
    }
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(data.slice(offset, offset + 4 * n).buffer);
    offset += 4 * n;
    if (dtype === "float16") {
      const bits = new Uint16Array(n);
      for (let i = 0; i < n; i++) bits[i] = float32ToFloat16Bits(values[i]);
      chunks.push(new Uint8Array(bits.buffer));
      outSpecs.push({ ...spec, quantization: { dtype: "float16" } });
    } else {
      let min = Math.min(0, ...values), max = Math.max(0, ...values);
      if (max === min) max = min + 1e-8;
      let scale = (max - min) / 255;
      // Nudge the range so zero maps to an integer level.
      const zero = Math.round(-min / scale);
      min = -zero * scale;
      max = min + 255 * scale;
      scale = (max - min) / 255;
      const q = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        q[i] = Math.max(0, Math.min(255, Math.round((values[i] - min) / scale)));
      }
      chunks.push(q);
      outSpecs.push({ ...spec, quantization: { dtype: "uint8", scale, min } });
    }
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return { specs: outSpecs, data: out };
}

/** A model folder's content, ready to write: the model.json object and the shard bytes. */
export interface ModelFiles {
  modelJson: Record<string, unknown>;
  shard: Uint8Array;
}

async function shortHash(parts: Uint8Array[]): Promise<string> {
  const total = parts.reduce((a, p) => a + p.length, 0);
  const all = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest.slice(0, 6), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Builds model.json + shard for a model with its weights stored as `dtype`.
 * The content version (a 12-hex sha256 prefix over topology, manifest and
 * weights) goes in `userDefinedMetadata.version`; `metadata` is merged there.
 */
export async function encodeModel(
  model: tfl.LayersModel,
  dtype: WeightDtype,
  metadata: Record<string, unknown> = {},
): Promise<ModelFiles> {
  const artifacts = await captureArtifacts(model);
  const q = quantizeWeights(artifacts.weightSpecs ?? [], asBytes(artifacts.weightData), dtype);
  const body = {
    format: "layers-model",
    generatedBy: artifacts.generatedBy,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [SHARD_NAME], weights: q.specs }],
  };
  const version = await shortHash([new TextEncoder().encode(JSON.stringify(body)), q.data]);
  return {
    modelJson: { ...body, userDefinedMetadata: { version, weight_dtype: dtype, ...metadata } },
    shard: q.data,
  };
}

/**
 * Writes a model folder atomically: files go to a sibling temp folder that
 * then replaces `dir`, so an interrupted run never leaves a half-written model.
 */
export async function writeModelDir(dir: string, files: ModelFiles): Promise<void> {
  const clean = dir.replace(/\/+$/, "");
  const tmp = `${clean}.tmp-${Deno.pid}`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp, { recursive: true });
  await Deno.writeTextFile(`${tmp}/model.json`, JSON.stringify(files.modelJson, null, 1) + "\n");
  await Deno.writeFile(`${tmp}/${SHARD_NAME}`, files.shard);
  const old = `${clean}.old-${Deno.pid}`;
  let hadOld = false;
  try {
    await Deno.rename(clean, old);
    hadOld = true;
  } catch { /* no previous model */ }
  await Deno.rename(tmp, clean);
  if (hadOld) await Deno.remove(old, { recursive: true });
}

/** Reads a model folder (model.json + shards named in its manifest) as tfjs ModelArtifacts. */
export async function readModelArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) buffers.push(await Deno.readFile(`${dir}/${p}`));
  }
  const total = buffers.reduce((a, b) => a + b.length, 0);
  const weights = new Uint8Array(total);
  let o = 0;
  for (const b of buffers) {
    weights.set(b, o);
    o += b.length;
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: specs,
    weightData: weights.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata,
  };
}

/** Loads a layers model from in-memory files (what `encodeModel` produced). */
export function loadModelFiles(files: ModelFiles): Promise<tfl.LayersModel> {
  const j = files.modelJson;
  // deno-lint-ignore no-explicit-any
  const manifest = j.weightsManifest as any[];
  return tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: j.modelTopology as object,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: files.shard.slice().buffer,
  }));
}

/** Loads a layers model from a folder on disk. */
export async function loadModelDir(dir: string): Promise<tfl.LayersModel> {
  const artifacts = await readModelArtifacts(dir);
  return tfl.loadLayersModel(tf.io.fromMemory(artifacts));
}
