/**
 * `deno task bench`: the in-browser recognizer in headless Chromium, per
 * backend: warm latency of one recognition (preprocess + predict), time from
 * navigation to the first possible prediction, and the JavaScript downloaded
 * before the first result (raw and gzip). Writes the tables into the
 * "Browser recognition" section of BENCHMARKS.md (`--no-write` to only print).
 *
 * Then the "Browser speed" section (scripts/bench_speed.ts): uploads, camera
 * frames, a long session, the first visit's bytes, Lighthouse.
 *
 * Options: `--runs N` timed recognitions per backend (default 30),
 * `--photo FILE` the image (default sourav/sourav_004.jpg of PHOTOS_DIR),
 * `--only backends|speed` one part, `--no-lighthouse`.
 */
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { build } from "../framework/build.ts";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { startTestServer } from "../tests/helpers/server.ts";
import { benchSpeed } from "./bench_speed.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "30" },
    photo: { type: "string" },
    "no-write": { type: "boolean", default: false },
    only: { type: "string" },
    "no-lighthouse": { type: "boolean", default: false },
  },
});
const RUNS = Number(values.runs);
const PHOTOS = Deno.env.get("PHOTOS_DIR") ?? `${ROOT}../shared/photos`;
const PHOTO = values.photo ?? `${PHOTOS}/sourav/sourav_004.jpg`;

/** Backends and the Chromium flags that make them reachable headless. */
const BACKENDS: { name: string; args: string[] }[] = [
  { name: "wasm", args: [] },
  { name: "cpu", args: [] },
  { name: "webgl", args: [] }, // SwiftShader (software) in headless Chromium.
  { name: "webgpu", args: ["--enable-unsafe-webgpu"] }, // SwiftShader's Vulkan, if present.
];

const gz = (b: Uint8Array) => gzipSync(b, { level: 9 }).length;
const kb = (n: number) => (n / 1024).toFixed(1);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(0.9 * (xs.length - 1))];

interface ScriptLoad {
  url: string;
  raw: number;
  gzip: number;
}

/** Opens the page and collects every script (and .wasm) fetched until `until` resolves. */
async function collectLoads(page: Page, until: () => Promise<void>) {
  const scripts: ScriptLoad[] = [];
  let wasm = 0;
  const pending: Promise<void>[] = [];
  let open = true;
  page.on("response", (res) => {
    if (!open) return;
    const url = res.url();
    const type = res.request().resourceType();
    if (type === "script" || url.endsWith(".js")) {
      pending.push(
        res.body().then((b) => {
          scripts.push({ url: new URL(url).pathname, raw: b.length, gzip: gz(b) });
        }).catch(() => {}),
      );
    } else if (url.endsWith(".wasm")) {
      pending.push(res.body().then((b) => void (wasm += b.length)).catch(() => {}));
    }
  });
  await until();
  open = false;
  await Promise.all(pending);
  return { scripts, wasm };
}

interface BackendFigures {
  name: string;
  active: string;
  note?: string;
  readyMs: number[];
  warmupMs?: number;
  total?: number[];
  preprocess?: number[];
  model?: number[];
  scripts?: ScriptLoad[];
  wasmBytes?: number;
  firstResultMs?: number;
  digits?: string;
}

