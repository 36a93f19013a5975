/**
 * `deno task eval-photos DIR [--model PATH] [--json] [--crops FILE.png]`
 *
 * Measures recognition on a folder of real labelled images: reads
 * DIR/labels.csv (`file,label[,kind,…]`, header first), recognises each file
 * and prints accuracy overall and per kind, the confusion matrix and the
 * misread files, as Markdown (or one JSON object with --json). --crops
 * writes the 28×28 model inputs of the misread files as a PNG grid, to see
 * what preprocessing made of them.
 */
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { encode as encode_png } from "fast-png";
import { DEFAULT_MAX_PIXELS } from "../lib/server/decode_image.ts";
import { loadModel } from "../lib/core/model_runner.ts";
import { PreprocessPool } from "../lib/server/preprocess_pool.ts";
import { classifyDigits } from "../lib/core/recognize.ts";
import { initInferenceBackend } from "../lib/server/tf_backend.ts";
import { DECODE_DEADLINE_S, DEFAULT_MODEL_PATH } from "./predict.ts";

/** One labelled file. */
export interface LabelRow {
  file: string;
  label: string;
  kind: string;
}

/** Parses labels.csv: a header naming at least `file` and `label` (`kind` optional). */
export function parseLabelsCsv(text: string): LabelRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new Error("labels.csv is empty");
  const header = lines[0].split(",").map((h) => h.trim().toLowerCase());
  const fi = header.indexOf("file"), li = header.indexOf("label"), ki = header.indexOf("kind");
  if (fi < 0 || li < 0) {
    throw new Error("labels.csv needs a header with `file` and `label` columns");
  }
  return lines.slice(1).map((l) => {
    const cells = l.split(",").map((c) => c.trim());
    return { file: cells[fi], label: cells[li], kind: ki >= 0 ? cells[ki] || "-" : "-" };
  });
}

/** One file's outcome. */
export interface EvalRow extends LabelRow {
  predicted: string;
  correct: boolean;
  confidence: number | null;
  error?: string;
  /** 28×28 inputs given to the model (kept for the crops grid). */
  crops: Float32Array[];
}

/** Accuracy figures over a set of outcomes. */
export interface EvalSummary {
  total: number;
  correct: number;
  accuracy: number;
  perKind: Record<string, { total: number; correct: number; accuracy: number }>;
  /** confusion[true][predicted], predicted 0–9 or 10 = none/several digits. */
  confusion: number[][];
}

/** Aggregates outcomes into overall and per-kind accuracy and a confusion matrix. */
export function summarise(rows: EvalRow[]): EvalSummary {
  const perKind: EvalSummary["perKind"] = {};
  const confusion = Array.from({ length: 10 }, () => new Array(11).fill(0));
  let correct = 0;
  for (const r of rows) {
    const k = (perKind[r.kind] ??= { total: 0, correct: 0, accuracy: 0 });
    k.total++;
    if (r.correct) {
      k.correct++;
      correct++;
    }
    if (/^\d$/.test(r.label)) {
      const p = /^\d$/.test(r.predicted) ? Number(r.predicted) : 10;
      confusion[Number(r.label)][p]++;
    }
  }
  for (const k of Object.values(perKind)) k.accuracy = k.total ? k.correct / k.total : 0;
  return {
    total: rows.length,
    correct,
    accuracy: rows.length ? correct / rows.length : 0,
    perKind,
    confusion,
  };
}

