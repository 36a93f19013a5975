/**
 * `deno task bench:personal [--splits 5] [--browser] [--writers a,b] [--warp-margin 0.05]`
 *
 * Measures the personal model (lib/core/personal_reader.ts) on simulated users
 * (scripts/personal_writers.ts): for each writer, 20 of their digits are
 * "corrected or confirmed" (drawn at random, `--splits` times), the personal
 * model (the writer's warp and the final layer) is trained as the app does,
 * and errors on the writer's other digits are counted with the stock and the
 * personal model, along with the personal model's accuracy on the 10,000
 * MNIST test digits; the same for the final layer retrained alone and the
 * prototype adapter (lib/core/personal_adapter.ts), measured beside it, and
 * what each writer's errors are (out of any model's reach, or one misreading
 * a style causes). `--writers a,b` measures only those writers and writes
 * nothing; `--warp-margin` tries another margin for the warp. Without `--browser` it runs in Deno only; `--browser` also times
 * personalising in headless Chromium (the app's worker, 200 of the user's
 * digits) and the page's longest frame gap meanwhile. Writes the tables to
 * BENCHMARKS.md ("Personal model" section) and prints them.
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { loadModel } from "../lib/core/model_runner.ts";
import { initInferenceBackend } from "../lib/server/tf_backend.ts";
import {
  DEFAULT_PERSONAL_TRAINING,
  type FeatureSet,
  featureSet,
  headProbabilities,
  splitModel,
  trainPersonalHead,
} from "../lib/core/personal_head.ts";
import {
  chooseReading,
  CONFIDENT,
  type PersonalModel,
  trainPersonalModel,
  WARP_FIT_DIGITS,
  WARP_MARGIN,
} from "../lib/core/personal_reader.ts";
import { digitGeometry, isIdentityWarp, unwarpDigit } from "../lib/core/personal_warp.ts";
import {
  adaptedProbabilities,
  buildPrototypeAdapter,
  DEFAULT_PROTOTYPE_OPTIONS,
  featureMean,
  type PrototypeAdapter,
} from "../lib/core/personal_adapter.ts";
import { decodeRehearsal, digitInputs } from "../lib/core/rehearsal.ts";
import { loadMnistSplit } from "../training/mnist_files.ts";
import { shuffledIndices } from "../training/augment.ts";
import { makeRng } from "../lib/core/random.ts";
import {
  boxyWriter,
  photoWriters,
  syntheticStyles,
  syntheticWriters,
  type Writer,
} from "./personal_writers.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const { values } = parseArgs({
  args: Deno.args,
  options: {
    splits: { type: "string", default: "5" },
    adapt: { type: "string", default: "20" },
    browser: { type: "boolean", default: false },
    write: { type: "boolean", default: true },
    "no-write": { type: "boolean", default: false },
    "warp-margin": { type: "string" },
    /** Only the writers whose names contain one of these (comma-separated); writes nothing. */
    writers: { type: "string" },
    mnist: { type: "string", default: Deno.env.get("MNIST_DIR") ?? `${ROOT}../shared/mnist` },
    photos: { type: "string", default: Deno.env.get("PHOTOS_DIR") ?? `${ROOT}../shared/photos` },
  },
});
const SPLITS = Number(values.splits);
const ADAPT = Number(values.adapt);
const MARGIN = values["warp-margin"] ? Number(values["warp-margin"]) : WARP_MARGIN;

const backend = await initInferenceBackend();
const model = await loadModel(`${ROOT}static/model/model.json`);
const base = splitModel(model).head();
const version = String(model.metadata.version ?? "unknown");

function featuresInBatches(inputs: Float32Array[], labels: number[]): FeatureSet {
  const parts: FeatureSet[] = [];
  for (let i = 0; i < inputs.length; i += 500) {
    parts.push(featureSet(model, inputs.slice(i, i + 500), labels.slice(i, i + 500)));
  }
  const dims = base.inputs;
  const count = inputs.length;
  const features = new Float32Array(count * dims);
  let at = 0;
  for (const p of parts) (features.set(p.features, at * dims), at += p.count);
  return { features, labels: Uint8Array.from(labels), count, dims };
}

