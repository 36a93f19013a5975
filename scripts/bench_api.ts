/**
 * `deno task bench:api [--duration S] [--connections N] [--overload N] [--note TEXT] [--write]`
 *
 * Load benchmark of the prediction API: starts the real server (main.ts) on
 * a free loopback port, drives `POST /api/predict` with autocannon for a
 * bounded time, and reports requests/s, p50/p99 latency, and the server's
 * RSS and `tf.memory().numTensors` (read from /api/health) before, at the
 * peak and after. Three phases: a mix of real photos, a large phone photo
 * alone, and an overload with more connections than the queue admits (the
 * excess must get 503s while memory stays flat). `--write` puts the table
 * into BENCHMARKS.md's "API load" section.
 */
import { Buffer } from "node:buffer";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startTestServer } from "../tests/helpers/server.ts";
import { mdTable, replaceBlock } from "../training/benchmarks_md.ts";
import { DEFAULT_LIMITS } from "../lib/server/limits.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** One request body of the workload. */
interface Sample {
  file: string;
  type: string;
  body: Uint8Array;
}

/** Health figures the server reports about itself. */
interface Health {
  status: string;
  model_version: string;
  backend: string;
  memory: { rss_bytes: number; tf_tensors: number };
}

/** The results of one phase. */
interface PhaseResult {
  name: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  status: Record<string, number>;
  errors: number;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  tensorsBefore: number;
  tensorsAfter: number;
}

const TYPES: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };

/** The first photo of each source folder listed in labels.csv: phone photos, scans, drawings. */
async function loadSamples(dir: string): Promise<{ mixed: Sample[]; phone: Sample }> {
  const csv = await Deno.readTextFile(`${dir}/labels.csv`);
  const rows = csv.trim().split("\n").slice(1).map((l) => l.split(","));
  const firstPerSource = new Map<string, string>();
  for (const [file] of rows) {
    const source = file.split("/")[0];
    if (!firstPerSource.has(source)) firstPerSource.set(source, file);
  }
  const read = async (file: string): Promise<Sample> => ({
    file,
    type: TYPES[file.split(".").pop()!.toLowerCase()] ?? "application/octet-stream",
    body: await Deno.readFile(`${dir}/${file}`),
  });
  const mixed = await Promise.all([...firstPerSource.values()].sort().map(read));
  // The largest file: a full-resolution phone photo, the heaviest realistic request.
  const phone = mixed.reduce((a, b) => (b.body.length > a.body.length ? b : a));
  return { mixed, phone };
}

async function health(url: string): Promise<Health> {
  return await (await fetch(url + "/api/health")).json();
}

async function waitReady(url: string): Promise<Health> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const h = await health(url).catch(() => undefined);
    if (h?.status === "ready") return h;
    if (h?.status === "failed") throw new Error("the model failed to load");
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the server did not become ready");
}

