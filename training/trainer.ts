/**
 * The training loop: seeded shuffling and augmentation, a validation split,
 * warmup + cosine learning rate, label smoothing, best-epoch checkpoints.
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { augmentBatch, augmentDigit, DEFAULT_AUGMENT, shuffledIndices } from "./augment.ts";
import { makeRng } from "../lib/core/random.ts";
import { hasWritingStyle, writingStyleVariant } from "./style_augment.ts";
import { scanLikeDigit } from "./scan_augment.ts";
import type { DigitSet } from "../lib/core/idx.ts";
import { buildTrainingModel, DEFAULT_CONFIG, type ModelConfig } from "./model_def.ts";
import { encodeModel, loadModelDir, writeModelDir } from "./model_io.ts";
import { classMetrics, predictDigits } from "./metrics.ts";
import { formatDuration, ProgressBar } from "./progress.ts";

/** Knobs of one training run. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Peak learning rate of the warmup + cosine schedule (Adam). */
  lr: number;
  /** Fraction of all steps spent warming up linearly from lr/20. */
  warmupFrac: number;
  labelSmoothing: number;
  seed: number;
  /** Digits held out of training to pick the best epoch. */
  valSize: number;
  augment: boolean;
  /**
   * Share of training digits shown as frame-filling low-resolution scans
   * read back through the app's preprocessing (`training/scan_augment.ts`).
   */
  scanP: number;
  /** Share of 7s drawn with a bar, 1s with a long up-stroke, 0s slashed (`training/style_augment.ts`). */
  styleP: number;
  model: ModelConfig;
  /** Start from these weights (a training checkpoint) instead of fresh ones: fine-tuning. */
  init?: tfl.LayersModel;
  /** The checkpoint folder `init` was loaded from, for the report. */
  initDir?: string;
  /** Best-so-far training-graph checkpoint (float32); written atomically each improving epoch. */
  checkpointDir: string | null;
  /**
   * Wall-clock budget for the optimisation steps, in seconds: the schedule
   * then follows elapsed time (whichever of time and steps is further along)
   * and training ends when it runs out, so a slower machine still gets a
   * complete warmup + cosine cycle. null = schedule by steps only.
   */
  timeBudgetS: number | null;
  /** Stop after this many steps per epoch (benchmarks); null = full epochs. */
  maxStepsPerEpoch: number | null;
  /** Set to true (e.g. by SIGINT) to stop after the current batch. */
  stop?: { requested: boolean };
  log?: (s: string) => void;
  quietProgress?: boolean;
  /** Called after every optimisation step (tests watch the loss fall). */
  onBatch?: (step: number, loss: number, acc: number) => void;
}

/** Sensible defaults for the full run. */
export const DEFAULT_TRAIN: TrainOptions = {
  epochs: 20,
  batchSize: 128,
  lr: 3e-3,
  warmupFrac: 0.04,
  labelSmoothing: 0.1,
  seed: 42,
  valSize: 5000,
  augment: true,
  scanP: 0,
  styleP: 0,
  model: DEFAULT_CONFIG,
  checkpointDir: "training/checkpoints/best",
  timeBudgetS: null,
  maxStepsPerEpoch: null,
};

/** Per-epoch record kept in the report. */
export interface EpochRecord {
  epoch: number;
  lrEnd: number;
  loss: number;
  trainAcc: number;
  valAcc: number;
  seconds: number;
  samplesPerS: number;
}

/** What a run produced: the best model (training graph) and its history. */
export interface TrainResult {
  model: tfl.LayersModel;
  history: EpochRecord[];
  bestEpoch: number;
  bestValAcc: number;
  seconds: number;
  samplesSeen: number;
  samplesPerS: number;
  interrupted: boolean;
}

/** Learning rate at training progress `p` ∈ [0,1]: linear warmup to `peak`, then cosine decay to peak/1000. */
export function lrAt(p: number, peak: number, warmupFrac: number): number {
  if (p < warmupFrac) return peak * (0.05 + 0.95 * p / warmupFrac);
  const t = Math.min(1, (p - warmupFrac) / Math.max(1e-9, 1 - warmupFrac));
  return peak * (0.001 + 0.999 * 0.5 * (1 + Math.cos(Math.PI * t)));
}

