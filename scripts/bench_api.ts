/**
 * `deno task bench:api [--duration S] [--connections N] [--overload N] [--idle N] [--slow N]
 *   [--note TEXT] [--write]`
 *
 * Load benchmark of the prediction API: starts the real server (main.ts) on
 * a free loopback port, drives `POST /api/predict` with autocannon for a
 * bounded time, and reports requests/s, p50/p99 latency, and the server's
 * RSS and `tf.memory().numTensors` (read from /api/health) before, at the
 * peak and after. Three phases: a mix of real photos, a large phone photo
 * alone, and an overload with more connections than the queue admits (the
 * excess must get 503s while memory stays flat). Then the hostile phases
 * (issue 15): the mix again with `--idle` idle connections and `--slow`
 * clients trickling their bodies at 1 byte/s beside it (each reconnects
 * when the server closes it), compared with the plain mix of the same run;
 * and a stream of files that cost far more than their size. `--write` puts
 * the tables into BENCHMARKS.md's "API load" and "API under attack" sections.
 * All traffic goes to 127.0.0.1, bounded in time.
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
  memory: { rss_bytes: number; decoders_rss_bytes: number; tf_tensors: number };
}

/** The server's memory: its own process and its decoder processes. */
const rssOf = (h: Health) => h.memory.rss_bytes + (h.memory.decoders_rss_bytes ?? 0);

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