function argmax(p: number[]): number {
  let best = 0;
  for (let k = 1; k < p.length; k++) if (p[k] > p[best]) best = k;
  return best;
}

function accuracy(head: typeof base, set: FeatureSet): number {
  let right = 0;
  for (let n = 0; n < set.count; n++) {
    const f = set.features.subarray(n * set.dims, (n + 1) * set.dims);
    if (argmax(headProbabilities(head, f)) === set.labels[n]) right++;
  }
  return right / set.count;
}

/** Features of `inputs` with `personal`'s warp undone (MNIST's kept per warp: warps repeat). */
const undoneCache = new Map<string, FeatureSet>();
function undoneFeatures(personal: PersonalModel, inputs: Float32Array[], cacheAs?: string) {
  const key = `${cacheAs}:${personal.warp.rotation}/${personal.warp.shear}`;
  if (cacheAs && undoneCache.has(key)) return undoneCache.get(key)!;
  const set = featuresInBatches(
    inputs.map((x) => unwarpDigit(x, personal.warp)),
    inputs.map(() => 0),
  );
  if (cacheAs) undoneCache.set(key, set);
  return set;
}

/** How many of `set` (features of `inputs`) the personal model reads right, as the page does. */
function personalRight(
  personal: PersonalModel,
  set: FeatureSet,
  inputs: Float32Array[],
  cacheAs?: string,
): number {
  if (isIdentityWarp(personal.warp)) return Math.round(accuracy(personal.head, set) * set.count);
  const undone = undoneFeatures(personal, inputs, cacheAs);
  let right = 0;
  for (let n = 0; n < set.count; n++) {
    const f = set.features.subarray(n * set.dims, (n + 1) * set.dims);
    const u = undone.features.subarray(n * set.dims, (n + 1) * set.dims);
    const p = chooseReading(
      personal,
      headProbabilities(base, f),
      headProbabilities(personal.head, u),
      geometries(inputs, cacheAs)[n],
    );
    if (argmax(p) === set.labels[n]) right++;
  }
  return right;
}
const geometryCache = new Map<string, number[][]>();
function geometries(inputs: Float32Array[], cacheAs?: string): number[][] {
  if (cacheAs && geometryCache.has(cacheAs)) return geometryCache.get(cacheAs)!;
  const g = inputs.map(digitGeometry);
  if (cacheAs) geometryCache.set(cacheAs, g);
  return g;
}

/** Accuracy of the stock head with the prototype adapter over it (the alternative measured). */
function adapterAccuracy(adapter: PrototypeAdapter, set: FeatureSet): number {
  let right = 0;
  for (let n = 0; n < set.count; n++) {
    const f = set.features.subarray(n * set.dims, (n + 1) * set.dims);
    const p = adaptedProbabilities(adapter, headProbabilities(base, f), f);
    if (argmax(p) === set.labels[n]) right++;
  }
  return right / set.count;
}