/** Splits a digit set into seeded train and validation index lists. */
export function splitIndices(count: number, valSize: number, seed: number) {
  const order = shuffledIndices(count, makeRng(seed ^ 0x5eed));
  const v = Math.min(valSize, Math.floor(count / 5));
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
  const { train, val } = splitIndices(data.count, opts.valSize, opts.seed);
  const valSet = gather(data, val);
  const model = opts.init ?? buildTrainingModel(opts.model, opts.seed);
  const optimizer = tf.train.adam(opts.lr);
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });

  const stepsPerEpoch = Math.min(
    Math.floor(train.length / opts.batchSize),
    opts.maxStepsPerEpoch ?? Infinity,
  );
  const totalSteps = stepsPerEpoch * opts.epochs;
  const rng = makeRng(opts.seed);
  const bar = opts.quietProgress ? null : new ProgressBar();
  const history: EpochRecord[] = [];
  const xBuf = new Float32Array(opts.batchSize * 784);
  const yBuf = new Float32Array(opts.batchSize * 10);
  const off = opts.labelSmoothing / 10, on = 1 - opts.labelSmoothing + off;
  let bestVal = -1, bestEpoch = 0, step = 0, samples = 0, interrupted = false;
  let bestWeights: tf.Tensor[] | null = null;
  const tStart = performance.now();
  let trainSeconds = 0;
  let outOfTime = false;
  const progress = (elapsedS: number) =>
    Math.min(
      1,
      Math.max(step / totalSteps, opts.timeBudgetS ? elapsedS / opts.timeBudgetS : 0),
    );

  for (let epoch = 1; epoch <= opts.epochs && !interrupted && !outOfTime; epoch++) {
    const order = shuffledIndices(train.length, makeRng(opts.seed * 7919 + epoch));
    const tEpoch = performance.now();
    let lossSum = 0, accSum = 0, nBatches = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      if (opts.stop?.requested) {
        interrupted = true;
        break;
      }
      const p = progress(trainSeconds + (performance.now() - tEpoch) / 1000);
      if (opts.timeBudgetS && p >= 1) {
        outOfTime = true;
        break;
      }
      const idx = new Uint32Array(opts.batchSize);
      for (let i = 0; i < opts.batchSize; i++) idx[i] = train[order[b * opts.batchSize + i]];
      augmentBatch(data.images, idx, xBuf, rng, opts.augment ? DEFAULT_AUGMENT : null);
      for (let i = 0; opts.styleP > 0 && opts.augment && i < opts.batchSize; i++) {
        const label = data.labels[idx[i]];
        if (!hasWritingStyle(label) || rng() >= opts.styleP) continue;
        const src = Float32Array.from(
          data.images.subarray(idx[i] * 784, idx[i] * 784 + 784),
          (v) => v / 255,
        );
        augmentDigit(writingStyleVariant(src, label, rng, 1), xBuf, i * 784, rng);
      }
      for (let i = 0; opts.scanP > 0 && i < opts.batchSize; i++) {
        if (rng() >= opts.scanP) continue;
        const scan = scanLikeDigit(xBuf.subarray(i * 784, i * 784 + 784), rng);
        if (scan) xBuf.set(scan, i * 784);
      }
      yBuf.fill(off);
      for (let i = 0; i < opts.batchSize; i++) yBuf[i * 10 + data.labels[idx[i]]] = on;
      // deno-lint-ignore no-explicit-any
      (optimizer as any).learningRate = lrAt(p, opts.lr, opts.warmupFrac);
      const xs = tf.tensor4d(xBuf, [opts.batchSize, 28, 28, 1]);
      const ys = tf.tensor2d(yBuf, [opts.batchSize, 10]);
      const [loss, acc] = await model.trainOnBatch(xs, ys) as number[];
      xs.dispose();
      ys.dispose();
      step++;
      opts.onBatch?.(step, loss, acc);
      samples += opts.batchSize;
      lossSum += loss;
      accSum += acc;
      nBatches++;
      const elapsed = (performance.now() - tEpoch) / 1000;
      const sps = (nBatches * opts.batchSize) / elapsed;
      bar?.update({
        epoch,
        epochs: opts.epochs,
        done: b + 1,
        total: stepsPerEpoch,
        samplesPerS: sps,
        loss: lossSum / nBatches,
        acc: accSum / nBatches,
        etaS: opts.timeBudgetS
          ? Math.min(
            (totalSteps - step) * opts.batchSize / sps,
            opts.timeBudgetS - trainSeconds - elapsed,
          )
          : (totalSteps - step) * opts.batchSize / sps,
      });
    }
    bar?.finish();
    const seconds = (performance.now() - tEpoch) / 1000;
    trainSeconds += seconds;
    if (nBatches === 0) break;
    const { predicted } = await predictDigits(model, valSet.images, valSet.labels.length);
    const valAcc = classMetrics(predicted, valSet.labels).accuracy;
    const rec: EpochRecord = {
      epoch,
      lrEnd: lrAt(progress(trainSeconds), opts.lr, opts.warmupFrac),
      loss: lossSum / nBatches,
      trainAcc: accSum / nBatches,
      valAcc,
      seconds,
      samplesPerS: nBatches * opts.batchSize / seconds,
    };
    history.push(rec);
    const improved = valAcc >= bestVal;
    log(
      `epoch ${epoch}/${opts.epochs}${
        interrupted ? " (interrupted)" : outOfTime ? " (time budget reached)" : ""
      }: loss ${rec.loss.toFixed(4)} ` +
        `train ${(rec.trainAcc * 100).toFixed(2)}% val ${(valAcc * 100).toFixed(2)}% ` +
        `${rec.samplesPerS.toFixed(0)} samples/s ${formatDuration(seconds)}${
          improved ? " *best*" : ""
        }`,
    );
    if (improved) {
      bestVal = valAcc;
      bestEpoch = epoch;
      bestWeights?.forEach((t) => t.dispose());
      bestWeights = model.getWeights().map((w) => w.clone());
      if (opts.checkpointDir) {
        await writeModelDir(
          opts.checkpointDir,
          await encodeModel(model, "float32", {
            kind: "training-checkpoint",
            epoch,
            valAcc,
            seed: opts.seed,
            seconds: (performance.now() - tStart) / 1000,
            samples_seen: samples,
            samples_per_s: samples / Math.max(trainSeconds, 1e-9),
            history,
          }),
        );
      }
    }
  }
  if (bestWeights) {
    model.setWeights(bestWeights);
    bestWeights.forEach((t) => t.dispose());
  }
  const seconds = (performance.now() - tStart) / 1000;
  return {
    model,
    history,
    bestEpoch,
    bestValAcc: bestVal,
    seconds,
    samplesSeen: samples,
    samplesPerS: samples / Math.max(trainSeconds, 1e-9),
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
    bestEpoch: meta.epoch ?? 0,
    bestValAcc: meta.val_acc ?? 0,
    seconds: meta.seconds ?? 0,
    samplesSeen: meta.samples_seen ?? 0,
    samplesPerS: meta.samples_per_s ?? 0,
    interrupted: true,
  };
}
