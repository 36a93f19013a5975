/**
 * `deno task eval-photos [DIR…] [--model PATH] [--json] [--crops FILE.png] [--benchmarks]`
 *
 * Measures recognition on folders of real labelled images, each with a
 * labels.csv (header first). Without DIR: the three dev sets beside the
 * project, `../shared/photos`, `../shared/numbers` and `../shared/nondigits`.
 * A folder's labels say what it is:
 * - single digits (`file,label[,kind]`, every label one digit): accuracy
 *   overall and per kind, the confusion matrix, the misread files;
 * - numbers (labels of several digits, read as text: leading zeros count):
 *   exact readings and digits right (by edit distance), per kind;
 * - no-digit images (`file,kind` without a label): the share answered
 *   "no digit", per kind, and what the others were read as.
 * Digit sets also count the images wrongly answered "no digit". Prints
 * Markdown (one JSON object per folder with --json); --benchmarks writes the
 * tables into BENCHMARKS.md's "Recognition on real images" section. --crops
 * writes the 28×28 model inputs of the misread files as a PNG grid.
 */
import { relative } from "node:path";
import { parseCli } from "../lib/server/cli_args.ts";
import { encode as encode_png } from "fast-png";
import { DEFAULT_MAX_PIXELS } from "../lib/server/decode_image.ts";
import { type DigitModel, loadModelWithHead } from "../lib/core/model_runner.ts";
import { DEFAULT_MODEL_PATH, modelUrl } from "../lib/server/model_file.ts";
import { PreprocessPool } from "../lib/server/preprocess_pool.ts";
import { classifyDigits } from "../lib/core/recognize.ts";
import { initInferenceBackend } from "../lib/server/tf_backend.ts";
import { DECODE_DEADLINE_S } from "./predict.ts";
import { machineLine, replaceBlock } from "../training/benchmarks_md.ts";
import { distance } from "fastest-levenshtein";

/** One labelled file. */
export interface LabelRow {
  file: string;
  label: string;
  kind: string;
}

/**
 * Parses labels.csv: a header naming `file` and `label` (`kind` optional);
 * with `allowNoLabel`, a set of no-digit images may have no `label` column
 * (their label is then "").
 */
export function parseLabelsCsv(text: string, allowNoLabel = false): LabelRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new Error("labels.csv is empty");
  const header = lines[0].split(",").map((h) => h.trim().toLowerCase());
  const fi = header.indexOf("file"), li = header.indexOf("label"), ki = header.indexOf("kind");
  if (fi < 0 || (li < 0 && !(allowNoLabel && ki >= 0))) {
    throw new Error("labels.csv needs a header with `file` and `label` columns");
  }
  return lines.slice(1).map((l) => {
    const cells = l.split(",").map((c) => c.trim());
    return {
      file: cells[fi],
      label: li >= 0 ? cells[li] : "",
      kind: ki >= 0 ? cells[ki] || "-" : "-",
    };
  });
}

/** What a labelled folder holds, from its labels. */
export type SetKind = "digits" | "numbers" | "nondigits";

/** Single digits, numbers, or (no labels at all) images without digits. */
export function setKindOf(rows: LabelRow[]): SetKind {
  if (rows.every((r) => r.label === "")) return "nondigits";
  return rows.every((r) => /^\d$/.test(r.label)) ? "digits" : "numbers";
}

/** One file's outcome. */
export interface EvalRow extends LabelRow {
  predicted: string;
  correct: boolean;
  confidence: number | null;
  /** True when the answer was "no digit". */
  noDigit?: boolean;
  /** What the image was taken for when answered "no digit" (writing, symbol, …). */
  noDigitKind?: string;
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
  /** Images answered "no digit". */
  rejected: number;
}