/** Reads the server's RSS every 250 ms and hands it to `onRss` until `stop()`. */
function sampleRss(url: string, onRss: (rss: number) => void) {
  let sampling = true;
  const loop = (async () => {
    while (sampling) {
      const h = await health(url).catch(() => undefined);
      if (h) onRss(rssOf(h));
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    async stop() {
      sampling = false;
      await loop;
    },
  };
}

/** Runs autocannon against `url` with `samples` in turn, sampling the server's RSS meanwhile. */
async function phase(
  url: string,
  name: string,
  samples: Sample[],
  connections: number,
  seconds: number,
  settleMs = 1000,
): Promise<PhaseResult> {
  const before = await health(url);
  let rssPeak = rssOf(before);
  const sampler = sampleRss(url, (rss) => (rssPeak = Math.max(rssPeak, rss)));
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
  await sampler.stop();
  // Let in-flight work finish (and spikes' decoders be replaced) before the "after" figures.
  await new Promise((r) => setTimeout(r, settleMs));
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
    rssBefore: rssOf(before),
    rssPeak,
    rssAfter: rssOf(after),
    tensorsBefore: before.memory.tf_tensors,
    tensorsAfter: after.memory.tf_tensors,
  };
}

/**
 * Keeps `idle` connections open that never send a byte, and `slow` ones
 * that send a request head and then 1 byte of body per second; each is
 * opened again as soon as the server closes it. They run in a process of
 * their own, as an attacker would (in this one they would slow autocannon
 * down, not the server). Returns a function that stops them and resolves
 * with the counts.
 */
function hostileClients(port: number, idle: number, slow: number) {
  const script = `
    const head = new TextEncoder().encode("POST /api/predict HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n" +
      "Content-Type: image/png\\r\\nContent-Length: 100000\\r\\n\\r\\n");
    const counts = { connections: 0, closedByServer: 0 };
    let running = true;
    const client = async (trickle) => {
      while (running) {
        let conn;
        try { conn = await Deno.connect({ hostname: "127.0.0.1", port: ${port} }); }
        catch { await new Promise((r) => setTimeout(r, 500)); continue; }
        counts.connections++;
        const timer = trickle ? setInterval(() => conn.write(new Uint8Array([32])).catch(() => {}), 1000) : 0;
        try {
          if (trickle) await conn.write(head);
          while ((await conn.read(new Uint8Array(4096))) !== null) {}
        } catch {}
        clearInterval(timer);
        try { conn.close(); } catch {}
        if (running) counts.closedByServer++;
      }
    };
    for (let i = 0; i < ${idle}; i++) client(false);
    for (let i = 0; i < ${slow}; i++) client(true);
    await new Promise((resolve) => Deno.addSignalListener("SIGTERM", resolve));
    running = false;
    console.log(JSON.stringify(counts));
    Deno.exit(0);
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  return {
    async stop(): Promise<{ connections: number; closedByServer: number }> {
      child.kill("SIGTERM");
      const out = await child.output();
      return JSON.parse(new TextDecoder().decode(out.stdout).trim() || "{}");
    },
  };
}

/**
 * The mix sent by `connections` fetch loops for `seconds` (one request at a
 * time each), with RSS sampled as in `phase`. The hostile comparison uses
 * this for both of its rows: autocannon in this process completed no request
 * at all beside the attackers' process while fetch did, on the same server.
 */
async function fetchPhase(
  url: string,
  name: string,
  samples: Sample[],
  connections: number,
  seconds: number,
): Promise<PhaseResult> {
  const before = await health(url);
  let rssPeak = rssOf(before);
  const latencies: number[] = [];
  const status: Record<string, number> = {};
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const sampler = sampleRss(url, (rss) => (rssPeak = Math.max(rssPeak, rss)));
  await Promise.all(Array.from({ length: connections }, async (_, k) => {
    for (let i = k; performance.now() < end; i++) {
      const s = samples[i % samples.length];
      const t = performance.now();
      try {
        const res = await fetch(url + "/api/predict", {
          method: "POST",
          body: s.body as BodyInit,
          headers: { "Content-Type": s.type },
          signal: AbortSignal.timeout(60_000),
        });
        await res.arrayBuffer();
        status[res.status] = (status[res.status] ?? 0) + 1;
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  }));
  await sampler.stop();
  await new Promise((r) => setTimeout(r, 1000));
  const after = await health(url);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies.length
      ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))])
      : 0;
  return {
    name,
    connections,
    seconds,
    requests: latencies.length,
    // Useful throughput: answers with a reading.
    rps: (status[200] ?? 0) / seconds,
    p50: pct(0.5),
    p99: pct(0.99),
    status,
    errors,
    rssBefore: rssOf(before),
    rssPeak,
    rssAfter: rssOf(after),
    tensorsBefore: before.memory.tf_tensors,
    tensorsAfter: after.memory.tf_tensors,
  };
}

/** Waits until the overload's queued requests are done (at most 2 minutes). */
async function queueDrained(url: string) {
  const end = performance.now() + 120_000;
  while (performance.now() < end) {
    const { queue } = await health(url) as unknown as {
      queue: { running: number; waiting: number };
    };
    if (queue.running + queue.waiting === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Files that cost far more than their size (issue 15): each must be refused or bounded. */
async function hostileFiles(): Promise<Sample[]> {
  const { blankPng } = await import("../tests/api/test_images.ts");
  return [
    { file: "50,000,000×1 PNG", type: "image/png", body: await blankPng(50_000_000, 1) },
    { file: "7,000×7,000 blank PNG", type: "image/png", body: await blankPng(7000, 7000) },
  ];
}

/**
 * Decode time of a 12 MP JPEG (the phone photo scaled up to 4000×3000), in
 * full and shrunk on load as the API decodes it: medians of `runs` each.
 */
async function jpegDecodeTimes(phone: Sample, runs = 5) {
  const { default: sharp } = await import("sharp");
  const { decodeImage, decodeImageScaled } = await import("../lib/server/decode_image.ts");
  const big = new Uint8Array(
    await sharp(phone.body).resize(4000, 3000, { fit: "fill" }).jpeg({ quality: 90 }).toBuffer(),
  );
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const full: number[] = [], shrunk: number[] = [];
  let scale = 1;
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await decodeImage(big);
    full.push(performance.now() - t);
    t = performance.now();
    scale = (await decodeImageScaled(big, { minPixels: 2 * 640 * 480 })).scale;
    shrunk.push(performance.now() - t);
  }
  return { bytes: big.length, full: median(full), shrunk: median(shrunk), scale };
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
      idle: { type: "string", default: "1000" },
      slow: { type: "string", default: "100" },
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
    // Hostile phases: the same mix beside idle and slow clients, then costly files.
    await queueDrained(server.url);
    const calm = await fetchPhase(server.url, "mix of photos", mixed, connections, seconds);
    const hostile = hostileClients(server.port, Number(values.idle), Number(values.slow));
    // Let them all connect before measuring.
    await new Promise((r) => setTimeout(r, 3000));
    const attacked = await fetchPhase(
      server.url,
      `mix beside ${values.idle} idle + ${values.slow} slow clients`,
      mixed,
      connections,
      seconds,
    );
    const hostileCounts = await hostile.stop();
    const files = await hostileFiles();
    const costly = await phase(
      server.url,
      `costly files: ${files.map((f) => `${f.file} (${size(f.body.length)})`).join(", ")}`,
      files,
      2,
      Math.max(5, Math.round(seconds / 2)),
      15_000,
    );
    const baseline = calm;
    const decode = await jpegDecodeTimes(phone);
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
    const hostileMd = report([baseline, attacked, costly], [
      "Normal clients here are fetch loops (one request at a time per connection) in both mix rows: " +
      "autocannon, which drives the tables above, completed no request at all in this process " +
      "beside the attackers' process, while the same server answered fetch and a separate " +
      "autocannon process normally (checked by hand); so the ratio compares like with like.",
      "",
      `Same run as "API load" above (${
        new Date().toISOString().slice(0, 10)
      }, 127.0.0.1 only). Beside the mix, ${values.idle} connections that never send a byte and ` +
      `${values.slow} that send a request head and then 1 byte of body per second, each reopened ` +
      `as soon as the server closes it, from a process of their own ` +
      `(${hostileCounts.connections} connections opened, ${hostileCounts.closedByServer} closed ` +
      "by the server's deadlines or cap). " +
      `Normal clients kept **${(100 * attacked.rps / baseline.rps).toFixed(0)} %** of their ` +
      `throughput (target ≥ 80 %); p99 ${baseline.p99} → ${attacked.p99} ms. Then files that ` +
      "cost far more than their size, back to back on 2 connections: refused from the header " +
      "(aspect ratio) or decoded in a process that is replaced afterwards. This machine's 2 cores " +
      "are shared with other work: compare ratios within one run, not absolute figures.",
      "",
      `JPEG decoding (issue 13): a 12 MP JPEG (4000×3000, ${size(decode.bytes)}) decodes in ` +
      `${decode.full.toFixed(0)} ms in full (MozJPEG wasm) and in ${decode.shrunk.toFixed(0)} ms ` +
      `shrunk on load to 1/${decode.scale} (libjpeg DCT scaling via sharp, as the API does): ` +
      `**${(decode.full / decode.shrunk).toFixed(1)}×** faster (medians of 5, same process). ` +
      `The server runs ${DEFAULT_LIMITS.concurrency} decoder processes here (one per core).`,
    ]);
    console.log(hostileMd);
    if (values.write) {
      const path = `${ROOT}BENCHMARKS.md`;
      let text = await Deno.readTextFile(path).catch(() => "# Benchmarks\n");
      text = text.replace(/\n_Written by `deno task bench:api`; pending\._\n/, "\n");
      text = replaceBlock(text, "API load", "api:load", md);
      await Deno.writeTextFile(
        path,
        replaceBlock(text, "API under attack", "api:hostile", hostileMd),
      );
      await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path] }).output();
      console.log(`\nWritten to ${path}`);
    }
  } finally {
    await server.close();
  }
}

if (import.meta.main) await main();
