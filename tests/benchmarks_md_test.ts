import assert from "node:assert/strict";
import { replaceBlock, runBlock } from "../training/benchmarks_md.ts";

const md =
  "# Benchmarks\n\n## Training\n\n_Written by `deno task train` (see x); pending._\n\n## Other\n\nkeep me\n";

Deno.test("benchmarks_md - fills the Training section and leaves other sections alone", () => {
  const once = replaceBlock(md, "Training", "training:run", "run table");
  assert.ok(once.includes("<!-- training:run -->\nrun table\n<!-- /training:run -->"));
  assert.ok(!once.includes("pending"));
  assert.ok(once.endsWith("## Other\n\nkeep me\n"));
  const twice = replaceBlock(once, "Training", "training:run", "new table");
  assert.ok(twice.includes("new table") && !twice.includes("run table"));
  const both = replaceBlock(twice, "Training", "training:backends", "backends");
  assert.ok(
    both.indexOf("new table") < both.indexOf("backends") &&
      both.indexOf("backends") < both.indexOf("## Other"),
  );
});

Deno.test("benchmarks_md - adds the section when the file lacks it", () => {
  const out = replaceBlock("# Benchmarks\n", "Training", "training:run", "t");
  assert.ok(out.includes("## Training\n\n<!-- training:run -->\nt\n<!-- /training:run -->"));
});

Deno.test("benchmarks_md - a fine-tuning run names its starting checkpoint and augmentations", () => {
  const metrics = {
    backend: "wasm",
    seed: 42,
    quantization: [{ dtype: "uint8", test_accuracy: 0.9962, weight_bytes: 86762, shipped: true }],
    weight_dtype: "uint8",
    weight_bytes: 86762,
    parameters: 86762,
    macs_per_digit: 16257984,
    test_accuracy: 0.9962,
    version: "0123456789ab",
    training: {
      training_digits: 60000,
      epochs_run: 3,
      best_epoch: 3,
      samples_seen: 165000,
      duration_s: 1500,
      samples_per_s: 110,
      best_val_acc: 0.9944,
      history: [],
      options: {
        init_dir: "training/checkpoints/best" as string | undefined,
        time_budget_s: null,
        batch_size: 128,
        epochs: 3,
        lr: 5e-4,
        scan_p: 0.3,
        style_p: 0.15,
      },
    },
  };
  const block = runBlock(metrics, "test machine");
  assert.ok(block.startsWith("### Fine-tuning run"));
  assert.match(
    block,
    /`deno task train --backend wasm --init training\/checkpoints\/best --epochs 3 --lr 0.0005 --scan-p 0.3 --style-p 0.15`/,
  );
  delete metrics.training.options.init_dir;
  assert.ok(runBlock(metrics, "test machine").startsWith("### Full training run"));
});
