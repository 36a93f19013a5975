import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  chooseReading,
  CONFIDENT,
  featuresInSlices,
  type PersonalModel,
  trainPersonalModel,
  withPersonal,
} from "./personal_reader.ts";
import { withHead } from "./personal_head.ts";
import { digitGeometry, IDENTITY_WARP, shapeStats, unwarpDigit } from "./personal_warp.ts";
import { loadModel, predictProbabilities } from "./model_runner.ts";
import { decodeRehearsal, digitInputs } from "./rehearsal.ts";
import { initInferenceBackend } from "../server/tf_backend.ts";
import { modelPath } from "../../tests/recognition/helpers.ts";

const argmax = (p: number[]) => p.indexOf(Math.max(...p));
const oneHot = (k: number, top: number) =>
  Array.from({ length: 10 }, (_, i) => (i === k ? top : (1 - top) / 9));

Deno.test("personal reader - the undone reading is taken only for an unsure digit shaped like the writer's", () => {
  const personal = {
    userShape: { mean: [1, 0, 0], sd: [0.1, 0.1, 0.1] },
    genericShape: { mean: [0, 0, 0], sd: [0.1, 0.1, 0.1] },
  } as PersonalModel;
  const writers = [1, 0, 0], everyones = [0, 0, 0];
  // Unsure stock reading, surer undone reading, the writer's shape: undone.
  assert.equal(argmax(chooseReading(personal, oneHot(2, 0.6), oneHot(7, 0.95), writers)), 7);
  // The shipped model sure of it: its reading stands.
  assert.equal(argmax(chooseReading(personal, oneHot(2, CONFIDENT), oneHot(7, 0.99), writers)), 2);
  // Shaped like everyone's digits: the shipped reading stands.
  assert.equal(argmax(chooseReading(personal, oneHot(2, 0.6), oneHot(7, 0.95), everyones)), 2);
  // The undone reading no surer: the shipped one stands.
  assert.equal(argmax(chooseReading(personal, oneHot(2, 0.6), oneHot(7, 0.55), writers)), 2);
});

async function rehearsalInputs() {
  const root = new URL("../../static/personal/", import.meta.url);
  const set = await decodeRehearsal(
    await Deno.readFile(new URL("rehearsal-images.idx.gz", root)),
    await Deno.readFile(new URL("rehearsal-labels.idx", root)),
  );
  return { inputs: digitInputs(set), labels: [...set.labels] };
}

Deno.test("personal reader - learns a writer whose paper is turned 45°, and reads their other digits better", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  const { inputs, labels } = await rehearsalInputs();
  // The writer: rehearsal digits turned 45° clockwise (undoing −45° turns them +45°).
  const turn = (x: Float32Array) => unwarpDigit(x, { rotation: -45, shear: 0 });
  const mine = inputs.slice(0, 20).map(turn), mineLabels = labels.slice(0, 20);
  const others = inputs.slice(200, 300).map(turn), otherLabels = labels.slice(200, 300);
  const rehearsal = {
    inputs: inputs.slice(20, 200),
    features: featuresInSlices(model, inputs.slice(20, 200), labels.slice(20, 200)),
  };
  const personal = trainPersonalModel(model, mine, mineLabels, rehearsal);
  assert.ok(Math.abs(personal.warp.rotation - 45) <= 7.5, `turn found: ${personal.warp.rotation}`);
  const wrong = (m: typeof model) =>
    predictProbabilities(m, others).filter((p, i) => argmax(p) !== otherLabels[i]).length;
  const reader = withPersonal(model, personal);
  assert.ok(
    wrong(reader) * 2 <= wrong(model),
    `errors ${wrong(model)} → ${wrong(reader)}`,
  );
  // Everyone else's upright digits read as before.
  const upright = inputs.slice(300, 400), uprightLabels = labels.slice(300, 400);
  const right = (m: typeof model) =>
    predictProbabilities(m, upright).filter((p, i) => argmax(p) === uprightLabels[i]).length;
  assert.ok(right(reader) >= right(model) - 1, `${right(model)} → ${right(reader)}`);
  reader.dispose();
  model.dispose();
});

Deno.test("personal reader - without a warp it is the retrained layer; disposing frees only its own tensors", async () => {
  await initInferenceBackend();
  const model = await loadModel(modelPath());
  const { inputs } = await rehearsalInputs();
  const head = model.head!();
  const personal: PersonalModel = {
    head,
    warp: IDENTITY_WARP,
    userShape: shapeStats(inputs.slice(0, 10)),
    genericShape: shapeStats(inputs),
  };
  const plain = withPersonal(model, personal), headed = withHead(model, head);
  const a = predictProbabilities(plain, inputs.slice(0, 5));
  const b = predictProbabilities(headed, inputs.slice(0, 5));
  a.forEach((p, i) => p.forEach((v, k) => assert.ok(Math.abs(v - b[i][k]) < 1e-6)));
  headed.dispose();
  const warped = withPersonal(model, { ...personal, warp: { rotation: 30, shear: 0 } });
  const before = tf.memory().numTensors;
  const p = predictProbabilities(warped, inputs.slice(0, 5));
  assert.equal(tf.memory().numTensors, before, "no tensor is left behind by a prediction");
  p.forEach((row) => assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-4));
  assert.ok(digitGeometry(inputs[0]).every(Number.isFinite));
  warped.dispose();
  plain.dispose();
  assert.equal(tf.memory().numTensors, before - 4, "only the personal layers' tensors are freed");
  model.dispose();
});
