/**
 * The in-browser half of `deno task bench:personal --browser`: the production
 * build in headless Chromium, a history of N digits the user confirmed (the
 * shipped rehearsal digits stand in for theirs), and the personal model
 * trained by the app's own worker. Measures the time from the start of
 * training to the personal model reading, and the page's longest gap between
 * animation frames meanwhile (a blocked page would show a long one).
 */
import { build } from "../framework/build.ts";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { startTestServer } from "../tests/helpers/server.ts";
import { pageModulesScript } from "../tests/pwa/page_modules.ts";
import { decodeRehearsal } from "../lib/core/rehearsal.ts";

/** Runs the measurement `runs` times (a fresh page each) for each history size; returns Markdown. */
export async function benchPersonalInBrowser(
  root: string,
  sizes = [20, 200],
  runs = 3,
): Promise<string> {
  await build({ root });
  const server = await startTestServer(root);
  const browser = await launchBrowser();
  const set = await decodeRehearsal(
    await Deno.readFile(`${root}static/personal/rehearsal-images.idx.gz`),
    await Deno.readFile(`${root}static/personal/rehearsal-labels.idx`),
  );
  const rows: string[] = [];
  try {
    for (const size of sizes) {
      const times: number[] = [], gaps: number[] = [], idle: number[] = [];
      for (let r = 0; r < runs; r++) {
        const context = await browser.newContext({ bypassCSP: true });
        await context.addInitScript({ content: await pageModulesScript() });
        const page = await context.newPage();
        await page.goto(server.url + "/");
        await page.waitForSelector("html[data-recognizer-ready]", { timeout: 60_000 });
        await page.waitForSelector("html[data-personal=waiting]", { timeout: 60_000 });
        const digits = Array.from({ length: size }, (_, i) => ({
          crop: Array.from(set.images.subarray(i * 784, (i + 1) * 784)),
          label: set.labels[i],
        }));
        const m = await page.evaluate(async (digits) => {
          const root = document.documentElement;
          let longest = 0, last = performance.now(), watching = true;
          const frame = (t: number) => {
            longest = Math.max(longest, t - last);
            last = t;
            if (watching) requestAnimationFrame(frame);
          };
          const status = (want: string) =>
            new Promise<number>((resolve) => {
              const check = () => root.dataset.personal === want && resolve(performance.now());
              new MutationObserver(check).observe(root, { attributes: true });
              check();
            });
          const training = status("training");
          const ready = status("ready");
          // deno-lint-ignore no-explicit-any
          const t = (globalThis as any).pwaTest;
          const thumbnail = new Blob([new Uint8Array([0])], { type: "image/png" });
          for (const [i, d] of digits.entries()) {
            await t.saveEntry({
              id: `bench-${i}`,
              time: Date.now(),
              source: "draw",
              thumbnail,
              digits: String(d.label),
              confidence: 1,
              probabilities: [],
              backend: "bench",
              modelVersion: "bench",
              confirmed: true,
              crops: Uint8Array.from(d.crop),
            });
          }
          const t0 = await training;
          last = performance.now();
          longest = 0;
          requestAnimationFrame(frame);
          const t1 = await ready;
          const gap = longest;
          // The same time with nothing to do: what the machine's own load costs the page.
          longest = 0;
          await new Promise((r) => setTimeout(r, t1 - t0));
          watching = false;
          return { ms: t1 - t0, gap, idleGap: longest };
        }, digits);
        times.push(m.ms);
        gaps.push(m.gap);
        idle.push(m.idleGap);
        await context.close();
      }
      const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
      rows.push(
        `| ${size} | ${(median(times) / 1000).toFixed(2)} s | ${
          (Math.max(...times) / 1000).toFixed(2)
        } s | ${Math.max(...gaps).toFixed(0)} ms | ${Math.max(...idle).toFixed(0)} ms |`,
      );
      console.log(rows.at(-1));
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const version = (await browser.version?.()) ?? "";
  return `Personalising in headless Chromium ${version} (the app's worker, first training on the page, so the rehearsal digits' features are computed too; ${runs} runs each; target ≤ 10 s and a longest frame gap ≤ 50 ms):

| user's digits | median | slowest | longest frame gap | same, page idle |
| --- | --- | --- | --- | --- |
${rows.join("\n")}
`;
}
