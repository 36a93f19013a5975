/** The repository root and its production build, shared by the browser test suites. */
import { join } from "node:path";
import { build, OUT_DIR } from "../../framework/build.ts";

/** The repository root. */
export const ROOT = new URL("../../", import.meta.url).pathname;

/** What the build reads: the app's own folders and files (tests, training and docs are not in it). */
const BUILD_INPUTS = [
  "islands",
  "components",
  "lib",
  "framework",
  "routes",
  "static",
  "sw",
  "fresh.config.ts",
  "deno.json",
  "deno.lock",
];

let built: Promise<void> | undefined;

/**
 * The app's production build, once per test process, reused when `_fresh/`
 * already holds a production build newer than every file it is made from:
 * `deno task test` builds once before the tests, and rebuilding in each of
 * some twenty test files cost more than a minute of the suite.
 */
export function buildOnce(): Promise<void> {
  built ??= (async () => {
    if (!(await isCurrent())) await build({ root: ROOT });
  })();
  return built;
}

/** Whether `_fresh/manifest.json` is a production build newer than all of BUILD_INPUTS. */
async function isCurrent(): Promise<boolean> {
  const manifestPath = join(ROOT, OUT_DIR, "manifest.json");
  let builtAt: number;
  try {
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath));
    if (manifest.dev) return false;
    builtAt = (await Deno.stat(manifestPath)).mtime?.getTime() ?? 0;
  } catch {
    return false;
  }
  for (const input of BUILD_INPUTS) {
    if (await newerThan(join(ROOT, input), builtAt)) return false;
  }
  return true;
}

/** Whether `path`, or any file under it, was modified after `time`. */
async function newerThan(path: string, time: number): Promise<boolean> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    return false;
  }
  if (!info.isDirectory) return (info.mtime?.getTime() ?? 0) > time;
  for await (const entry of Deno.readDir(path)) {
    if (await newerThan(join(path, entry.name), time)) return true;
  }
  return false;
}