/** The summary as Markdown tables. */
export function formatMarkdown(s: EvalSummary, rows: EvalRow[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const out: string[] = [];
  out.push("| kind | images | correct | accuracy |", "| --- | ---: | ---: | ---: |");
  for (const [kind, k] of Object.entries(s.perKind).sort()) {
    out.push(`| ${kind} | ${k.total} | ${k.correct} | ${pct(k.accuracy)} |`);
  }
  out.push(`| **all** | ${s.total} | ${s.correct} | **${pct(s.accuracy)}** |`, "");
  out.push("Confusion matrix (rows: true digit, columns: read as; ∅ = no digit or several):", "");
  out.push(`| | ${[..."0123456789", "∅"].join(" | ")} |`, `| --- |${" ---: |".repeat(11)}`);
  s.confusion.forEach((row, d) =>
    out.push(`| **${d}** | ${row.map((v) => (v ? String(v) : "·")).join(" | ")} |`)
  );
  const wrong = rows.filter((r) => !r.correct);
  if (wrong.length) {
    out.push("", "Misread:", "");
    for (const r of wrong) {
      const conf = r.confidence == null ? "" : ` (${r.confidence.toFixed(2)})`;
      out.push(
        `- ${r.file} (${r.kind}): ${r.label} read as ${
          r.error ? `error: ${r.error}` : `"${r.predicted}"${conf}`
        }`,
      );
    }
  }
  return out.join("\n");
}

/** Draws the crops of `rows` as one grey PNG grid, 3× enlarged, 12 crops a row. */
export function cropsPng(rows: EvalRow[]): Uint8Array {
  const S = 3, cell = 28 * S + 2, cols = 12;
  const crops = rows.flatMap((r) => (r.crops.length ? r.crops : [new Float32Array(784).fill(0.3)]));
  const width = cols * cell, height = Math.max(1, Math.ceil(crops.length / cols)) * cell;
  const data = new Uint8Array(width * height).fill(80);
  crops.forEach((c, i) => {
    const ox = (i % cols) * cell, oy = Math.floor(i / cols) * cell;
    for (let y = 0; y < 28 * S; y++) {
      for (let x = 0; x < 28 * S; x++) {
        data[(oy + y) * width + ox + x] = Math.round(
          c[Math.floor(y / S) * 28 + Math.floor(x / S)] * 255,
        );
      }
    }
  });
  return encode_png({ width, height, data, channels: 1 });
}

async function main() {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      model: { type: "string", default: DEFAULT_MODEL_PATH },
      json: { type: "boolean", default: false },
      crops: { type: "string" },
      deskew: { type: "boolean", default: false },
    },
  });
  const dir = positionals[0];
  if (!dir) {
    console.error("usage: deno task eval-photos DIR [--model PATH] [--json] [--crops FILE.png]");
    Deno.exit(2);
  }
  await initInferenceBackend();
  const model = await loadModel(values.model!);
  const labels = parseLabelsCsv(await Deno.readTextFile(`${dir}/labels.csv`));
  const rows: EvalRow[] = [];
  let preMs = 0, modelMs = 0;
  // Decoding in a worker with a deadline: one hostile file costs 30 s, not the run.
  const pool = new PreprocessPool({ size: 1, timeoutMs: DECODE_DEADLINE_S * 1000 });
  for (const l of labels) {
    try {
      const bytes = await Deno.readFile(`${dir}/${l.file}`);
      const { pre, preprocessMs } = await pool.run(bytes, DEFAULT_MAX_PIXELS, {
        deskew: values.deskew,
      });
      const res = classifyDigits(model, pre, {}, preprocessMs);
      preMs += res.timings.preprocessMs;
      modelMs += res.timings.modelMs;
      rows.push({
        ...l,
        predicted: res.digits,
        correct: res.digits === l.label,
        confidence: res.predictions.length
          ? Math.min(...res.predictions.map((p) => p.confidence))
          : null,
        crops: pre.digits.map((d) => d.pixels),
      });
    } catch (e) {
      rows.push({
        ...l,
        predicted: "",
        correct: false,
        confidence: null,
        error: (e as Error).message,
        crops: [],
      });
    }
  }
  pool.close();
  const summary = summarise(rows);
  if (values.crops) await Deno.writeFile(values.crops, cropsPng(rows.filter((r) => !r.correct)));
  const n = Math.max(1, rows.length);
  if (values.json) {
    const slim = rows.map(({ crops: _, ...r }) => r);
    // The JSON output is a wire format: snake_case keys.
    const { perKind, ...rest } = summary;
    console.log(
      JSON.stringify({
        model: model.metadata,
        summary: { ...rest, per_kind: perKind },
        rows: slim,
      }),
    );
  } else {
    const meta = model.metadata;
    console.log(
      `Model ${relative(Deno.cwd(), values.model!)} (version ${meta.version ?? "?"}, ${
        meta.weight_dtype ?? "?"
      } weights, ` +
        `MNIST test accuracy ${meta.test_accuracy ?? "?"}); mean preprocess ${
          (preMs / n).toFixed(1)
        } ms, ` +
        `model ${(modelMs / n).toFixed(1)} ms per image.\n`,
    );
    console.log(formatMarkdown(summary, rows));
  }
  model.dispose();
}

if (import.meta.main) await main();
