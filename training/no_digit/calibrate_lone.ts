/**
 * `deno run -A training/no_digit/calibrate_lone.ts [N] [THRESHOLD] [MODEL]`
 *
 * How often the no-digit head beside MODEL (default: the shipped one) rejects an image of one shape, by the
 * digit-model confidence guard, on MNIST test digits and on N generated lone
 * writing / symbol / drawing shapes each (default 300): first the head alone,
 * then with the shape's 180° view as a second opinion (rejected only when
 * that view is no digit either). Measures `keepAboveConfidence` and
 * `secondOpinionAbove` of lib/core/no_digit.ts on generated and MNIST data
 * only, never on the dev sets. Needs MNIST (MNIST_DIR or training/data/).
 */
import { loadModelWithHead, predictBatch } from "../../lib/core/model_runner.ts";
import { initInferenceBackend } from "../../lib/server/tf_backend.ts";
import { DEFAULT_MODEL_PATH, modelUrl } from "../../lib/server/model_file.ts";
import { preprocessImage } from "../../lib/core/preprocess.ts";
import { digitSamples } from "./samples.ts";
import { negativeScene, renderScene } from "./shapes.ts";
import { loadMnistSplit, locateMnist } from "../mnist_files.ts";
import { makeRng } from "../../lib/core/random.ts";
import { judgeShapes } from "../../lib/core/no_digit.ts";

interface Scored {
  confidence: number;
  /** The head's classes, upright and turned by 180°. */
  classes: number[];
  turnedClasses: number[];
  notDigit: number;
  /** The lower of the upright and the 180° view's not-digit probabilities. */
  bothNotDigit: number;
}

const GUARDS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.01];

await initInferenceBackend();
const { model, head } = await loadModelWithHead(modelUrl(Deno.args[2] ?? DEFAULT_MODEL_PATH).href);
if (!head) throw new Error("static/model/no_digit.json is missing");
const test = await loadMnistSplit(await locateMnist(undefined), "test");
const n = Number(Deno.args[0] ?? 300);
const threshold = Number(Deno.args[1] ?? 0.95);
const rng = makeRng(777);

/** Scores in batches of 500 (one batch of 10,000 overruns the WASM backend's memory). */
function score(inputs: Float32Array[]): Scored[] {
  const out: Scored[] = [];
  for (let i = 0; i < inputs.length; i += 500) {
    const batch = inputs.slice(i, i + 500);
    const upright = predictBatch(model, batch, head);
    // 180° of a centred 28×28 input: its pixels in reverse order.
    const turned = predictBatch(model, batch.map((x) => x.slice().reverse()), head);
    upright.probabilities.forEach((p, k) => {
      const notDigit = 1 - upright.shapeClasses![k][0];
      out.push({
        confidence: Math.max(...p),
        classes: upright.shapeClasses![k],
        turnedClasses: turned.shapeClasses![k],
        notDigit,
        bothNotDigit: Math.min(notDigit, 1 - turned.shapeClasses![k][0]),
      });
    });
  }
  return out;
}

const sets: Record<string, Scored[]> = {
  mnistTest: score(
    Array.from(
      { length: test.count },
      (_, i) => Float32Array.from(test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255),
    ),
  ),
  generatedDigits: score(digitSamples(test, n * 2, rng)),
};
for (const cls of ["writing", "symbol", "drawing"] as const) {
  const inputs: Float32Array[] = [];
  for (let tries = 0; inputs.length < n && tries < n * 10; tries++) {
    const pre = preprocessImage(renderScene(negativeScene(cls, rng), rng));
    if (pre.digits.length === 1) inputs.push(pre.digits[0].pixels);
  }
  sets[`lone ${cls}`] = score(inputs);
}

const table = (title: string, notDigitOf: (s: Scored) => number) => {
  console.log(`\n${title}: share rejected (%), by guard (rejected only under it)`);
  console.log(["set", "n", ...GUARDS.map(String)].join("\t"));
  for (const [name, rows] of Object.entries(sets)) {
    const share = (g: number) =>
      (100 * rows.filter((r) => notDigitOf(r) >= threshold && r.confidence < g).length /
        rows.length).toFixed(2);
    console.log([name, rows.length, ...GUARDS.map(share)].join("\t"));
  }
};
table(`head alone at ${threshold}`, (r) => r.notDigit);
table("with the 180° view as a second opinion", (r) => r.bothNotDigit);

// The decision itself (lib/core/no_digit.ts judgeShapes on one shape, with its defaults and the
// head's calibrated threshold): what the app rejects of an image holding this one shape.
console.log("\nas judgeShapes decides: share rejected (%)");
for (const [name, rows] of Object.entries(sets)) {
  const rejected = rows.filter((r) =>
    judgeShapes([{ box: [0, 0, 1, 1], ...r }], { shapeThreshold: threshold }).noDigit
  );
  console.log([name, rows.length, (100 * rejected.length / rows.length).toFixed(2)].join("\t"));
}
