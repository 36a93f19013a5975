/**
 * `deno run -A training/write_benchmarks.ts [REPORT_DIR]`: writes the full
 * training run's block of BENCHMARKS.md from REPORT_DIR/metrics.json
 * (default training/report). `deno task train` does this itself at the end.
 */
import { machineLine, runBlock, updateBenchmarksFile } from "./benchmarks_md.ts";

const dir = Deno.args[0] ?? "training/report";
const metrics = JSON.parse(await Deno.readTextFile(`${dir}/metrics.json`));
await updateBenchmarksFile("BENCHMARKS.md", "training:run", runBlock(metrics, machineLine()));
console.log("BENCHMARKS.md: training run block updated");