/** Aggregates outcomes into overall and per-kind accuracy and a confusion matrix. */
export function summarise(rows: EvalRow[]): EvalSummary {
  const perKind: EvalSummary["perKind"] = {};
  const confusion = Array.from({ length: 10 }, () => new Array(11).fill(0));
  let correct = 0, rejected = 0;
  for (const r of rows) {
    if (r.noDigit) rejected++;
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
    rejected,
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

/** Exact readings and digits right (label length minus edit distance) over a set of numbers. */
export interface NumberSummary {
  total: number;
  exact: number;
  digits: number;
  digitsRight: number;
  rejected: number;
  perKind: Record<string, { total: number; exact: number; digits: number; digitsRight: number }>;
}

/** Aggregates the outcomes of a numbers set; a label is text ("0001250981" has 10 digits). */
export function summariseNumbers(rows: EvalRow[]): NumberSummary {
  const out: NumberSummary = {
    total: 0,
    exact: 0,
    digits: 0,
    digitsRight: 0,
    rejected: 0,
    perKind: {},
  };
  for (const r of rows) {
    const k = (out.perKind[r.kind] ??= { total: 0, exact: 0, digits: 0, digitsRight: 0 });
    const right = Math.max(0, r.label.length - distance(r.label, r.predicted));
    for (const t of [out, k]) {
      t.total++;
      t.exact += r.predicted === r.label ? 1 : 0;
      t.digits += r.label.length;
      t.digitsRight += right;
    }
    if (r.noDigit) out.rejected++;
  }
  return out;
}

/** Share answered "no digit" over a set of images without digits, per kind and per verdict. */
export interface NondigitSummary {
  total: number;
  rejected: number;
  perKind: Record<string, { total: number; rejected: number }>;
  /** How many were taken for each no-digit kind (writing, symbol, …). */
  seenAs: Record<string, number>;
}

/** Aggregates the outcomes of a set of no-digit images. */
export function summariseNondigits(rows: EvalRow[]): NondigitSummary {
  const out: NondigitSummary = { total: 0, rejected: 0, perKind: {}, seenAs: {} };
  for (const r of rows) {
    const k = (out.perKind[r.kind] ??= { total: 0, rejected: 0 });
    out.total++;
    k.total++;
    if (r.noDigit) {
      out.rejected++;
      k.rejected++;
      out.seenAs[r.noDigitKind ?? "-"] = (out.seenAs[r.noDigitKind ?? "-"] ?? 0) + 1;
    }
  }
  return out;
}

const pct = (x: number, n: number) => `${n ? ((x / n) * 100).toFixed(1) : "0.0"} %`;

/** Markdown of a numbers set. */
export function formatNumbersMarkdown(s: NumberSummary, rows: EvalRow[]): string {
  const out = [
    "| kind | numbers | exact | digits right | answered no digit |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const [kind, k] of Object.entries(s.perKind).sort()) {
    out.push(
      `| ${kind} | ${k.total} | ${k.exact} (${
        pct(k.exact, k.total)
      }) | ${k.digitsRight}/${k.digits} (${pct(k.digitsRight, k.digits)}) | |`,
    );
  }
  out.push(
    `| **all** | ${s.total} | **${s.exact} (${
      pct(s.exact, s.total)
    })** | ${s.digitsRight}/${s.digits} (${pct(s.digitsRight, s.digits)}) | ${s.rejected} |`,
  );
  const wrong = rows.filter((r) => !r.correct);
  if (wrong.length) {
    out.push("", "Misread:", "");
    for (const r of wrong) out.push(`- ${r.file} (${r.kind}): ${r.label} read as ${answer(r)}`);
  }
  return out.join("\n");
}

/** Markdown of a no-digit set. */
export function formatNondigitsMarkdown(s: NondigitSummary, rows: EvalRow[]): string {
  const out = ["| kind | images | answered no digit |", "| --- | ---: | ---: |"];
  for (const [kind, k] of Object.entries(s.perKind).sort()) {
    out.push(`| ${kind} | ${k.total} | ${k.rejected} (${pct(k.rejected, k.total)}) |`);
  }
  out.push(`| **all** | ${s.total} | **${s.rejected} (${pct(s.rejected, s.total)})** |`);
  const seen = Object.entries(s.seenAs).sort().map(([k, n]) => `${k} ${n}`).join(", ");
  if (seen) out.push("", `Taken for: ${seen}.`);
  const wrong = rows.filter((r) => !r.noDigit);
  if (wrong.length) {
    out.push("", "Read as digits:", "");
    for (const r of wrong) out.push(`- ${r.file} (${r.kind}): ${answer(r)}`);
  }
  return out.join("\n");
}

function answer(r: EvalRow): string {
  if (r.error) return `error: ${r.error}`;
  if (r.noDigit) return `no digit (${r.noDigitKind ?? "?"})`;
  const conf = r.confidence == null ? "" : ` (${r.confidence.toFixed(2)})`;
  return `"${r.predicted}"${conf}`;
}

/** The three dev sets beside the project. */
export const DEV_SETS = ["photos", "numbers", "nondigits"].map((n) =>
  new URL(`../../shared/${n}`, import.meta.url).pathname
);

/** Recognises every file of one labelled folder. */
async function evaluateFolder(
  dir: string,
  model: DigitModel,
  head: DigitModel | undefined,
  pool: PreprocessPool,
  deskew: boolean,
) {
  const labels = parseLabelsCsv(await Deno.readTextFile(`${dir}/labels.csv`), true);
  const rows: EvalRow[] = [];
  let preMs = 0, modelMs = 0;
  for (const l of labels) {
    try {
      const bytes = await Deno.readFile(`${dir}/${l.file}`);
      const { pre, preprocessMs } = await pool.run(bytes, DEFAULT_MAX_PIXELS, { deskew });
      const res = classifyDigits(model, pre, { noDigitHead: head }, preprocessMs);
      preMs += res.timings.preprocessMs;
      modelMs += res.timings.modelMs;
      rows.push({
        ...l,
        predicted: res.digits,
        correct: l.label === "" ? res.noDigit : res.digits === l.label,
        confidence: res.predictions.length
          ? Math.min(...res.predictions.map((p) => p.confidence))
          : null,
        noDigit: res.noDigit,
        ...(res.kind ? { noDigitKind: res.kind } : {}),
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
  const n = Math.max(1, rows.length);
  return { dir, kind: setKindOf(labels), rows, preMs: preMs / n, modelMs: modelMs / n };
}

type FolderEval = Awaited<ReturnType<typeof evaluateFolder>>;

/** One folder's figures as Markdown, under a heading naming it. */
function folderMarkdown(f: FolderEval): string {
  const name = relative(Deno.cwd(), f.dir) || f.dir;
  const timing = `mean preprocess ${f.preMs.toFixed(1)} ms, model ${
    f.modelMs.toFixed(1)
  } ms per image`;
  if (f.kind === "nondigits") {
    return `#### No-digit images: \`${name}\`\n\n${timing}.\n\n${
      formatNondigitsMarkdown(summariseNondigits(f.rows), f.rows)
    }`;
  }
  if (f.kind === "numbers") {
    return `#### Numbers: \`${name}\`\n\n${timing}.\n\n${
      formatNumbersMarkdown(summariseNumbers(f.rows), f.rows)
    }`;
  }
  const s = summarise(f.rows);
  return `#### Single digits: \`${name}\`\n\n${timing}; answered "no digit" wrongly: ${s.rejected} of ${s.total}.\n\n${
    formatMarkdown(s, f.rows)
  }`;
}

/** The figures of one folder for --json, keys in snake_case. */
function folderSummaryJson(f: FolderEval): Record<string, unknown> {
  if (f.kind === "nondigits") {
    const s = summariseNondigits(f.rows);
    return { total: s.total, rejected: s.rejected, per_kind: s.perKind, seen_as: s.seenAs };
  }
  if (f.kind === "numbers") {
    const s = summariseNumbers(f.rows);
    const perKind = Object.entries(s.perKind).map(([k, v]) => [k, {
      total: v.total,
      exact: v.exact,
      digits: v.digits,
      digits_right: v.digitsRight,
    }]);
    return {
      total: s.total,
      exact: s.exact,
      digits: s.digits,
      digits_right: s.digitsRight,
      rejected: s.rejected,
      per_kind: Object.fromEntries(perKind),
    };
  }
  const s = summarise(f.rows);
  return {
    total: s.total,
    correct: s.correct,
    accuracy: s.accuracy,
    rejected: s.rejected,
    per_kind: s.perKind,
    confusion: s.confusion,
  };
}

/** One folder for --json: its set kind, figures and rows (without the crops). */
function folderJson(f: FolderEval) {
  const rows = f.rows.map(({ crops: _, noDigit, noDigitKind, ...r }) => ({
    ...r,
    no_digit: noDigit ?? false,
    ...(noDigitKind ? { no_digit_kind: noDigitKind } : {}),
  }));
  return { dir: f.dir, set: f.kind, summary: folderSummaryJson(f), rows };
}

const BENCHMARKS_HEADING = "Recognition on real images";

const USAGE =
  "usage: deno task eval-photos [DIR…] [--model PATH] [--json] [--crops FILE.png] [--benchmarks] [--no-head]\n" +
  "Without DIR: ../shared/photos, ../shared/numbers and ../shared/nondigits.";

async function main() {
  const { values, positionals } = parseCli({
    allowPositionals: true,
    options: {
      model: { type: "string", default: DEFAULT_MODEL_PATH },
      json: { type: "boolean", default: false },
      crops: { type: "string" },
      deskew: { type: "boolean", default: false },
      benchmarks: { type: "boolean", default: false },
      "no-head": { type: "boolean", default: false },
    },
  }, USAGE);
  const dirs = positionals.length ? positionals : DEV_SETS;
  await initInferenceBackend();
  const { model, head: loadedHead } = await loadModelWithHead(modelUrl(values.model!));
  const head = values["no-head"] ? undefined : loadedHead;
  // Decoding in a worker with a deadline: one hostile file costs 30 s, not the run.
  const pool = new PreprocessPool({ size: 1, timeoutMs: DECODE_DEADLINE_S * 1000 });
  const folders: FolderEval[] = [];
  try {
    for (const dir of dirs) {
      folders.push(await evaluateFolder(dir, model, head, pool, values.deskew));
    }
  } finally {
    pool.close();
  }
  if (values.crops) {
    const wrong = folders.flatMap((f) => f.rows.filter((r) => !r.correct));
    await Deno.writeFile(values.crops, cropsPng(wrong));
  }
  const meta = model.metadata;
  if (values.json) {
    const headMeta = head?.metadata ?? null;
    for (const f of folders) {
      console.log(JSON.stringify({ model: meta, no_digit_head: headMeta, ...folderJson(f) }));
    }
  } else {
    const text = [
      `Model ${relative(Deno.cwd(), values.model!)} (version ${meta.version ?? "?"}, ${
        meta.weight_dtype ?? "?"
      } weights, MNIST test accuracy ${meta.test_accuracy ?? "?"}); no-digit head ${
        head ? `version ${head.metadata.version ?? "?"}` : "off"
      }.`,
      ...folders.map(folderMarkdown),
    ].join("\n\n");
    console.log(text);
    if (values.benchmarks) {
      const body = [
        `Written by \`deno task eval-photos --benchmarks\` on ${machineLine()}. The dev sets are for measuring only: nothing was trained or tuned on them.`,
        text,
      ].join("\n\n");
      const md = await Deno.readTextFile("BENCHMARKS.md");
      await Deno.writeTextFile(
        "BENCHMARKS.md",
        replaceBlock(md, BENCHMARKS_HEADING, head ? "eval-photos" : "eval-photos-no-head", body),
      );
      await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", "BENCHMARKS.md"] })
        .output();
    }
  }
  model.dispose();
  head?.dispose();
}

if (import.meta.main) await main();
