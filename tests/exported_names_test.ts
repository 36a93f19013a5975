/**
 * One name, one thing: no two modules export the same name for different
 * things (two `RecognizeOptions`, two `ProbabilityBars`…), so a name found in
 * one file means the same in every other. Names that are a convention of a
 * module's kind are exempt: a route's `handler`, a backend's `KERNELS`, and
 * the framework test fixture app's pages mirroring the real app's.
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;
const SKIP_DIRS = new Set(["node_modules", "_fresh", ".git", ".tmp", "static"]);
const CONVENTIONS = new Set(["handler", "KERNELS"]);
/**
 * Modules that repeat another's names on purpose: the recognition worker's
 * page-side client mirrors the engine's API, and the reference stages are the
 * slow originals the fast ones are compared with bit for bit.
 */
const MIRRORS = new Set(["lib/browser/recognizer_client.ts", "tests/helpers/reference_stages.ts"]);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of Deno.readDirSync(dir)) {
    if (SKIP_DIRS.has(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory) sourceFiles(path, out);
    else if (/\.tsx?$/.test(e.name) && !/_test\.tsx?$/.test(e.name)) out.push(path);
  }
  return out;
}

Deno.test("exported names - no name is exported by two modules", () => {
  const owners = new Map<string, string[]>();
  const declaration =
    /^export\s+(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|var|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm;
  for (const file of sourceFiles(ROOT)) {
    const rel = relative(ROOT, file);
    if (rel.startsWith("tests/fixtures/app/") || MIRRORS.has(rel)) continue;
    for (const m of Deno.readTextFileSync(file).matchAll(declaration)) {
      if (CONVENTIONS.has(m[1])) continue;
      owners.set(m[1], [...owners.get(m[1]) ?? [], rel]);
    }
  }
  assert.ok(owners.size > 200, `only ${owners.size} exported names found`);
  const twice = [...owners].filter(([, files]) => files.length > 1).map(([n, f]) =>
    `${n}: ${f.join(", ")}`
  );
  assert.deepEqual(twice, []);
});
