/**
 * Shared set-up of the PWA tests: one production build per test process, the
 * real server, headless Chromium with a fresh profile, and the app's own
 * browser modules available in every page as `window.pwaTest` (see
 * page_modules.ts; CSP is bypassed for that injected script only).
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { buildOnce, ROOT } from "../helpers/build.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { startPageServer, type TestServer } from "../helpers/server.ts";
import { pageModulesScript } from "./page_modules.ts";

/** What a PWA test gets. */
export interface AppSession {
  server: { url: string };
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors so far. */
  errors: string[];
}

/** Builds, serves, opens a browser context with `pwaTest` in every page, runs `fn`, cleans up. */
export async function withApp(
  fn: (s: AppSession) => Promise<void>,
  options: { context?: BrowserContextOptions; server?: { url: string } } = {},
): Promise<void> {
  await buildOnce();
  const own: TestServer | undefined = options.server ? undefined : await startPageServer(ROOT);
  const server = options.server ?? own!;
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({
      bypassCSP: true,
      viewport: { width: 1000, height: 800 },
      ...options.context,
    });
    await context.addInitScript({ content: await pageModulesScript() });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await fn({ server, browser, context, page, errors });
  } finally {
    await browser.close();
    await own?.close();
  }
}

/**
 * Waits until a service worker is active and controls `page` (the first one
 * claims its page) and, on a page with the recognizer, has kept the files
 * recognition fetched on demand (backend code, WASM build, model).
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true })
      );
    }
  });
  if (await page.$("#recognizer")) {
    await page.waitForSelector("html[data-offline-ready]", { state: "attached", timeout: 60_000 });
  }
}

/** Every URL (path + query) in the page origin's caches: precache and files kept on demand. */
export function cachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) {
        const url = new URL(req.url);
        urls.push(url.pathname + url.search);
      }
    }
    return urls;
  });
}

/** The URLs (path + query) in the Workbox precache of the page's origin. */
export function precachedUrls(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      if (!name.includes("precache")) continue;
      for (const req of await (await caches.open(name)).keys()) {
        const url = new URL(req.url);
        urls.push(url.pathname + url.search);
      }
    }
    return urls;
  });
}

/**
 * A handwritten-looking digit drawn with thick round strokes on white, as
 * PNG bytes (made in the page's canvas).
 */
export async function digitPng(page: Page, digit: "7" | "1" = "7"): Promise<Uint8Array> {
  const base64 = await page.evaluate(async (d) => {
    const canvas = document.createElement("canvas");
    canvas.width = 280;
    canvas.height = 280;
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 280, 280);
    ctx.strokeStyle = "#111";
    ctx.lineWidth = 22;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.beginPath();
    if (d === "7") {
      ctx.moveTo(80, 70);
      ctx.lineTo(200, 70);
      ctx.lineTo(120, 220);
    } else {
      ctx.moveTo(140, 60);
      ctx.lineTo(140, 220);
    }
    ctx.stroke();
    const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), "image/png"));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  }, digit);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
