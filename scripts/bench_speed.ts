/**
 * The "Browser speed" section of BENCHMARKS.md (issue 13), run by
 * `deno task bench` (scripts/bench_browser.ts) after its per-backend tables,
 * or alone with `deno task bench --only speed`. In headless Chromium against
 * the production build, each figure next to its baseline in the same run
 * (this machine's cores are shared, so ratios are what holds):
 * - a 12 MP photo uploaded → its result, against the browser's own full
 *   decode of the same file, and the longest gap between animation frames
 *   meanwhile; with the recognition worker and with the page fallback;
 * - a 640×480 camera frame: preprocessing + model in the worker; the live
 *   viewfinder's frames read per second (Chromium's fake camera);
 * - time per image from the 1st to the 300th of one long session;
 * - the first visit's bytes on the wire (page, recognition worker and
 *   service worker together, counted by a proxy in front of the server) and
 *   any file downloaded twice;
 * - Lighthouse mobile performance, median of 5, with its Total Blocking Time.
 */
import type { Browser, Page } from "playwright-core";
import { toGrey } from "../lib/core/resample.ts";
import { inkMap } from "../lib/core/ink.ts";
import { maxFilter } from "../lib/core/mnist_frame.ts";
import { decodeImage } from "../lib/server/decode_image.ts";
import * as reference from "../tests/helpers/reference_stages.ts";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { lighthouse } from "./lighthouse_runner.ts";
import { photoToY4m } from "../tests/fixtures/camera/y4m.ts";

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const ms = (v: number) => `${v.toFixed(0)} ms`;

/** Counts the bytes a server sends, and which paths it answered with 200, behind a TCP proxy. */
export function countingProxy(target: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let bytes = 0;
  const fetched: string[] = [];
  const pipes: Promise<void>[] = [];
  (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: "127.0.0.1", port: target });
      const asked: string[] = [];
      const up = (async () => {
        const decoder = new TextDecoder("latin1");
        for await (const chunk of client.readable) {
          for (const m of decoder.decode(chunk).matchAll(/^(?:GET|HEAD|POST) (\S+) HTTP/gm)) {
            asked.push(m[1]);
          }
          await server.write(chunk).catch(() => {});
        }
      })().catch(() => {});
      const down = (async () => {
        const decoder = new TextDecoder("latin1");
        for await (const chunk of server.readable) {
          bytes += chunk.length;
          for (const m of decoder.decode(chunk).matchAll(/HTTP\/1\.1 (\d{3}) /g)) {
            const path = asked.shift() ?? "?";
            if (m[1] === "200") fetched.push(path);
          }
          await client.write(chunk).catch(() => {});
        }
      })().catch(() => {});
      pipes.push(Promise.all([up, down]).then(() => {}));
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    reset() {
      bytes = 0;
      fetched.length = 0;
    },
    bytes: () => bytes,
    fetched: () => [...fetched],
    close() {
      listener.close();
    },
  };
}

/**
 * Hands `bytes` to the page once: passed on every upload, the array (as JSON
 * numbers) and its garbage would be timed with the upload itself.
 */
async function stagePhoto(page: Page, bytes: Uint8Array) {
  await page.evaluate((data) => {
    (globalThis as unknown as { benchPhoto: Uint8Array<ArrayBuffer> }).benchPhoto = new Uint8Array(
      data,
    );
  }, [...bytes]);
}

/** Uploads the staged photo through the page's file input and times it to the card's result, with frame gaps. */
async function timedUpload(page: Page) {
  return await page.evaluate(async () => {
    const data = (globalThis as unknown as { benchPhoto: Uint8Array<ArrayBuffer> }).benchPhoto;
    const file = new File([data], "photo.jpg", { type: "image/jpeg" });
    const input = document.querySelector<HTMLInputElement>("[data-testid=file-input]")!;
    const before = document.querySelectorAll(".rz-results .rz-result[data-state=done]").length;
    let last = performance.now(), gap = 0, running = true;
    const frame = (t: number) => {
      gap = Math.max(gap, t - last);
      last = t;
      if (running) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    const t0 = performance.now();
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await new Promise<void>((resolve) => {
      const check = () => {
        const n = document.querySelectorAll(".rz-results .rz-result[data-state=done]").length;
        if (n > before) resolve();
        else setTimeout(check, 2);
      };
      check();
    });
    const total = performance.now() - t0;
    running = false;
    // The browser's own full decode of the same file (no resize), for scale.
    const d0 = performance.now();
    (await createImageBitmap(file)).close();
    const decode = performance.now() - d0;
    return { total, decode, gap };
  });
}

/** A 12 MP (4000×3000) JPEG of `photo`, encoded by the browser. */
async function twelveMegapixels(browser: Browser, url: string, photo: Uint8Array) {
  const page = await browser.newPage();
  await page.goto(url + "/about");
  const data = await page.evaluate(async (bytes) => {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)]));
    const canvas = new OffscreenCanvas(4000, 3000);
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 4000, 3000);
    const s = 3000 / bitmap.height;
    ctx.drawImage(bitmap, (4000 - bitmap.width * s) / 2, 0, bitmap.width * s, 3000);
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.92 });
    return [...new Uint8Array(await blob.arrayBuffer())];
  }, [...photo]);
  await page.close();
  return new Uint8Array(data);
}

