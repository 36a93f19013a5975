import assert from "node:assert/strict";
import { loadMnistSplit } from "../lib/mnist_files.ts";
import { initBackend } from "../training/backend.ts";
import { loadModelDir } from "../training/model_io.ts";
import { DEFAULT_TRAIN, trainModel } from "../training/trainer.ts";
import { mnistDir } from "./mnist_dir.ts";

const test = await loadMnistSplit(mnistDir(), "test");

Deno.test("training - fine-tuning with scan-like and continental digits starts from the given weights", async () => {
  assert.equal(await initBackend("wasm"), "wasm");
  const init = await loadModelDir("static/model");
  const losses: number[] = [];
  const result = await trainModel(test, {
    ...DEFAULT_TRAIN,
    epochs: 1,
    lr: 1e-4,
    val_size: 300,
    scan_p: 0.5,
    style_p: 0.5,
    init,
    max_steps_per_epoch: 3,
    checkpoint_dir: null,
    quiet_progress: true,
    log: () => {},
    on_batch: (_step, loss) => losses.push(loss),
  });
  // A fresh model starts near ln 10 ≈ 2.3; the shipped one is already good.
  assert.ok(losses[0] < 0.9, `first loss ${losses[0]}`);
  assert.ok(result.best_val_acc > 0.97, `validation accuracy ${result.best_val_acc}`);
  result.model.dispose();
});