async function benchBackend(url: string, b: { name: string; args: string[] }, photo: Uint8Array) {
  const browser = await launchBrowser(b.args);
  const figures: BackendFigures = { name: b.name, active: "", readyMs: [] };
  try {
    // 1. Cold loads (fresh context = empty cache): navigation → first possible prediction.
    for (let i = 0; i < 3; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const loads = await collectLoads(page, async () => {
        await page.goto(`${url}/?backend=${b.name}`);
        await page.waitForSelector("html[data-recognizer-ready], .rz-dot-error", {
          state: "attached",
          timeout: 120_000,
        });
        if (i === 0) {
          // The first result: the JavaScript a phone has downloaded by then.
          const t0 = Date.now();
          await page.setInputFiles("[data-testid=file-input]", {
            name: "photo.jpg",
            mimeType: "image/jpeg",
            buffer: Buffer.from(photo),
          });
          await page.waitForSelector("[data-testid=results] .rz-result[data-state=done]", {
            timeout: 120_000,
          }).catch(() => {});
          figures.firstResultMs = Date.now() - t0;
        }
      });
      // deno-lint-ignore no-explicit-any
      const state = await page.evaluate(() => (globalThis as any).digitRecognizer.state());
      figures.active = state.backend ?? "none";
      if (state.readyAt) figures.readyMs.push(state.readyAt);
      if (i === 0) {
        figures.scripts = loads.scripts;
        figures.wasmBytes = loads.wasm;
        figures.warmupMs = state.warmupMs;
        if (state.backend !== b.name) {
          figures.note = state.failed?.[b.name] ?? "not available";
        }
      }
      await ctx.close();
    }
    if (figures.active !== b.name) return figures;

    // 2. Warm latency: the same photo recognised RUNS times after 3 untimed runs.
    const page = await browser.newPage();
    await page.goto(`${url}/?backend=${b.name}`);
    await page.waitForSelector("html[data-recognizer-ready]", { timeout: 120_000 });
    const base64 = btoa(Array.from(photo, (c) => String.fromCharCode(c)).join(""));
    const timed = await page.evaluate(async ({ base64, runs }) => {
      // deno-lint-ignore no-explicit-any
      const d = (globalThis as any).digitRecognizer;
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const pixels = await d.decode(new Blob([bytes], { type: "image/jpeg" }));
      for (let i = 0; i < 3; i++) await d.recognize(pixels);
      const total: number[] = [], preprocess: number[] = [], model: number[] = [];
      let digits = "";
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const r = await d.recognize(pixels);
        total.push(performance.now() - t0);
        preprocess.push(r.timings.preprocessMs);
        model.push(r.timings.modelMs);
        digits = r.digits;
      }
      return { total, preprocess, model, digits };
    }, { base64, runs: b.name === "cpu" ? Math.min(RUNS, 10) : RUNS });
    Object.assign(figures, timed);
    return figures;
  } finally {
    await browser.close();
  }
}

function cpuModel(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    return info.match(/model name\s*:\s*(.+)/)?.[1]?.trim() ?? "unknown CPU";
  } catch {
    return "unknown CPU";
  }
}

function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Replaces (or appends) the section under `heading` of BENCHMARKS.md with `body`. */
async function writeSection(heading: string, body: string): Promise<void> {
  const path = `${ROOT}BENCHMARKS.md`;
  let md = await Deno.readTextFile(path).catch(() => "# Benchmarks\n");
  const head = `\n## ${heading}\n`;
  const at = md.indexOf(head);
  if (at < 0) md = md.trimEnd() + `\n${head}\n${body}\n`;
  else {
    const start = at + head.length;
    const next = md.indexOf("\n## ", start);
    const end = next < 0 ? md.length : next;
    md = md.slice(0, start) + `\n${body}\n` + md.slice(end);
  }
  await Deno.writeTextFile(path, md);
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path] }).output();
  console.log(`\nWrote the ${heading} section of BENCHMARKS.md`);
}

async function main() {
  const photo = await Deno.readFile(PHOTO);
  console.log("Building…");
  await build({ root: ROOT });
  if (values.only !== "speed") await backends(photo);
  if (values.only !== "backends") {
    const server = await startTestServer(ROOT);
    try {
      const body = await benchSpeed(server, photo, PHOTO.replace(/.*\/photos\//, "photos/"), {
        runs: 5,
        lighthouse: !values["no-lighthouse"],
      });
      console.log("\n" + body);
      if (!values["no-write"]) await writeSection("Browser speed", body);
    } finally {
      await server.close();
    }
  }
}

