/**
 * Shared set-up of the recognizer's browser tests: one production build per
 * test run, the real server, headless Chromium, and the home page opened
 * with the engine ready.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { buildOnce, ROOT } from "../helpers/build.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { startPageServer, type TestServer } from "../helpers/server.ts";

/** A running app with a browser and a page on the home page, engine ready. */
export interface RecognizerSession {
  server: TestServer;
  browser: Browser;
  page: Page;
  /** Uncaught page errors seen so far. */
  errors: string[];
}

/**
 * Builds, serves, launches Chromium (with `args`), opens `/` + `query` and
 * waits until the first prediction is possible (or `waitFor`); runs `fn`;
 * checks the page threw nothing; cleans up.
 */
export async function withRecognizer(
  fn: (s: RecognizerSession) => Promise<void>,
  options: {
    args?: string[];
    query?: string;
    viewport?: { width: number; height: number };
    /** A script run in the page before any of the app's (to break or fake browser APIs). */
    init?: () => void;
    /** Called before navigation (e.g. to intercept requests). */
    before?: (page: Page) => Promise<void>;
    /** What to wait for after navigation (default: the engine is ready). */
    waitFor?: string;
  } = {},
): Promise<void> {
  await buildOnce();
  const server = await startPageServer(ROOT);
  const browser = await launchBrowser(options.args ?? []);
  try {
    const page = await browser.newPage({
      viewport: options.viewport ?? { width: 1280, height: 900 },
    });
    if (options.init) await page.addInitScript(options.init);
    await options.before?.(page);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(server.url + "/" + (options.query ?? ""));
    await page.waitForSelector(options.waitFor ?? "html[data-recognizer-ready]", {
      timeout: 60_000,
    });
    await fn({ server, browser, page, errors });
    assert.deepEqual(errors, [], "no uncaught errors in the page");
  } finally {
    await browser.close();
    await server.close();
  }
}

/** Waits until `count` result cards are finished (read or refused) and returns their data. */
export async function settledResults(
  page: Page,
  count: number,
): Promise<{ state: string; digit: string; confidence: number; text: string }[]> {
  await page.waitForFunction(
    (n) =>
      document.querySelectorAll(
        "[data-testid=results] .rz-result[data-state=done], [data-testid=results] .rz-result[data-state=error]",
      ).length >= n,
    count,
    { timeout: 60_000 },
  );
  return await page.$$eval("[data-testid=results] .rz-result", (els) =>
    els.map((e) => ({
      state: e.getAttribute("data-state") ?? "",
      digit: e.getAttribute("data-digit") ?? "",
      confidence: Number(e.getAttribute("data-confidence")),
      text: (e as HTMLElement).innerText,
    })));
}

/** Draws a 7 on the drawing pad with the mouse (the pad must be on screen). */
export async function drawSeven(page: Page): Promise<void> {
  const box = (await page.locator("[data-testid=drawing-pad]").boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.2, { steps: 8 });
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.85, { steps: 8 });
  await page.mouse.up();
}

/** Drags the mouse through `points` given in pad pixels (0..280). */
export async function stroke(page: Page, points: [number, number][]) {
  const box = (await page.locator("[data-testid=drawing-pad]").boundingBox())!;
  const at = ([x, y]: [number, number]) =>
    [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height] as const;
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 4 });
  await page.mouse.up();
}