async function uploadFigures(browser: Browser, url: string, photo: Uint8Array, runs: number) {
  const out: Record<string, { total: number; decode: number; gap: number }> = {};
  for (const mode of ["worker", "page"] as const) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    if (mode === "page") {
      // deno-lint-ignore no-explicit-any
      await page.addInitScript(() => delete (globalThis as any).OffscreenCanvas);
    }
    await page.goto(url + "/");
    await page.waitForSelector("html[data-recognizer-ready]", { state: "attached" });
    await stagePhoto(page, photo);
    await timedUpload(page); // Warm: code paths compiled, history opened.
    const rows = [];
    for (let i = 0; i < runs; i++) rows.push(await timedUpload(page));
    out[mode] = {
      total: median(rows.map((r) => r.total)),
      decode: median(rows.map((r) => r.decode)),
      gap: median(rows.map((r) => r.gap)),
    };
    await page.close();
  }
  return out;
}

async function frameFigures(browser: Browser, url: string, photo: Uint8Array) {
  const page = await browser.newPage();
  await page.goto(url + "/");
  await page.waitForSelector("html[data-recognizer-ready]", { state: "attached" });
  const r = await page.evaluate(async (bytes) => {
    const bitmap = await createImageBitmap(new Blob([new Uint8Array(bytes)]));
    const canvas = new OffscreenCanvas(640, 480);
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 640, 480);
    const s = 400 / bitmap.height;
    ctx.drawImage(bitmap, (640 - bitmap.width * s) / 2, 40, bitmap.width * s, 400);
    const pixels = ctx.getImageData(0, 0, 640, 480);
    // deno-lint-ignore no-explicit-any
    const d = (globalThis as any).digitRecognizer;
    for (let i = 0; i < 5; i++) await d.recognize(pixels);
    const pre: number[] = [], model: number[] = [];
    for (let i = 0; i < 40; i++) {
      const copy = new ImageData(new Uint8ClampedArray(pixels.data), 640, 480);
      const t = (await d.recognize(copy)).timings;
      pre.push(t.preprocessMs);
      model.push(t.modelMs);
    }
    return { pre, model };
  }, [...photo]);
  await page.close();
  return { preprocess: median(r.pre), model: median(r.model) };
}

