import assert from "node:assert/strict";
import { loadMnistSplit, locateMnist } from "../training/mnist_files.ts";
import { initBackend } from "../training/backend.ts";
import { loadModelDir } from "../training/model_io.ts";
import { DEFAULT_TRAIN, trainModel } from "../training/trainer.ts";

const test = await loadMnistSplit(await locateMnist(), "test");

Deno.test("training - fine-tuning with scan-like and continental digits starts from the given weights", async () => {
  assert.equal(await initBackend("wasm"), "wasm");
  const init = await loadModelDir("static/model");
  const losses: number[] = [];
  const result = await trainModel(test, {
    ...DEFAULT_TRAIN,
    epochs: 1,
    lr: 1e-4,
    valSize: 300,
    scanP: 0.5,
    styleP: 0.5,
    init,
    maxStepsPerEpoch: 3,
    checkpointDir: null,
    quietProgress: true,
    log: () => {},
    onBatch: (_step, loss) => losses.push(loss),
  });
  // A fresh model starts near ln 10 ≈ 2.3; the shipped one is already good.
  assert.ok(losses[0] < 0.9, `first loss ${losses[0]}`);
  assert.ok(result.bestValAcc > 0.97, `validation accuracy ${result.bestValAcc}`);
  result.model.dispose();
});
