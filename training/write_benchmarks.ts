/**
 * `deno run -A training/write_benchmarks.ts [REPORT_DIR]`: writes the
 * training run's block of BENCHMARKS.md (the full run's, or the fine-tuning
 * run's when it started from a checkpoint) from REPORT_DIR/metrics.json
 * (default training/report). `deno task train` does this itself at the end.
 */
import { machineLine, runBlock, updateBenchmarksFile } from "./benchmarks_md.ts";

const dir = Deno.args[0] ?? "training/report";
const metrics = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
const block = metrics.training?.options?.init_dir ? "training:finetune" : "training:run";
await updateBenchmarksFile("BENCHMARKS.md", block, runBlock(metrics, machineLine()));
console.log(`BENCHMARKS.md: ${block} block updated`);