async function liveFps(url: string, photo: Uint8Array): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "bench_camera_" });
  const video = `${dir}/digit.y4m`;
  await Deno.writeFile(video, await photoToY4m(photo, { frames: 30 }));
  const browser = await launchBrowser([
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    `--use-file-for-fake-video-capture=${video}`,
  ]);
  try {
    const page = await browser.newPage();
    await page.goto(url + "/?mode=camera");
    await page.waitForSelector("[data-testid=camera-live][data-state=done]", { timeout: 60_000 });
    const samples: number[] = [];
    for (let i = 0; i < 8; i++) {
      await page.waitForTimeout(1000);
      samples.push(Number(await page.getAttribute("[data-testid=camera-live]", "data-fps")));
    }
    return median(samples);
  } finally {
    await browser.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function longSession(browser: Browser, url: string, count: number) {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(url + "/");
  await page.waitForSelector("html[data-recognizer-ready]", { state: "attached" });
  const times = await page.evaluate(async (n) => {
    // Distinct small drawings: no history hits, every image is decoded and read.
    const files: File[] = [];
    for (let i = 0; i < n; i++) {
      const c = new OffscreenCanvas(160, 160);
      const ctx = c.getContext("2d")!;
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, 160, 160);
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 12;
      ctx.beginPath();
      ctx.moveTo(40 + (i % 7), 30);
      ctx.lineTo(120, 30 + (i % 5));
      ctx.lineTo(70, 135);
      ctx.stroke();
      files.push(new File([await c.convertToBlob({ type: "image/png" })], `d${i}.png`));
    }
    // One image after the other, as a user adds them: the time each takes to its result.
    const input = document.querySelector<HTMLInputElement>("[data-testid=file-input]")!;
    const done: number[] = [];
    for (const [i, file] of files.entries()) {
      const t0 = performance.now();
      const dt = new DataTransfer();
      dt.items.add(file);
      input.files = dt.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      await new Promise<void>((resolve) => {
        const poll = () => {
          const slots = document.querySelectorAll(".rz-slot");
          const last = slots[slots.length - 1];
          const finished = document.querySelector(".rz-count")?.textContent === String(i + 1) &&
            last?.querySelector("[data-state=done], [data-state=error]");
          if (finished) resolve();
          else setTimeout(poll, 1);
        };
        poll();
      });
      done.push(performance.now() - t0);
    }
    return done;
  }, count);
  await page.close();
  return { first: median(times.slice(0, 20)), last: median(times.slice(-20)), count: times.length };
}

async function firstVisit(serverPort: number) {
  const proxy = countingProxy(serverPort);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    proxy.reset();
    await page.goto(`http://127.0.0.1:${proxy.port}/`);
    await page.waitForSelector("html[data-offline-ready]", { state: "attached", timeout: 120_000 });
    await page.waitForTimeout(1500); // Anything still in flight lands in the count.
    const fetched = proxy.fetched();
    const twice = [...new Set(fetched.filter((p, i) => fetched.indexOf(p) !== i))];
    return { bytes: proxy.bytes(), requests: fetched.length, twice };
  } finally {
    await browser.close();
    proxy.close();
  }
}

async function lighthouseRuns(url: string, runs: number) {
  const scores: number[] = [], tbt: number[] = [];
  for (let i = 0; i < runs; i++) {
    const report = await lighthouse(url + "/", false, ["performance"]);
    scores.push(Math.round((report.categories.performance.score ?? 0) * 100));
    tbt.push(report.audits["total-blocking-time"].numericValue ?? NaN);
  }
  return { scores, tbt };
}

/** Fastest of `n` interleaved runs of the new and the former (reference) version of a stage. */
function pair(fast: () => unknown, slow: () => unknown, n: number): [number, number] {
  let a = Infinity, b = Infinity;
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    slow();
    b = Math.min(b, performance.now() - t);
    t = performance.now();
    fast();
    a = Math.min(a, performance.now() - t);
  }
  return [a, b];
}

/** The preprocessing stages made faster, against their former versions (Deno, same inputs). */
async function stageFigures(photo: Uint8Array): Promise<string> {
  const image = await decodeImage(photo);
  // A 640×480 frame of the photo, as the browser now hands it over (already at the work size).
  const scale = Math.min(640 / image.width, 480 / image.height);
  const frame = reference.toGrey(image, Math.max(image.width, image.height) * scale).grey;
  const rgba = new Uint8Array(frame.width * frame.height * 4);
  for (let i = 0; i < frame.data.length; i++) {
    rgba.fill(Math.round(frame.data[i] * 255), i * 4, i * 4 + 3);
    rgba[i * 4 + 3] = 255;
  }
  const raster = { width: frame.width, height: frame.height, data: rgba };
  const patch = { width: 96, height: 96, data: frame.data.slice(0, 96 * 96) };
  const rows: [string, [number, number]][] = [
    [
      `toGrey, ${frame.width}×${frame.height} at the work size`,
      pair(() => toGrey(raster, 640), () => reference.toGrey(raster, 640), 30),
    ],
    [
      `inkMap, ${frame.width}×${frame.height}`,
      pair(() => inkMap(frame), () => reference.inkMap(frame), 30),
    ],
    ...[1, 2, 4, 6].map((r): [string, [number, number]] => [
      `maxFilter r=${r}, 96×96`,
      pair(() => maxFilter(patch, r), () => reference.maxFilter(patch, r), 300),
    ]),
  ];
  return [
    "| stage (bit-identical outputs) | now | before | speed-up |",
    "| --- | --- | --- | --- |",
    ...rows.map(([name, [now, before]]) =>
      `| ${name} | ${now.toFixed(2)} ms | ${before.toFixed(2)} ms | ${(before / now).toFixed(1)}× |`
    ),
  ].join("\n");
}