/** Runs autocannon against `url` with `samples` in turn, sampling the server's RSS meanwhile. */
async function phase(
  url: string,
  name: string,
  samples: Sample[],
  connections: number,
  seconds: number,
): Promise<PhaseResult> {
  const before = await health(url);
  let rssPeak = before.memory.rss_bytes;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const h = await health(url).catch(() => undefined);
      if (h) rssPeak = Math.max(rssPeak, h.memory.rss_bytes);
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const result = await autocannon({
    url: url + "/api/predict",
    connections,
    duration: seconds,
    timeout: 60,
    requests: samples.map((s) => ({
      method: "POST",
      path: "/api/predict",
      headers: { "content-type": s.type },
      // autocannon wants a Buffer or a string.
      body: Buffer.from(s.body) as unknown as string,
    })),
  });
  sampling = false;
  await sampler;
  // Let in-flight work finish before reading the "after" figures.
  await new Promise((r) => setTimeout(r, 1000));
  const after = await health(url);
  const status: Record<string, number> = {};
  const byCode = (result as { statusCodeStats?: Record<string, { count: number }> })
    .statusCodeStats ?? {};
  for (const [code, { count }] of Object.entries(byCode)) status[code] = count;
  return {
    name,
    connections,
    seconds,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    status,
    errors: result.errors + result.timeouts,
    rssBefore: before.memory.rss_bytes,
    rssPeak,
    rssAfter: after.memory.rss_bytes,
    tensorsBefore: before.memory.tf_tensors,
    tensorsAfter: after.memory.tf_tensors,
  };
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const size = (bytes: number) => bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(0)} KB`;

function report(results: PhaseResult[], info: string[]): string {
  const table = mdTable(
    [
      "workload",
      "conns",
      "s",
      "requests",
      "req/s",
      "p50 ms",
      "p99 ms",
      "answers",
      "RSS before → peak → after",
      "tensors before → after",
    ],
    results.map((r) => [
      r.name,
      r.connections,
      r.seconds,
      r.requests,
      r.rps.toFixed(1),
      r.p50,
      r.p99,
      Object.entries(r.status).map(([c, n]) => `${n}× ${c}`).join(", ") +
      (r.errors ? `, ${r.errors} errors` : ""),
      `${mb(r.rssBefore)} → ${mb(r.rssPeak)} → ${mb(r.rssAfter)}`,
      `${r.tensorsBefore} → ${r.tensorsAfter}`,
    ]),
  );
  return [...info, "", table].join("\n");
}

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      duration: { type: "string", default: "15" },
      connections: { type: "string", default: "4" },
      overload: { type: "string", default: "64" },
      photos: { type: "string", default: Deno.env.get("PHOTOS_DIR") ?? `${ROOT}../shared/photos` },
      write: { type: "boolean", default: false },
      /** A remark for the report, e.g. what else was running on the machine. */
      note: { type: "string", default: "" },
    },
  });
  const seconds = Number(values.duration);
  const connections = Number(values.connections);
  const overload = Number(values.overload);
  const { mixed, phone } = await loadSamples(values.photos!);

  const server = await startTestServer(ROOT);
  try {
    const ready = await waitReady(server.url);
    // Warm-up: first requests compile code paths and start the worker.
    for (const s of mixed) {
      await (await fetch(server.url + "/api/predict", {
        method: "POST",
        body: s.body as BodyInit,
        headers: { "Content-Type": s.type },
      })).arrayBuffer();
    }
    const capacity = DEFAULT_LIMITS.concurrency + DEFAULT_LIMITS.maxQueued;
    const results = [
      await phase(server.url, `mix of ${mixed.length} photos`, mixed, connections, seconds),
      await phase(server.url, `phone photo only`, [phone], Math.min(2, connections), seconds),
      await phase(
        server.url,
        `overload (mix, > ${capacity} admitted)`,
        mixed,
        overload,
        Math.max(5, Math.round(seconds / 2)),
      ),
    ];
    const cpu = Deno.build.os === "linux"
      ? (await Deno.readTextFile("/proc/cpuinfo")).match(/model name\s*:\s*(.*)/)?.[1]
      : undefined;
    const info = [
      `Written by \`deno task bench:api\` on ${Deno.build.os}/${Deno.build.arch}, ` +
      `${navigator.hardwareConcurrency} cores${
        cpu ? ` (${cpu})` : ""
      }, Deno ${Deno.version.deno}, ` +
      `${new Date().toISOString().slice(0, 10)}; autocannon against 127.0.0.1, ` +
      `model ${ready.model_version} on the ${ready.backend} backend, default limits ` +
      `(${DEFAULT_LIMITS.concurrency} recognition at a time, ${DEFAULT_LIMITS.maxQueued} waiting).`,
      "",
      `Mix: the first photo of each source in the photo set (${
        mixed.map((s) => `${s.file} ${size(s.body.length)}`).join(", ")
      }). Phone photo: ${phone.file}. RSS is the whole server process (workers included), ` +
      "sampled from /api/health every 250 ms; tensors are `tf.memory().numTensors`." +
      (values.note ? ` ${values.note}` : ""),
    ];
    const md = report(results, info);
    console.log(md);
    if (values.write) {
      const path = `${ROOT}BENCHMARKS.md`;
      let text = await Deno.readTextFile(path).catch(() => "# Benchmarks\n");
      text = text.replace(/\n_Written by `deno task bench:api`; pending\._\n/, "\n");
      await Deno.writeTextFile(path, replaceBlock(text, "API load", "api:load", md));
      await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path] }).output();
      console.log(`\nWritten to ${path}`);
    }
  } finally {
    await server.close();
  }
}

if (import.meta.main) await main();
