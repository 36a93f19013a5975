/**
 * Test helper: the app's own browser modules (history store, thumbnails,
 * share inbox) bundled into one script that a test adds to a page, so tests
 * drive real IndexedDB through the same code as the app, as
 * `window.pwaTest.saveEntry(…)` etc.
 */
import * as esbuild from "esbuild";

const ROOT = new URL("../../", import.meta.url).pathname;

const ENTRY = `
export * from "./lib/browser/history_store.ts";
export { makeThumbnail } from "./lib/browser/thumbnail.ts";
export { takeSharedImages, putSharedImages } from "./lib/browser/share_inbox.ts";
export { readHistoryExport } from "./lib/core/history_export.ts";
`;

let cached: string | undefined;

/** The script text; defines `window.pwaTest`. */
export async function pageModulesScript(): Promise<string> {
  if (cached) return cached;
  try {
    const result = await esbuild.build({
      stdin: { contents: ENTRY, resolveDir: ROOT, loader: "ts" },
      bundle: true,
      format: "iife",
      globalName: "pwaTest",
      platform: "browser",
      target: ["es2022"],
      write: false,
      absWorkingDir: ROOT,
      logLevel: "silent",
    });
    // Init scripts may run inside a function: make the global explicit.
    cached = result.outputFiles[0].text + "\nglobalThis.pwaTest = pwaTest;\n";
  } finally {
    await esbuild.stop();
  }
  return cached;
}

/** A history entry as the recognizer would store it, built in the page (see `addEntries`). */
export interface FakeEntry {
  id?: string;
  digits: string;
  confidence?: number;
  source?: "camera" | "upload" | "draw" | "share";
  time?: number;
  correctedLabel?: string;
}

/**
 * Stores entries through the app's history store, each with a real thumbnail
 * of its digits drawn on a canvas (run inside the page: pass to `page.evaluate`).
 */
export async function addEntriesInPage(entries: FakeEntry[]): Promise<string[]> {
  // deno-lint-ignore no-explicit-any
  const api = (globalThis as any).pwaTest;
  const ids: string[] = [];
  for (const [i, e] of entries.entries()) {
    const canvas = document.createElement("canvas");
    canvas.width = 200;
    canvas.height = 200;
    const ctx = canvas.getContext("2d")!;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 200, 200);
    ctx.fillStyle = "#111";
    ctx.font = `bold ${e.digits.length > 2 ? 70 : 140}px sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(e.digits || "?", 100, 108);
    const thumbnail = await api.makeThumbnail(ctx.getImageData(0, 0, 200, 200));
    const id = e.id ?? `test-${Date.now()}-${i}-${Math.random().toString(16).slice(2)}`;
    const probabilities = [...e.digits].map((d) => {
      const p = Array.from({ length: 10 }, (_, k): number => (k === Number(d) ? 0 : 0.02));
      p[Number(d)] = 1 - 0.02 * 9;
      return p;
    });
    await api.saveEntry({
      id,
      time: e.time ?? Date.now() - i * 60_000,
      source: e.source ?? "upload",
      thumbnail,
      digits: e.digits,
      confidence: e.confidence ?? 0.93,
      probabilities,
      backend: "wasm",
      modelVersion: "test-model",
      ...(e.correctedLabel ? { correctedLabel: e.correctedLabel } : {}),
    });
    ids.push(id);
  }
  return ids;
}