/** Runs every measurement and returns the section's Markdown body. */
export async function benchSpeed(
  server: { url: string; port: number },
  photo: Uint8Array,
  photoName: string,
  options: { runs: number; lighthouse: boolean },
): Promise<string> {
  const date = new Date().toISOString().slice(0, 10);
  const loadBefore = Deno.loadavg()[0];
  console.log("Preprocessing stages…");
  const stages = await stageFigures(photo);
  const browser = await launchBrowser();
  let upload, frame, session, big;
  try {
    console.log("12 MP upload…");
    big = await twelveMegapixels(browser, server.url, photo);
    upload = await uploadFigures(browser, server.url, big, options.runs);
    console.log("640×480 frames…");
    frame = await frameFigures(browser, server.url, photo);
    console.log("300 images…");
    session = await longSession(browser, server.url, 300);
  } finally {
    await browser.close();
  }
  console.log("Live camera…");
  const fps = await liveFps(server.url, photo);
  console.log("First visit…");
  const visit = await firstVisit(server.port);
  let lh = "Lighthouse was not run (`--no-lighthouse`).";
  if (options.lighthouse) {
    console.log("Lighthouse ×5…");
    try {
      const r = await lighthouseRuns(server.url, 5);
      lh = `Lighthouse 13.5.0 mobile performance on \`/\`, 5 runs: **median ${
        median(r.scores)
      }** (${r.scores.join(", ")}); Total Blocking Time median **${ms(median(r.tbt))}** (${
        r.tbt.map((t) => t.toFixed(0)).join(", ")
      } ms).`;
    } catch (e) {
      lh = `Lighthouse could not run: ${(e as Error).message.split("\n")[0]}`;
    }
  }
  const w = upload.worker, p = upload.page;
  const load = `${loadBefore.toFixed(0)} at the start, ${Deno.loadavg()[0].toFixed(0)} at the end`;
  return `<!-- browser:speed -->

Written by \`deno task bench\` (scripts/bench_speed.ts) on ${date}: headless Chromium, the
production build, 2 shared cores (other engineers' jobs ran at the same time, load average
${load}: compare figures within a row, not across runs). Photo: \`${photoName}\`.

| measurement | figure | baseline in the same run | ratio |
| --- | --- | --- | --- |
| 12 MP JPEG (${
    (big.length / 1e6).toFixed(1)
  } MB) upload → result, recognition worker (median of ${options.runs}) | ${
    ms(w.total)
  } | the browser's own full decode of the file: ${ms(w.decode)} | **${
    (w.total / w.decode).toFixed(2)
  }×** |
| longest gap between animation frames meanwhile | **${
    ms(w.gap)
  }** | the same upload on the page fallback (no worker): ${ms(p.gap)} | |
| 12 MP upload → result on the page fallback | ${ms(p.total)} | full decode: ${ms(p.decode)} | ${
    (p.total / p.decode).toFixed(2)
  }× |
| 640×480 camera frame: preprocess + model (worker, median of 40) | **${
    ms(frame.preprocess + frame.model)
  }** (${frame.preprocess.toFixed(1)} + ${frame.model.toFixed(1)}) | | |
| live viewfinder (fake camera, 640×480 video) | **${fps} frames/s** read | | |
| long session: time per image, images 1–20 → 281–300 (median) | ${ms(session.first)} → ${
    ms(session.last)
  } | | **${(session.last / session.first).toFixed(2)}×** |
| first visit of \`/\` until offline-ready: bytes on the wire | **${
    (visit.bytes / 1024).toFixed(0)
  } KB** in ${visit.requests} responses | files downloaded twice: ${
    visit.twice.length ? visit.twice.join(", ") : "none"
  } | |

${lh}

Preprocessing stages against their former versions (tests/helpers/reference_stages.ts; fastest
of many interleaved runs, in Deno; tests/recognition/fast_stages_test.ts checks the outputs are
bit-identical):

${stages}

Reproduce: \`deno task bench --only speed\` (add \`--no-lighthouse\` to skip Lighthouse).

<!-- /browser:speed -->`;
}
