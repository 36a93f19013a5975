/**
 * The training loop: seeded shuffling and augmentation, a validation split,
 * warmup + cosine learning rate, label smoothing, best-epoch checkpoints.
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import {
  augmentBatch,
  augmentDigit,
  DEFAULT_AUGMENT,
  makeRng,
  shuffledIndices,
} from "../lib/augment.ts";
import { hasWritingStyle, writingStyleVariant } from "../lib/style_augment.ts";
import { scanLikeDigit } from "../lib/scan_augment.ts";
import type { DigitSet } from "../lib/idx.ts";
import { buildTrainingModel, DEFAULT_CONFIG, type ModelConfig } from "../lib/model_def.ts";
import { encodeModel, loadModelDir, writeModelDir } from "./model_io.ts";
import { classMetrics, predictDigits } from "./metrics.ts";
import { formatDuration, ProgressBar } from "./progress.ts";

/** Knobs of one training run. */
export interface TrainOptions {
  epochs: number;
  batch_size: number;
  /** Peak learning rate of the warmup + cosine schedule (Adam). */
  lr: number;
  /** Fraction of all steps spent warming up linearly from lr/20. */
  warmup_frac: number;
  label_smoothing: number;
  seed: number;
  /** Digits held out of training to pick the best epoch. */
  val_size: number;
  augment: boolean;
  /**
   * Share of training digits shown as frame-filling low-resolution scans
   * read back through the app's preprocessing (`lib/scan_augment.ts`).
   */
  scan_p: number;
  /** Share of 7s drawn with a bar, 1s with a long up-stroke, 0s slashed (`lib/style_augment.ts`). */
  style_p: number;
  model: ModelConfig;
  /** Start from these weights (a training checkpoint) instead of fresh ones: fine-tuning. */
  init?: tfl.LayersModel;
  /** The checkpoint folder `init` was loaded from, for the report. */
  init_dir?: string;
  /** Best-so-far training-graph checkpoint (float32); written atomically each improving epoch. */
  checkpoint_dir: string | null;
  /**
   * Wall-clock budget for the optimisation steps, in seconds: the schedule
   * then follows elapsed time (whichever of time and steps is further along)
   * and training ends when it runs out, so a slower machine still gets a
   * complete warmup + cosine cycle. null = schedule by steps only.
   */
  time_budget_s: number | null;
  /** Stop after this many steps per epoch (benchmarks); null = full epochs. */
  max_steps_per_epoch: number | null;
  /** Set to true (e.g. by SIGINT) to stop after the current batch. */
  stop?: { requested: boolean };
  log?: (s: string) => void;
  quiet_progress?: boolean;
  /** Called after every optimisation step (tests watch the loss fall). */
  on_batch?: (step: number, loss: number, acc: number) => void;
}

/** Sensible defaults for the full run. */
export const DEFAULT_TRAIN: TrainOptions = {
  epochs: 20,
  batch_size: 128,
  lr: 3e-3,
  warmup_frac: 0.04,
  label_smoothing: 0.1,
  seed: 42,
  val_size: 5000,
  augment: true,
  scan_p: 0,
  style_p: 0,
  model: DEFAULT_CONFIG,
  checkpoint_dir: "training/checkpoints/best",
  time_budget_s: null,
  max_steps_per_epoch: null,
};

/** Per-epoch record kept in the report. */
export interface EpochRecord {
  epoch: number;
  lr_end: number;
  loss: number;
  train_acc: number;
  val_acc: number;
  seconds: number;
  samples_per_s: number;
}

/** What a run produced: the best model (training graph) and its history. */
export interface TrainResult {
  model: tfl.LayersModel;
  history: EpochRecord[];
  best_epoch: number;
  best_val_acc: number;
  seconds: number;
  samples_seen: number;
  samples_per_s: number;
  interrupted: boolean;
}

