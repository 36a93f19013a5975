/**
 * Builds /sw.js after the app's build (fresh.config.ts `afterBuild`): bundles
 * sw/sw.ts with esbuild as a classic script, with the build's precache list
 * injected. In dev mode it writes a worker that removes itself instead, so
 * caching never hides a change while developing.
 */
import * as esbuild from "esbuild";
import { join } from "node:path";
import type { BuildResult } from "../framework/build.ts";
import { collectPrecacheEntries } from "./precache_entries.ts";

/** The pages precached for offline use. */
export const PRECACHED_PAGES = ["/", "/history", "/about"];

/** Where the precache list is also written, for tests and inspection (not served). */
export const PRECACHE_LIST_FILE = "precache.json";

// Unregisters itself and drops the caches: a dev build must always show the latest code.
const DEV_WORKER = `self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const key of await caches.keys()) await caches.delete(key);
  await self.registration.unregister();
})()));
`;

/** Writes `sw.js` into the build's static output (and the precache list beside the manifest). */
export async function buildServiceWorker(result: BuildResult): Promise<void> {
  const target = join(result.staticOutDir, "sw.js");
  if (result.dev) {
    await Deno.writeTextFile(target, DEV_WORKER);
    return;
  }
  const entries = await collectPrecacheEntries({
    staticOutDir: result.staticOutDir,
    staticDir: join(result.root, "static"),
    pages: PRECACHED_PAGES,
    buildId: result.manifest.buildId,
    manifest: result.manifest,
  });
  try {
    await esbuild.build({
      entryPoints: [join(result.root, "sw", "sw.ts")],
      outfile: target,
      bundle: true,
      format: "iife",
      platform: "browser",
      target: ["es2020"],
      minify: true,
      absWorkingDir: result.root,
      logLevel: "silent",
      define: {
        "process.env.NODE_ENV": '"production"',
        "self.__WB_MANIFEST": JSON.stringify(entries),
      },
    });
  } finally {
    await esbuild.stop();
  }
  await Deno.writeTextFile(
    join(result.staticOutDir, "..", PRECACHE_LIST_FILE),
    JSON.stringify(entries, null, 2),
  );
}
