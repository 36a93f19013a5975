/**
 * Keeps generated blocks of BENCHMARKS.md's "Training" section up to date:
 * each command owns a block between `<!-- name -->` and `<!-- /name -->`
 * markers and replaces only that block, leaving other sections alone.
 */

/** Returns `md` with block `name` inside section `heading` set to `body` (block appended if new). */
export function replaceBlock(md: string, heading: string, name: string, body: string): string {
  const open = `<!-- ${name} -->`, close = `<!-- /${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}`;
  const start = md.indexOf(open), end = md.indexOf(close);
  if (start >= 0 && end > start) return md.slice(0, start) + block + md.slice(end + close.length);
  const h = md.indexOf(`\n## ${heading}\n`);
  if (h < 0) return md.trimEnd() + `\n\n## ${heading}\n\n${block}\n`;
  const sectionStart = h + heading.length + 5;
  const next = md.indexOf("\n## ", sectionStart);
  const sectionEnd = next < 0 ? md.length : next;
  let section = md.slice(sectionStart, sectionEnd);
  // Drop the "pending" placeholder once real numbers arrive.
  section = section.replace(/\n_Written by `deno task train`[^\n]*pending\._\n/, "\n");
  section = section.trim() === "" ? `\n${block}\n` : section.trimEnd() + `\n\n${block}\n`;
  return md.slice(0, sectionStart) + section + md.slice(sectionEnd);
}

/** Applies `replaceBlock` to a file on disk (creating it if missing). */
export async function updateBenchmarksFile(
  path: string,
  name: string,
  body: string,
): Promise<void> {
  let md = "# Benchmarks\n";
  try {
    md = await Deno.readTextFile(path);
  } catch { /* new file */ }
  await Deno.writeTextFile(path, replaceBlock(md, "Training", name, body));
  // The repository's checks run `deno fmt --check`; keep the file formatted.
  await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", path],
    stdout: "null",
    stderr: "null",
  })
    .output()
    .catch(() => {});
}

/** A markdown table from a header row and data rows. */
export function mdTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The fields of training/report/metrics.json that the run block shows. */
export interface RunMetrics {
  test_accuracy: number;
  weight_dtype: string;
  weight_bytes: number;
  parameters: number;
  macs_per_digit: number;
  backend: string;
  seed: number;
  version?: unknown;
  quantization: { dtype: string; test_accuracy: number; weight_bytes: number; shipped: boolean }[];
  training?: {
    duration_s: number;
    samples_per_s: number;
    samples_seen: number;
    epochs_run: number;
    best_epoch: number;
    best_val_acc: number;
    training_digits?: number;
    history: { epoch: number; val_acc: number; samples_per_s: number; seconds: number }[];
    options?: {
      time_budget_s?: number | null;
      epochs?: number;
      batch_size?: number;
      lr?: number;
      init_dir?: string;
      scan_p?: number;
      style_p?: number;
    };
  };
}

/** Markdown for a full training run, from its metrics.json. */
export function runBlock(m: RunMetrics, machine: string): string {
  const t = m.training;
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const fineTune = Boolean(t?.options?.init_dir);
  const lines = [
    fineTune ? "### Fine-tuning run" : "### Full training run",
    "",
    `Written by \`deno task train\` (through \`training/write_benchmarks.ts\`) from training/report/metrics.json; ${machine}.`,
    "",
  ];
  if (t?.options) {
    const o = t.options;
    lines.push(
      `Command: \`deno task train --backend ${m.backend}` +
        `${o.init_dir ? ` --init ${o.init_dir}` : ""}` +
        `${o.time_budget_s ? ` --time-budget ${Math.round(o.time_budget_s / 60)}` : ""}` +
        ` --epochs ${o.epochs}${o.lr !== 0.003 ? ` --lr ${o.lr}` : ""}` +
        `${o.scan_p ? ` --scan-p ${o.scan_p}` : ""}${
          o.style_p ? ` --style-p ${o.style_p}` : ""
        }\` ` +
        `(batch ${o.batch_size}, peak learning rate ${o.lr}). ` +
        (o.time_budget_s
          ? "With a time budget the learning-rate schedule follows elapsed time, so the run " +
            "completes its cycle on a slower or busier machine too."
          : ""),
      "",
    );
  }
  if (t) {
    lines.push(
      mdTable(["", ""], [
        ["backend", m.backend],
        [
          "MNIST training digits (validation split included)",
          t.training_digits ?? "-",
        ],
        ["epochs run / best epoch", `${t.epochs_run} / ${t.best_epoch}`],
        ["digits seen", t.samples_seen],
        [
          "wall-clock time (training + per-epoch validation)",
          `${(t.duration_s / 60).toFixed(1)} min`,
        ],
        ["training throughput", `${t.samples_per_s.toFixed(1)} samples/s`],
        ["best validation accuracy", pct(t.best_val_acc)],
        ["seed", m.seed],
      ]),
      "",
    );
  }
  lines.push(
    "Weight encodings of the trained model (BatchNorm folded), each measured on the 10,000 MNIST test digits after an encode → load round trip:",
    "",
    mdTable(
      ["weights", "test accuracy", "weight bytes", "shipped"],
      m.quantization.map((
        q,
      ) => [q.dtype, pct(q.test_accuracy), q.weight_bytes, q.shipped ? "yes" : ""]),
    ),
    "",
    `Shipped: ${m.weight_dtype}, ${m.weight_bytes} bytes of weights, ${m.parameters} parameters, ` +
      `${(m.macs_per_digit / 1e6).toFixed(2)} M multiply-adds per digit, test accuracy ${
        pct(m.test_accuracy)
      } ` +
      `(version ${m.version}).`,
  );
  if (t?.history.length) {
    lines.push(
      "",
      mdTable(
        ["epoch", "validation accuracy", "samples/s", "minutes"],
        t.history.map((
          h,
        ) => [h.epoch, pct(h.val_acc), h.samples_per_s.toFixed(1), (h.seconds / 60).toFixed(1)]),
      ),
    );
  }
  return lines.join("\n");
}

/** A one-line description of this machine for benchmark headers. */
export function machineLine(): string {
  return `${Deno.build.os}/${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ` +
    `tfjs 4.22.0, ${new Date().toISOString().slice(0, 10)}`;
}
