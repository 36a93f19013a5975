/**
 * lib/core/ is shared by the browser, the server, the CLI and training, so its
 * modules may use only the language, web-standard APIs every one of them has
 * (fetch, TextDecoder, crypto…) and pure libraries: no DOM, no Deno, no
 * framework, and nothing from the layers above it. This test reads every
 * non-test module's source: its import specifiers, and its identifiers
 * outside comments and strings.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const CORE = dirname(fileURLToPath(import.meta.url));

/** npm packages lib/core may import: pure computation that runs everywhere. */
const PURE_PACKAGES = ["@tensorflow/tfjs-core"];

/** Globals that exist only in a browser page or worker, or only in one runtime. */
const FORBIDDEN_GLOBALS = [
  "document",
  "window",
  "self",
  "navigator",
  "location",
  "localStorage",
  "sessionStorage",
  "indexedDB",
  "caches",
  "Image",
  "ImageData",
  "ImageBitmap",
  "createImageBitmap",
  "OffscreenCanvas",
  "CanvasRenderingContext2D",
  "OffscreenCanvasRenderingContext2D",
  "WebGLRenderingContext",
  "WebGL2RenderingContext",
  "Worker",
  "postMessage",
  "importScripts",
  "requestAnimationFrame",
  "matchMedia",
  "Deno",
  "process",
  "Bun",
  "require",
  "__dirname",
];
/** HTMLElement, HTMLCanvasElement, SVGElement, … */
const FORBIDDEN_PATTERN = /^(HTML|SVG)\w*Element$|^Element$|^Node$|^Event$|^EventTarget$/;

/** Source split into code without comments (strings kept) and code without comments or strings. */
export function stripSource(src: string): { code: string; bare: string } {
  let code = "", bare = "";
  // Template literals nest through ${…}: a stack of brace depths at which a template resumes.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const emit = (s: string, inBare: string) => {
    code += s;
    bare += inBare;
  };
  const readString = (quote: string) => {
    let j = i + 1;
    while (j < src.length && src[j] !== quote && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
    emit(src.slice(i, j + 1), " ");
    i = j + 1;
  };
  const readTemplate = () => {
    // From i (just after ` or }) to the closing ` or the next ${.
    let j = i;
    while (j < src.length && src[j] !== "`" && !(src[j] === "$" && src[j + 1] === "{")) {
      j += src[j] === "\\" ? 2 : 1;
    }
    emit(src.slice(i, j), " ");
    if (src[j] === "`") {
      emit("`", " ");
      i = j + 1;
    } else {
      emit("${", " ");
      templates.push(depth);
      depth++;
      i = j + 2;
    }
  };
  while (i < src.length) {
    const c = src[i], n = src[i + 1];
    if (c === "/" && n === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && n === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
      emit(" ", " ");
    } else if (c === '"' || c === "'") {
      readString(c);
    } else if (c === "`") {
      emit("`", " ");
      i++;
      readTemplate();
    } else if (c === "{") {
      depth++;
      emit(c, c);
      i++;
    } else if (c === "}") {
      depth--;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        emit("}", " ");
        i++;
        readTemplate();
      } else {
        emit(c, c);
        i++;
      }
    } else {
      emit(c, c);
      i++;
    }
  }
  return { code, bare };
}

