/**
 * The precache list of a build: every file the build emitted and every
 * static file, each with a revision, plus the server-rendered pages. It runs
 * after each build, so the list always names the chunks that build emitted.
 */
import { join } from "node:path";
import { walkFiles } from "../framework/static_files.ts";
import { JS_PREFIX } from "../framework/build.ts";

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
}

/** Files never precached: the worker itself, source maps, hidden files. */
const SKIP = /(^\/sw\.js$)|(\.map$)|(\/\.)/;

async function revisionOf(file: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(file)));
  return [...digest.subarray(0, 10)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Lists every URL the offline app needs, sorted, with revisions from file contents. */
export async function collectPrecacheEntries(sources: PrecacheSources): Promise<PrecacheEntry[]> {
  const byUrl = new Map<string, PrecacheEntry>();
  // The static folder first, so build output replaces a file of the same URL.
  for (const dir of [sources.staticDir, sources.staticOutDir]) {
    for (const rel of await walkFiles(dir)) {
      const url = "/" + rel;
      if (SKIP.test(url)) continue;
      // Bundles have content-hashed names: the URL is the revision.
      const revision = url.startsWith(JS_PREFIX) ? null : await revisionOf(join(dir, rel));
      byUrl.set(url, { url, revision });
    }
  }
  for (const url of sources.pages) byUrl.set(url, { url, revision: sources.buildId });
  return [...byUrl.values()].sort((a, b) => a.url.localeCompare(b.url));
}
