/**
 * The precache list of a build: the server-rendered pages, every static file
 * and the scripts every visit runs (the page runtime, the islands, the
 * recognition worker and the chunks they import statically), each with a
 * revision. Not precached: what depends on the device or is large, fetched
 * on demand and kept by the service worker once used (sw/sw.ts): the
 * TensorFlow.js backends' chunks (dynamic imports), the WASM builds, the
 * model, and the personal model's rehearsal digits (static/personal/, fetched
 * once the user labels a first digit, so that personalising works offline). It runs after each build, so the list always names the chunks that
 * build emitted.
 */
import { join } from "node:path";
import { walkFiles } from "../framework/static_files.ts";
import { JS_PREFIX } from "../framework/build.ts";
import type { BuildManifest } from "../framework/types.ts";
import { ON_DEMAND } from "./on_demand.ts";

/** One precached URL; `revision: null` for URLs whose name already changes with the content. */
export interface PrecacheEntry {
  url: string;
  revision: string | null;
}

/** Inputs of {@link collectPrecacheEntries}. */
export interface PrecacheSources {
  /** The build's output folder served at `/` (wins over `staticDir` for the same URL). */
  staticOutDir: string;
  /** The app's `static/` folder. */
  staticDir: string;
  /** Pages to precache as rendered by the server, e.g. `/`, `/history`. */
  pages: string[];
  /** Revision of the pages: they embed the bundle URLs, which change with every build. */
  buildId: string;
  /** The build's entries: only scripts they import statically are precached (default: all). */
  manifest?: BuildManifest;
}

/** Files never precached: the worker itself, source maps, hidden files. */
const SKIP = /(^\/sw\.js$)|(\.map$)|(\/\.)/;

/** Static imports of an esbuild ESM bundle (`import"./x.js"`, `from"./x.js"`; not `import("./x.js")`). */
const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*"\.\/([^"]+\.js)"/g;

/** Dynamic imports (`import("./x.js")`). */
const DYNAMIC_IMPORT = /\bimport\("\.\/([^"]+\.js)"\)/g;

/**
 * The bundle URLs the manifest's entries load, following static imports, and
 * the islands' own lazy parts (an island file's dynamic imports: the service
 * worker registration, the history export, the recognizer's page fallback).
 * The recognition worker's backends are dynamic imports deeper down: not followed.
 */
async function staticallyLoaded(
  staticOutDir: string,
  manifest: BuildManifest,
): Promise<Set<string>> {
  const seen = new Set<string>();
  const visit = async (url: string, lazyToo: boolean) => {
    if (seen.has(url)) return;
    seen.add(url);
    const code = await Deno.readTextFile(join(staticOutDir, url));
    for (const [, rel] of code.matchAll(STATIC_IMPORT)) await visit(JS_PREFIX + rel, false);
    if (!lazyToo) return;
    for (const [, rel] of code.matchAll(DYNAMIC_IMPORT)) await visit(JS_PREFIX + rel, false);
  };
  for (const [name, url] of Object.entries(manifest.entries)) {
    await visit(url, name.startsWith("island-"));
  }
  return seen;
}

async function revisionOf(file: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(file)));
  return [...digest.subarray(0, 10)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Lists every URL the offline app needs, sorted, with revisions from file contents. */
export async function collectPrecacheEntries(sources: PrecacheSources): Promise<PrecacheEntry[]> {
  const byUrl = new Map<string, PrecacheEntry>();
  const scripts = sources.manifest
    ? await staticallyLoaded(sources.staticOutDir, sources.manifest)
    : undefined;
  // The static folder first, so build output replaces a file of the same URL.
  for (const dir of [sources.staticDir, sources.staticOutDir]) {
    for (const rel of await walkFiles(dir)) {
      const url = "/" + rel;
      if (SKIP.test(url) || ON_DEMAND.test(url)) continue;
      if (scripts && url.startsWith(JS_PREFIX) && !scripts.has(url)) continue;
      // Bundles have content-hashed names: the URL is the revision.
      const revision = url.startsWith(JS_PREFIX) ? null : await revisionOf(join(dir, rel));
      byUrl.set(url, { url, revision });
    }
  }
  for (const url of sources.pages) byUrl.set(url, { url, revision: sources.buildId });
  return [...byUrl.values()].sort((a, b) => a.url.localeCompare(b.url));
}
