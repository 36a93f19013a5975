/**
 * `deno run -A training/make_rehearsal.ts [--per-class 40] [--seed 7] [--mnist DIR]`
 *
 * Writes the personal model's rehearsal digits (see lib/core/rehearsal.ts):
 * `--per-class` MNIST training digits of each class, drawn with a seed, to
 * static/personal/ as a gzipped IDX images file and an IDX labels file, and their indices to
 * training/rehearsal_indices.json (benchmarks keep them out of their simulated writers).
 */
import { parseArgs } from "node:util";
import { encodeIdx } from "../lib/core/idx.ts";
import { loadMnistSplit, locateMnist } from "./mnist_files.ts";
import { shuffledIndices } from "./augment.ts";
import { makeRng } from "../lib/core/random.ts";
import { REHEARSAL_IMAGES_PATH, REHEARSAL_LABELS_PATH } from "../lib/core/rehearsal.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "per-class": { type: "string", default: "40" },
    seed: { type: "string", default: "7" },
    mnist: { type: "string" },
  },
});
const perClass = Number(values["per-class"]);
const train = await loadMnistSplit(await locateMnist(values.mnist), "train");
const order = shuffledIndices(train.count, makeRng(Number(values.seed)));
const picked: number[] = [];
const taken = new Array(10).fill(0);
for (const i of order) {
  const label = train.labels[i];
  if (taken[label] >= perClass) continue;
  taken[label]++;
  picked.push(i);
  if (picked.length === perClass * 10) break;
}
const images = new Uint8Array(picked.length * 784);
picked.forEach((i, k) => images.set(train.images.subarray(i * 784, (i + 1) * 784), k * 784));
const labels = Uint8Array.from(picked, (i) => train.labels[i]);
const gz = new Uint8Array(
  await new Response(
    new Blob([encodeIdx([picked.length, 28, 28], images) as BlobPart]).stream().pipeThrough(
      new CompressionStream("gzip"),
    ),
  ).arrayBuffer(),
);
const root = new URL("../static", import.meta.url).pathname;
await Deno.mkdir(`${root}/personal`, { recursive: true });
await Deno.writeFile(root + REHEARSAL_IMAGES_PATH, gz);
await Deno.writeFile(root + REHEARSAL_LABELS_PATH, encodeIdx([picked.length], labels));
// The indices, so that benchmarks can keep the rehearsal digits out of their simulated writers.
await Deno.writeTextFile(
  new URL("rehearsal_indices.json", import.meta.url),
  JSON.stringify({ source: "MNIST train", seed: Number(values.seed), indices: picked }, null, 2) +
    "\n",
);
console.log(`${picked.length} digits, ${gz.length} bytes gzipped → static/personal/`);