/** Learning rate at training progress `p` ∈ [0,1]: linear warmup to `peak`, then cosine decay to peak/1000. */
export function lrAt(p: number, peak: number, warmup_frac: number): number {
  if (p < warmup_frac) return peak * (0.05 + 0.95 * p / warmup_frac);
  const t = Math.min(1, (p - warmup_frac) / Math.max(1e-9, 1 - warmup_frac));
  return peak * (0.001 + 0.999 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** Splits a digit set into seeded train and validation index lists. */
export function splitIndices(count: number, val_size: number, seed: number) {
  const order = shuffledIndices(count, makeRng(seed ^ 0x5eed));
  const v = Math.min(val_size, Math.floor(count / 5));
  return { train: order.subarray(v), val: order.subarray(0, v) };
}

function gather(set: DigitSet, idx: ArrayLike<number>): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(idx.length * 784);
  const labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    images.set(set.images.subarray(idx[i] * 784, idx[i] * 784 + 784), i * 784);
    labels[i] = set.labels[idx[i]];
  }
  return { images, labels };
}

/** Trains a fresh model (or `opts.init`) on `data` and returns the best epoch's weights (by validation accuracy). */
export async function trainModel(data: DigitSet, opts: TrainOptions): Promise<TrainResult> {
  const log = opts.log ?? console.log;
  const { train, val } = splitIndices(data.count, opts.val_size, opts.seed);
  const val_set = gather(data, val);
  const model = opts.init ?? buildTrainingModel(opts.model, opts.seed);
  const optimizer = tf.train.adam(opts.lr);
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });

  const steps_per_epoch = Math.min(
    Math.floor(train.length / opts.batch_size),
    opts.max_steps_per_epoch ?? Infinity,
  );
  const total_steps = steps_per_epoch * opts.epochs;
  const rng = makeRng(opts.seed);
  const bar = opts.quiet_progress ? null : new ProgressBar();
  const history: EpochRecord[] = [];
  const x_buf = new Float32Array(opts.batch_size * 784);
  const y_buf = new Float32Array(opts.batch_size * 10);
  const off = opts.label_smoothing / 10, on = 1 - opts.label_smoothing + off;
  let best_val = -1, best_epoch = 0, step = 0, samples = 0, interrupted = false;
  let best_weights: tf.Tensor[] | null = null;
  const t_start = performance.now();
  let train_seconds = 0;
  let out_of_time = false;
  const progress = (elapsed_s: number) =>
    Math.min(
      1,
      Math.max(step / total_steps, opts.time_budget_s ? elapsed_s / opts.time_budget_s : 0),
    );

  for (let epoch = 1; epoch <= opts.epochs && !interrupted && !out_of_time; epoch++) {
    const order = shuffledIndices(train.length, makeRng(opts.seed * 7919 + epoch));
    const t_epoch = performance.now();
    let loss_sum = 0, acc_sum = 0, n_batches = 0;
    for (let b = 0; b < steps_per_epoch; b++) {
      if (opts.stop?.requested) {
        interrupted = true;
        break;
      }
      const p = progress(train_seconds + (performance.now() - t_epoch) / 1000);
      if (opts.time_budget_s && p >= 1) {
        out_of_time = true;
        break;
      }
      const idx = new Uint32Array(opts.batch_size);
      for (let i = 0; i < opts.batch_size; i++) idx[i] = train[order[b * opts.batch_size + i]];
      augmentBatch(data.images, idx, x_buf, rng, opts.augment ? DEFAULT_AUGMENT : null);
      for (let i = 0; opts.style_p > 0 && opts.augment && i < opts.batch_size; i++) {
        const label = data.labels[idx[i]];
        if (!hasWritingStyle(label) || rng() >= opts.style_p) continue;
        const src = Float32Array.from(
          data.images.subarray(idx[i] * 784, idx[i] * 784 + 784),
          (v) => v / 255,
        );
        augmentDigit(writingStyleVariant(src, label, rng, 1), x_buf, i * 784, rng);
      }
      for (let i = 0; opts.scan_p > 0 && i < opts.batch_size; i++) {
        if (rng() >= opts.scan_p) continue;
        const scan = scanLikeDigit(x_buf.subarray(i * 784, i * 784 + 784), rng);
        if (scan) x_buf.set(scan, i * 784);
      }
      y_buf.fill(off);
      for (let i = 0; i < opts.batch_size; i++) y_buf[i * 10 + data.labels[idx[i]]] = on;
      // deno-lint-ignore no-explicit-any
      (optimizer as any).learningRate = lrAt(p, opts.lr, opts.warmup_frac);
      const xs = tf.tensor4d(x_buf, [opts.batch_size, 28, 28, 1]);
      const ys = tf.tensor2d(y_buf, [opts.batch_size, 10]);
      const [loss, acc] = await model.trainOnBatch(xs, ys) as number[];
      xs.dispose();
      ys.dispose();
      step++;
      opts.on_batch?.(step, loss, acc);
      samples += opts.batch_size;
      loss_sum += loss;
      acc_sum += acc;
      n_batches++;
      const elapsed = (performance.now() - t_epoch) / 1000;
      const sps = (n_batches * opts.batch_size) / elapsed;
      bar?.update({
        epoch,
        epochs: opts.epochs,
        done: b + 1,
        total: steps_per_epoch,
        samples_per_s: sps,
        loss: loss_sum / n_batches,
        acc: acc_sum / n_batches,
        eta_s: opts.time_budget_s
          ? Math.min(
            (total_steps - step) * opts.batch_size / sps,
            opts.time_budget_s - train_seconds - elapsed,
          )
          : (total_steps - step) * opts.batch_size / sps,
      });
    }
    bar?.finish();
    const seconds = (performance.now() - t_epoch) / 1000;
    train_seconds += seconds;
    if (n_batches === 0) break;
    const { predicted } = await predictDigits(model, val_set.images, val_set.labels.length);
    const val_acc = classMetrics(predicted, val_set.labels).accuracy;
    const rec: EpochRecord = {
      epoch,
      lr_end: lrAt(progress(train_seconds), opts.lr, opts.warmup_frac),
      loss: loss_sum / n_batches,
      train_acc: acc_sum / n_batches,
      val_acc,
      seconds,
      samples_per_s: n_batches * opts.batch_size / seconds,
    };
    history.push(rec);
    const improved = val_acc >= best_val;
    log(
      `epoch ${epoch}/${opts.epochs}${
        interrupted ? " (interrupted)" : out_of_time ? " (time budget reached)" : ""
      }: loss ${rec.loss.toFixed(4)} ` +
        `train ${(rec.train_acc * 100).toFixed(2)}% val ${(val_acc * 100).toFixed(2)}% ` +
        `${rec.samples_per_s.toFixed(0)} samples/s ${formatDuration(seconds)}${
          improved ? " *best*" : ""
        }`,
    );
    if (improved) {
      best_val = val_acc;
      best_epoch = epoch;
      best_weights?.forEach((t) => t.dispose());
      best_weights = model.getWeights().map((w) => w.clone());
      if (opts.checkpoint_dir) {
        await writeModelDir(
          opts.checkpoint_dir,
          await encodeModel(model, "float32", {
            kind: "training-checkpoint",
            epoch,
            val_acc,
            seed: opts.seed,
            seconds: (performance.now() - t_start) / 1000,
            samples_seen: samples,
            samples_per_s: samples / Math.max(train_seconds, 1e-9),
            history,
          }),
        );
      }
    }
  }
  if (best_weights) {
    model.setWeights(best_weights);
    best_weights.forEach((t) => t.dispose());
  }
  const seconds = (performance.now() - t_start) / 1000;
  return {
    model,
    history,
    best_epoch,
    best_val_acc: best_val,
    seconds,
    samples_seen: samples,
    samples_per_s: samples / Math.max(train_seconds, 1e-9),
    interrupted,
  };
}

/**
 * Reloads a training checkpoint folder (float32, training graph) with the
 * run's record as it stood then, so an interrupted run can still be exported.
 */
export async function loadCheckpoint(dir: string): Promise<TrainResult> {
  const model = await loadModelDir(dir);
  const meta = JSON.parse(await Deno.readTextFile(`${dir}/model.json`)).userDefinedMetadata ?? {};
  return {
    model,
    history: meta.history ?? [],
    best_epoch: meta.epoch ?? 0,
    best_val_acc: meta.val_acc ?? 0,
    seconds: meta.seconds ?? 0,
    samples_seen: meta.samples_seen ?? 0,
    samples_per_s: meta.samples_per_s ?? 0,
    interrupted: true,
  };
}
