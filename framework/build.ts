/**
 * The production build: bundles the browser runtime and one entry per island
 * with esbuild (shared chunks, minified, content-hashed names) and writes the
 * manifest the server reads.
 */
import * as esbuild from "esbuild";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import type { BuildManifest } from "./types.ts";

/** Where the build writes, relative to the app root. */
export const OUT_DIR = "_fresh";
/** URL prefix of bundled scripts. */
export const JS_PREFIX = "/_frsh/js/";

const FRAMEWORK_DIR = fileURLToPath(new URL(".", import.meta.url));

/** Options of one build. */
export interface BuildOptions {
  root: string;
  dev?: boolean;
}

/** What the build has produced, handed to the app's `afterBuild` hook. */
export interface BuildResult {
  root: string;
  /** Folder served at `/`, before `static/`. */
  staticOutDir: string;
  manifest: BuildManifest;
  dev: boolean;
}

/**
 * An app's optional `fresh.config.ts` (default export): extra bundled entry
 * points, files copied into the served output, and a step after the build.
 */
export interface AppBuildConfig {
  /** Extra browser entries, by name; their URLs land in the manifest's `entries`. */
  entries?: Record<string, string>;
  /** URL path (e.g. `/wasm/x.wasm`) → source file relative to the app root. */
  copy?: Record<string, string>;
  afterBuild?: (result: BuildResult) => Promise<void> | void;
}

async function loadAppConfig(root: string): Promise<AppBuildConfig> {
  const file = join(root, "fresh.config.ts");
  if (!existsSync(file)) return {};
  return (await import(pathToFileURL(file).href)).default ?? {};
}

/** Names of the islands in `root/islands`, from their file names. */
export function listIslands(root: string): { name: string; file: string }[] {
  const dir = join(root, "islands");
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile && /\.(tsx|jsx|ts|js)$/.test(e.name) && !/_test\./.test(e.name))
    .map((e) => ({ name: basename(e.name, extname(e.name)), file: join(dir, e.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Resolves the import map of `deno.json` for esbuild: `npm:` specifiers
 * become bare package names found in `node_modules`, `@/` the app root.
 */
function importMapPlugin(root: string): esbuild.Plugin {
  // The app may sit below the project's deno.json (test fixtures do).
  while (!existsSync(join(root, "deno.json")) && dirname(root) !== root) root = dirname(root);
  const config = JSON.parse(Deno.readTextFileSync(join(root, "deno.json")));
  const imports: Record<string, string> = config.imports ?? {};
  const toBare = (target: string) =>
    target.replace(/^npm:\/?/, "").replace(/^(@?[^@/]+(?:\/[^@/]+)?)@[^/]+/, "$1");
  return {
    name: "deno-import-map",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.pluginData === "mapped") return undefined;
        let target: string | undefined;
        if (args.path in imports) target = imports[args.path];
        else {
          const prefix = Object.keys(imports).find((k) =>
            k.endsWith("/") && args.path.startsWith(k)
          );
          if (prefix) target = imports[prefix] + args.path.slice(prefix.length);
        }
        if (target === undefined && !args.path.startsWith("npm:")) return undefined;
        target ??= args.path;
        if (target.startsWith("./")) return { path: resolve(root, target) };
        return build.resolve(toBare(target), {
          kind: args.kind,
          resolveDir: root,
          pluginData: "mapped",
        });
      });
    },
  };
}

/** Bundles islands and runtime into `root/_fresh/static` and writes `_fresh/manifest.json`. */
export async function build(options: BuildOptions): Promise<BuildManifest> {
  const root = resolve(options.root);
  const outDir = join(root, OUT_DIR);
  const staticOut = join(outDir, "static", JS_PREFIX);
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  const config = await loadAppConfig(root);
  const islands = listIslands(root);
  const entryPoints: Record<string, string> = {
    "frsh-runtime": join(FRAMEWORK_DIR, "client.ts"),
    ...Object.fromEntries(islands.map((i) => [`island-${i.name}`, i.file])),
    ...Object.fromEntries(
      Object.entries(config.entries ?? {}).map(([name, file]) => [name, resolve(root, file)]),
    ),
  };
  if (options.dev) entryPoints["frsh-dev"] = join(FRAMEWORK_DIR, "dev_client.ts");
  const result = await esbuild.build({
    entryPoints,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: !options.dev,
    sourcemap: options.dev ? "linked" : false,
    jsx: "automatic",
    jsxImportSource: "preact",
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    outdir: staticOut,
    absWorkingDir: root,
    metafile: true,
    write: true,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": options.dev ? '"development"' : '"production"' },
    plugins: [importMapPlugin(root)],
  });
  await esbuild.stop();

  const manifest: BuildManifest = {
    buildId: crypto.randomUUID(),
    dev: !!options.dev,
    runtime: "",
    islands: {},
    entries: {},
  };
  const url = (out: string) =>
    JS_PREFIX + relative(staticOut, join(root, out)).replaceAll("\\", "/");
  const entries = manifest.entries;
  // Preload every chunk an entry needs, not just its direct imports, to avoid a request waterfall.
  const staticImports = (out: string, seen = new Set<string>()): Set<string> => {
    for (const i of result.metafile.outputs[out]?.imports ?? []) {
      if (i.kind === "import-statement" && !seen.has(i.path)) {
        seen.add(i.path);
        staticImports(i.path, seen);
      }
    }
    return seen;
  };
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const name = Object.keys(entryPoints).find((k) =>
      resolve(root, meta.entryPoint!) === resolve(entryPoints[k])
    );
    if (!name) continue;
    entries[name] = url(out);
    const preload = [...staticImports(out)].map(url);
    if (name.startsWith("island-")) manifest.islands[name.slice(7)] = { src: url(out), preload };
    if (name === "frsh-runtime") manifest.runtime = url(out);
    if (name === "frsh-dev") manifest.devClient = url(out);
  }
  for (const [path, source] of Object.entries(config.copy ?? {})) {
    const target = join(outDir, "static", path);
    await Deno.mkdir(dirname(target), { recursive: true });
    await Deno.copyFile(resolve(root, source), target);
  }
  await config.afterBuild?.({
    root,
    staticOutDir: join(outDir, "static"),
    manifest,
    dev: !!options.dev,
  });
  await Deno.writeTextFile(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return manifest;
}