/** Every module specifier: static imports and re-exports, side-effect imports, dynamic import(). */
export function importSpecifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;'"`]*?\bfrom\s*(["'])([^"'\n]+)\1/g,
    /\bimport\s*(["'])([^"'\n]+)\1/g,
    /\bimport\s*\(\s*(["'])([^"'\n]+)\1/g,
  ];
  for (const p of patterns) for (const m of code.matchAll(p)) found.push(m[2]);
  // import(variable) cannot be checked: refuse it.
  for (const m of code.matchAll(/\bimport\s*\(\s*([^"'\s)])/g)) found.push(`<dynamic ${m[1]}…>`);
  return found;
}

/** Forbidden globals used in code without comments or strings (property names excepted). */
export function forbiddenGlobals(bare: string): string[] {
  const found = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_$][\w$]*/g)) {
    const name = m[0];
    if (!FORBIDDEN_GLOBALS.includes(name) && !FORBIDDEN_PATTERN.test(name)) continue;
    const before = bare.slice(0, m.index).trimEnd();
    const after = bare.slice(m.index! + name.length).trimStart();
    // obj.document is a property, unless obj is the global object itself.
    if (before.endsWith(".") && !/\bglobalThis\s*\.$/.test(before)) continue;
    // An object key or an optional property in a type: { document: … }, { window?: … }.
    if (/^\??:/.test(after) && /[{,;]$/.test(before)) continue;
    found.add(name);
  }
  return [...found];
}

/** Why a specifier is not allowed in lib/core, or undefined when it is. */
function badImport(file: string, spec: string): string | undefined {
  if (spec.startsWith(".")) {
    const target = resolve(dirname(file), spec);
    if (relative(CORE, target).startsWith("..")) {
      return `imports ${spec}, outside lib/core`;
    }
    if (/_test\.ts$/.test(target)) return `imports the test module ${spec}`;
    return undefined;
  }
  if (PURE_PACKAGES.includes(spec)) return undefined;
  return `imports ${spec} (only lib/core modules and ${PURE_PACKAGES.join(", ")} are allowed)`;
}

/** The problems of one module's source (empty when it is pure). */
export function impurities(file: string, src: string): string[] {
  const { code, bare } = stripSource(src);
  const problems = importSpecifiers(code)
    .map((spec) => badImport(file, spec))
    .filter((p): p is string => !!p);
  for (const g of forbiddenGlobals(bare)) problems.push(`uses the global ${g}`);
  return problems;
}

function coreModules(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) walk(path);
      else if (/\.tsx?$/.test(e.name) && !/_test\.tsx?$/.test(e.name)) files.push(path);
    }
  };
  walk(CORE);
  return files.sort();
}

Deno.test("lib/core purity - no module imports DOM, Deno, framework, UI, browser, server or training code", () => {
  const modules = coreModules();
  assert.ok(modules.length >= 10, `only ${modules.length} modules found in ${CORE}`);
  const report = modules.flatMap((file) =>
    impurities(file, Deno.readTextFileSync(file)).map((p) => `${relative(CORE, file)}: ${p}`)
  );
  assert.deepEqual(report, []);
});

Deno.test("lib/core purity - the check catches what it is meant to catch", () => {
  const file = join(CORE, "example.ts");
  const bad = [
    ['import { h } from "preact";', /imports preact/],
    ['import { serve } from "../server/x.ts";', /outside lib\/core/],
    ['export { a } from "../../training/augment.ts";', /outside lib\/core/],
    ['import "../../islands/Recognizer.tsx";', /outside lib\/core/],
    ['const m = await import("../browser/engine.ts");', /outside lib\/core/],
    ['import type { PageProps } from "@/framework/types.ts";', /imports @\/framework/],
    ['import { readFile } from "node:fs";', /imports node:fs/],
    ["const x = await Deno.readFile(p);", /global Deno/],
    ["const c = document.createElement('canvas');", /global document/],
    ["const c = new OffscreenCanvas(28, 28);", /global OffscreenCanvas/],
    ["function f(el: HTMLCanvasElement) {}", /global HTMLCanvasElement/],
    ["const s = globalThis.localStorage;", /global localStorage/],
    ["const x = `${navigator.userAgent}`;", /global navigator/],
    ["const db = indexedDB.open('x');", /global indexedDB/],
  ] as const;
  for (const [src, expected] of bad) {
    const problems = impurities(file, src);
    assert.ok(problems.some((p) => expected.test(p)), `${src} → ${JSON.stringify(problems)}`);
  }
  const fine = [
    'import * as tf from "@tensorflow/tfjs-core";',
    'import { resample } from "./resample.ts";',
    "// document.body is where the browser puts it; Deno.readFile would not do",
    "/* window */ const s = 'the window of a document';",
    "const t = `a ${'document'} in a template`;",
    "const o = { document: 1, window: 2 }; const d = o.document;",
    "interface P { navigator?: string }",
    "const r = await fetch(url); const text = new TextDecoder().decode(bytes);",
  ];
  for (const src of fine) assert.deepEqual(impurities(file, src), [], src);
});

Deno.test("lib/server layering - no module imports the framework, UI, browser or training code", () => {
  const server = resolve(CORE, "../server");
  const root = resolve(CORE, "../..");
  const above = ["framework", "routes", "islands", "components", "lib/browser", "training", "sw"];
  // Known exception, to be moved into lib/server: the HTTP listener's connection limits and
  // client address (framework/http_server.ts) are read by limits.ts and predict_api.ts.
  const allowed = new Set(["framework/http_server.ts"]);
  const report: string[] = [];
  for (const e of Deno.readDirSync(server)) {
    if (!/\.tsx?$/.test(e.name) || /_test\.tsx?$/.test(e.name)) continue;
    const file = join(server, e.name);
    const { code } = stripSource(Deno.readTextFileSync(file));
    for (const spec of importSpecifiers(code)) {
      const target = spec.startsWith(".")
        ? relative(root, resolve(server, spec))
        : spec.replace(/^@\//, "");
      if (allowed.has(target)) continue;
      if (above.some((dir) => target === dir || target.startsWith(`${dir}/`))) {
        report.push(`lib/server/${e.name}: imports ${spec}`);
      }
      if (/^(npm:)?(hono|preact)/.test(spec)) report.push(`lib/server/${e.name}: imports ${spec}`);
    }
  }
  assert.deepEqual(report, []);
});