async function backends(photo: Uint8Array) {
  const server = await startTestServer(ROOT);
  const version = await (async () => {
    const b = await launchBrowser();
    const v = b.version();
    await b.close();
    return v;
  })();
  const results: BackendFigures[] = [];
  try {
    for (const b of BACKENDS) {
      console.log(`Backend ${b.name}…`);
      let f: BackendFigures;
      try {
        f = await benchBackend(server.url, b, photo);
      } catch (e) {
        // One backend that hangs or crashes must not cost the others' figures.
        f = {
          name: b.name,
          active: "none",
          note: String((e as Error).message).split("\n")[0],
          readyMs: [],
        };
      }
      results.push(f);
      console.log(
        `  active ${f.active}${f.note ? ` (${f.note})` : ""}, ready ${
          median(f.readyMs).toFixed(0)
        } ms, warm ${f.total ? median(f.total).toFixed(1) : "—"} ms, JS ${
          kb((f.scripts ?? []).reduce((a, s) => a + s.gzip, 0))
        } KB gzip`,
      );
    }
  } finally {
    await server.close();
  }

  const stock = await Deno.readFile(`${ROOT}node_modules/@tensorflow/tfjs/dist/tf.min.js`);
  const model = ["model.json", "group1-shard1of1.bin"].reduce((n, f) => {
    try {
      return n + Deno.statSync(`${ROOT}static/model/${f}`).size;
    } catch {
      return n;
    }
  }, 0);
  const date = new Date().toISOString().slice(0, 10);
  const cores = navigator.hardwareConcurrency;
  const auto = results.find((r) => r.name === "wasm")!;
  const sum = (s: ScriptLoad[] = [], k: "raw" | "gzip") => s.reduce((a, x) => a + x[k], 0);
  const ratio = (name: string) => {
    const r = results.find((x) => x.name === name);
    if (!r?.model || !auto.model) return `${name} —`;
    return `${name} ${(median(r.model) / median(auto.model)).toFixed(0)}×`;
  };

  const latency = table(
    [
      "backend",
      "in use",
      "warm recognition, median (p90)",
      "preprocess",
      "model",
      "navigation → ready (cold, median of 3)",
      "warm-up predict",
    ],
    results.map((r) => [
      r.name,
      r.active === r.name ? r.active : `${r.active} — ${r.name} failed: ${r.note}`,
      r.total ? `${median(r.total).toFixed(1)} ms (${p90(r.total).toFixed(1)})` : "—",
      r.preprocess ? `${median(r.preprocess).toFixed(1)} ms` : "—",
      r.model ? `${median(r.model).toFixed(1)} ms` : "—",
      r.readyMs.length ? `${median(r.readyMs).toFixed(0)} ms` : "—",
      r.warmupMs !== undefined ? `${r.warmupMs.toFixed(0)} ms` : "—",
    ]),
  );
  const bytes = table(
    [
      "page loaded with",
      "scripts",
      "JS raw",
      "JS gzip",
      ".wasm fetched",
      "first result after upload",
    ],
    results.map((r) => [
      `?backend=${r.name}` + (r.name === "wasm" ? " (= automatic here)" : ""),
      r.scripts?.length ?? 0,
      `${kb(sum(r.scripts, "raw"))} KB`,
      `**${kb(sum(r.scripts, "gzip"))} KB**`,
      r.wasmBytes ? `${kb(r.wasmBytes)} KB` : "—",
      r.firstResultMs !== undefined ? `${r.firstResultMs} ms` : "—",
    ]),
  );
  const files = table(
    ["script (automatic choice, wasm)", "raw", "gzip"],
    (auto.scripts ?? []).sort((a, b) => b.gzip - a.gzip).map((s) => [
      `\`${s.url}\``,
      `${kb(s.raw)} KB`,
      `${kb(s.gzip)} KB`,
    ]),
  );
  const body = `<!-- browser:recognition -->

Written by \`deno task bench\` (scripts/bench_browser.ts) on ${date}: headless Chromium ${version}
(Debian, \`--disable-gpu\`, so WebGL and WebGPU run on SwiftShader, a software renderer), linux,
${cores} shared cores of an ${cpuModel()}, while other work (a model training run, other tests)
used the same cores: absolute times are pessimistic, ratios hold. Image: \`${
    PHOTO.replace(/.*\/photos\//, "photos/")
  }\` (a ${photo.length >> 10} KB phone photo, decoded and shrunk to ≤ 1280 px once, untimed).
Model ${model >> 10} KB (model.json + uint8 weights).

Warm latency of one recognition (preprocess + predict, ${RUNS} runs; cpu: 10), the same code as the
UI (\`window.digitRecognizer.recognize\`), and cold start:

${latency}

JavaScript downloaded before the first result (fresh cache; gzip -9 of each script as served;
stock \`tf.min.js\` 4.22 alone is ${kb(stock.length)} KB raw, ${kb(gz(stock))} KB gzip):

${bytes}

${files}

Why the bundle is small: tfjs-core only (lib/core/model_runner.ts interprets the layers model itself),
each backend is a dynamic \`import()\` of its package's \`dist/base\` plus only the kernels the
runner can emit (lib/browser/backends/*.ts), so a WASM phone never downloads WebGL or WebGPU code.
Preprocessing (pure TypeScript) dominates the warm time on WASM; on the software GPUs here the
model itself is the slow part (${ratio("cpu")}, ${ratio("webgl")} and ${
    ratio("webgpu")
  } the WASM model time), which is why the automatic choice picks WASM whenever the GPU is
software-rendered. No hardware GPU was available to this run, so there is no hardware WebGL or
WebGPU figure.

<!-- /browser:recognition -->`;
  console.log("\n" + body);
  if (!values["no-write"]) await writeSection("Browser recognition", body);
}

await main();