const t0 = performance.now();
const rehearsalSet = await decodeRehearsal(
  await Deno.readFile(`${ROOT}static/personal/rehearsal-images.idx.gz`),
  await Deno.readFile(`${ROOT}static/personal/rehearsal-labels.idx`),
);
const rehearsalInputs = digitInputs(rehearsalSet);
const rehearsal = featuresInBatches(rehearsalInputs, [...rehearsalSet.labels]);
const centre = featureMean(rehearsal);
const test = await loadMnistSplit(values.mnist!, "test");
const mnistInputs = digitInputs(test);
const mnist = featuresInBatches(mnistInputs, [...test.labels]);
const baseMnist = accuracy(base, mnist);
console.log(`MNIST test features in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const train = await loadMnistSplit(values.mnist!, "train");
const rehearsalIndices = new Set<number>(
  JSON.parse(await Deno.readTextFile(`${ROOT}training/rehearsal_indices.json`)).indices,
);
const writers: Writer[] = [];
let photosNote = "";
try {
  writers.push(...await photoWriters(values.photos!));
} catch (e) {
  photosNote = `Photo writers skipped: ${(e as Error).message}`;
  console.warn(photosNote);
}
writers.push(...syntheticWriters(train, rehearsalIndices), boxyWriter());
if (values.writers) {
  const wanted = values.writers.split(",");
  writers.splice(
    0,
    writers.length,
    ...writers.filter((w) => wanted.some((n) => w.name.includes(n))),
  );
}

interface WriterResult {
  name: string;
  kind: string;
  digits: number;
  tested: number;
  baseErrors: number;
  personalErrors: number;
  mnistAccs: number[];
  trainMs: number[];
  /** Digits preprocessing could not isolate (out of any model's reach), counted once. */
  notOneDigit: number;
  /** The stock model's commonest misreading ("7→2") and how many of its errors it is. */
  commonest: string;
  adapterErrors: number;
  adapterMnistAccs: number[];
  /** The retrained final layer alone (the method measured before). */
  layerErrors: number;
  layerMnistAccs: number[];
  /** The warp found per draw ("—" for none). */
  warps: string[];
}

const results: WriterResult[] = [];
for (const w of writers) {
  const usable = w.digits.map((d, i) => ({ ...d, i })).filter((d) => d.input !== null);
  const feats = featuresInBatches(usable.map((d) => d.input!), usable.map((d) => d.label));
  const baseRight = new Map<number, boolean>();
  const misreadings = new Map<string, number>();
  usable.forEach((d, k) => {
    const f = feats.features.subarray(k * feats.dims, (k + 1) * feats.dims);
    const read = argmax(headProbabilities(base, f));
    baseRight.set(d.i, read === d.label);
    const key = `${d.label}→${read}`;
    if (read !== d.label) misreadings.set(key, (misreadings.get(key) ?? 0) + 1);
  });
  const notOneDigit = w.digits.length - usable.length;
  const [top] = [...misreadings].sort((a, b) => b[1] - a[1]);
  const stockErrors = notOneDigit + usable.length - [...baseRight.values()].filter(Boolean).length;
  const r: WriterResult = {
    name: w.name,
    kind: w.kind,
    digits: w.digits.length,
    tested: 0,
    baseErrors: 0,
    personalErrors: 0,
    mnistAccs: [],
    trainMs: [],
    notOneDigit,
    commonest: top ? `${top[0]}: ${top[1]} of ${stockErrors}` : "—",
    adapterErrors: 0,
    adapterMnistAccs: [],
    layerErrors: 0,
    layerMnistAccs: [],
    warps: [],
  };
  for (let s = 0; s < SPLITS; s++) {
    // The user corrects or confirms 20 of their digits, in the order they come.
    const order = shuffledIndices(w.digits.length, makeRng(1000 + s));
    const adapt = new Set([...order].filter((i) => w.digits[i].input).slice(0, ADAPT));
    const pick = (keep: (i: number) => boolean): FeatureSet => {
      const ks = usable.map((d, k) => (keep(d.i) ? k : -1)).filter((k) => k >= 0);
      const features = new Float32Array(ks.length * feats.dims);
      ks.forEach((k, j) =>
        features.set(feats.features.subarray(k * feats.dims, (k + 1) * feats.dims), j * feats.dims)
      );
      return {
        features,
        labels: Uint8Array.from(ks, (k) => usable[k].label),
        count: ks.length,
        dims: feats.dims,
      };
    };
    const userSet = pick((i) => adapt.has(i));
    // In the order the page passes them (newest first): the draw's order.
    const adaptOrder = [...order].filter((i) => adapt.has(i));
    const userInputs = adaptOrder.map((i) => w.digits[i].input!);
    const userLabels = adaptOrder.map((i) => w.digits[i].label);
    const tt = performance.now();
    const personal = trainPersonalModel(model, userInputs, userLabels, {
      inputs: rehearsalInputs,
      features: rehearsal,
    }, { warpMargin: MARGIN });
    r.trainMs.push(performance.now() - tt);
    r.warps.push(warpName(personal));
    const held = pick((i) => !adapt.has(i));
    const heldInputs = usable.filter((d) => !adapt.has(d.i)).map((d) => d.input!);
    // Digits preprocessing could not isolate are misread by both models alike.
    const unusable = w.digits.filter((d, i) => !d.input && !adapt.has(i)).length;
    const tested = held.count + unusable;
    r.tested += tested;
    r.baseErrors += unusable +
      [...baseRight].filter(([i, ok]) => !adapt.has(i) && !ok).length;
    r.personalErrors += unusable + held.count - personalRight(personal, held, heldInputs);
    r.mnistAccs.push(personalRight(personal, mnist, mnistInputs, "mnist") / mnist.count);
    const layer = trainPersonalHead(base, userSet, rehearsal);
    r.layerErrors += unusable + Math.round(held.count * (1 - accuracy(layer, held)));
    r.layerMnistAccs.push(accuracy(layer, mnist));
    const adapter = buildPrototypeAdapter(userSet, centre);
    r.adapterErrors += unusable + Math.round(held.count * (1 - adapterAccuracy(adapter, held)));
    r.adapterMnistAccs.push(adapterAccuracy(adapter, mnist));
  }
  results.push(r);
  console.log(
    `${w.name}: errors ${r.baseErrors} → ${r.personalErrors} of ${r.tested}; MNIST ${
      (Math.min(...r.mnistAccs) * 100).toFixed(2)
    } % (stock ${(baseMnist * 100).toFixed(2)} %); warps ${
      r.warps.join(", ")
    }; layer only ${r.layerErrors}; prototype adapter ${r.adapterErrors}, MNIST ${
      (Math.min(...r.adapterMnistAccs) * 100).toFixed(2)
    } %`,
  );
}
model.dispose();

// ---- report --------------------------------------------------------------------------------

function warpName(p: PersonalModel): string {
  const { rotation, shear } = p.warp;
  return rotation ? `turn ${rotation}°` : shear ? `shear ${shear}` : "none";
}

const pct = (v: number) => `${(v * 100).toFixed(2)} %`;
const cpu = (() => {
  try {
    const line = Deno.readTextFileSync("/proc/cpuinfo").split("\n").find((l) =>
      l.startsWith("model name")
    );
    return line?.split(":")[1].trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
})();
const rows = results.map((r) => {
  const falls = r.baseErrors === 0
    ? "—"
    : `${(100 * (1 - r.personalErrors / r.baseErrors)).toFixed(0)} %`;
  const met = r.personalErrors <= r.baseErrors / 2 &&
    baseMnist - Math.min(...r.mnistAccs) <= 0.003;
  return `| ${r.name} | ${r.kind} | ${r.digits} | ${r.baseErrors} / ${r.tested} | ${r.personalErrors} / ${r.tested} | ${falls} | ${
    pct(Math.min(...r.mnistAccs))
  } | ${((baseMnist - Math.min(...r.mnistAccs)) * 100).toFixed(2)} | ${met ? "yes" : "**no**"} |`;
});
const drop = (accs: number[]) => ((baseMnist - Math.min(...accs)) * 100).toFixed(2);
const styleRows = results.map((r) =>
  `| ${r.name} | ${r.notOneDigit} of ${r.digits} | ${r.commonest} | ${
    summariseWarps(r.warps)
  } | ${r.layerErrors} / ${r.tested} | ${r.adapterErrors} / ${r.tested} | ${r.personalErrors} / ${r.tested} | ${
    drop(r.layerMnistAccs)
  } | ${drop(r.adapterMnistAccs)} | ${drop(r.mnistAccs)} |`
);

/** "turn 30° ×4, none ×1": the warps found over the draws. */
function summariseWarps(warps: string[]): string {
  const counts = new Map<string, number>();
  for (const w of warps) counts.set(w, (counts.get(w) ?? 0) + 1);
  return [...counts].map(([w, n]) => `${w} ×${n}`).join(", ");
}
const po = DEFAULT_PROTOTYPE_OPTIONS;
const styles = syntheticStyles().map((s) => `${s.name} (${s.about})`).join("; ");
const o = DEFAULT_PERSONAL_TRAINING;
const trainMs = results.flatMap((r) => r.trainMs);
let section = `## Personal model

Measured ${
  new Date().toISOString().slice(0, 10)
} on ${cpu} (${navigator.hardwareConcurrency} threads, ${loadNote()}), Deno ${Deno.version.deno}, tfjs ${backend} backend, model ${version}.
Reproduce: \`deno task bench:personal\` (\`--browser\` adds the in-browser timing; MNIST_DIR and PHOTOS_DIR say where the data is).

Each simulated user corrects or confirms ${ADAPT} of their digits (drawn at random, ${SPLITS} draws per user) and the personal model is trained on them as the app does (lib/core/personal_reader.ts): first the writer's warp, the turn (±60° by 15°) or shear (±1.2 by 0.3), then half a step either side of the best, of the 28×28 input under which the shipped model reads their digits with the lowest mean negative log-likelihood, kept when it beats reading them as they are by more than ${MARGIN} nats (at most the ${WARP_FIT_DIGITS} newest digits choose it); then the final layer is retrained on their digits with that warp undone, with the ${rehearsal.count} shipped rehearsal digits (${o.steps} Adam steps, learning rate ${o.learningRate}, user share ${o.userShare}, anchor ${o.anchor}). With a warp, a digit is read undone only when the shipped model is under ${
  CONFIDENT * 100
} % sure of it, the undone reading is surer, and the digit's shape (slant and long axis, from its ink's moments) is likelier under the user's digits' than under the rehearsal digits'; otherwise the shipped model's reading stands. Errors are counted on the user's *other* digits, summed over the draws. Digits preprocessing could not isolate count as errors of both models. MNIST column: the personalised model's worst accuracy over the draws on the 10,000 test digits (stock: ${
  pct(baseMnist)
}). Target: errors fall by at least half and MNIST drops by at most 0.3 points. Photo users are the sources of the dev photos with at least 30 digits; synthetic users are MNIST training digits (not the rehearsal ones) with one style each: ${styles}; and "digital display", 200 digits drawn from strokes like a digital display's, with jitter (no MNIST digit looks like them).

| user | kind | digits | stock errors | personal errors | errors fall | MNIST, personal | MNIST drop (points) | target met |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

What the errors are, the warp found per draw, and the alternatives measured against the personal model: the retrained final layer alone (the method before this one, no warp) and a prototype adapter (lib/core/personal_adapter.ts: the user's ${ADAPT} digits kept as examples on the penultimate features, centred on the rehearsal digits' mean; a digit within cosine ${po.simLow}–${po.simHigh} of them gets their class blended into the stock model's probabilities, weight up to ${po.maxWeight}, more with more examples of the class). "Not one digit": the writer's digits preprocessing could not isolate, errors no model can remove (every model counts them). "Commonest misreading": the stock model's, over all the writer's digits; a style that causes errors shows up as one misreading that dominates.

| user | not one digit | commonest misreading | warp found | errors, layer only | errors, prototype adapter | errors, personal model | MNIST drop, layer only | MNIST drop, prototype adapter | MNIST drop, personal model |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${styleRows.join("\n")}

Training the personal model in Deno (warp search and layer): median ${
  median(trainMs).toFixed(0)
} ms, at most ${Math.max(...trainMs).toFixed(0)} ms.
${photosNote ? `\n${photosNote}\n` : ""}`;

/** The machine's load when the tables were written: others share it, and times depend on it. */
function loadNote(): string {
  try {
    const load = Deno.readTextFileSync("/proc/loadavg").split(" ")[0];
    return `load average ${load} at the end of the run: the machine is shared`;
  } catch {
    return "load unknown";
  }
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : 0;
}

if (values.browser) {
  const { benchPersonalInBrowser } = await import("./bench_personal_browser.ts");
  section += "\n" + await benchPersonalInBrowser(ROOT);
}

console.log("\n" + section);
if (!values["no-write"] && !values.writers) {
  const file = `${ROOT}BENCHMARKS.md`;
  const text = await Deno.readTextFile(file).catch(() => "# Benchmarks\n");
  const start = text.indexOf("## Personal model");
  let next = start < 0 ? -1 : text.indexOf("\n## ", start + 1);
  if (next < 0) next = text.length;
  const updated = start < 0
    ? text.trimEnd() + "\n\n" + section
    : text.slice(0, start) + section + text.slice(next).replace(/^\n*/, "\n");
  await Deno.writeTextFile(file, updated.trimEnd() + "\n");
  // The tables as `deno fmt` lays them out, so the repository's format check stays clean.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", file] }).output();
}
tf.disposeVariables();
