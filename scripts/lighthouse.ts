/**
 * Lighthouse scores of the app (`deno task lighthouse`): a production build,
 * the real server, Lighthouse from npm with Debian's Chromium, on `/`,
 * `/history` and `/about`, phone and desktop. Writes the table into the PWA
 * section of BENCHMARKS.md (`--no-write` to only print it).
 */
import { build } from "../framework/build.ts";
import { CHROMIUM } from "../tests/ensure_browser.ts";
import { startTestServer } from "../tests/helpers/server.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const LIGHTHOUSE = "npm:lighthouse@13.5.0";
const CATEGORIES = ["accessibility", "best-practices"];
const PAGES = ["/", "/history", "/about"];
const SECTION_START = "## PWA";

interface Report {
  categories: Record<string, { title: string; score: number | null }>;
  audits: Record<string, { title: string; score: number | null; scoreDisplayMode: string }>;
}

/** Runs the Lighthouse CLI once; `desktop` selects its desktop preset. */
async function lighthouse(url: string, desktop: boolean): Promise<Report> {
  const dir = await Deno.makeTempDir({ prefix: "lighthouse_" });
  const out = `${dir}/report.json`;
  // Outside the project, without its lockfile: Lighthouse is a tool here, not a dependency.
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-lock",
      "--node-modules-dir=none",
      LIGHTHOUSE,
      url,
      `--only-categories=${CATEGORIES.join(",")}`,
      "--output=json",
      `--output-path=${out}`,
      "--quiet",
      "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
      ...(desktop ? ["--preset=desktop"] : []),
    ],
    cwd: dir,
    env: { CHROME_PATH: CHROMIUM },
    stdout: "null",
    stderr: "piped",
  }).output();
  try {
    if (!success) {
      throw new Error(`Lighthouse failed on ${url}:\n${new TextDecoder().decode(stderr)}`);
    }
    return JSON.parse(await Deno.readTextFile(out));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const score = (s: number | null) => (s === null ? "n/a" : String(Math.round(s * 100)));

await build({ root: ROOT });
const server = await startTestServer(ROOT);
const rows: string[] = [];
const failing = new Set<string>();
try {
  for (const path of PAGES) {
    for (const desktop of [false, true]) {
      const report = await lighthouse(server.url + path, desktop);
      const scores = CATEGORIES.map((c) => score(report.categories[c].score));
      rows.push(`| \`${path}\` | ${desktop ? "desktop" : "phone"} | ${scores.join(" | ")} |`);
      console.log(`${path} ${desktop ? "desktop" : "phone"}: ${scores.join(" / ")}`);
      for (const audit of Object.values(report.audits)) {
        if (audit.scoreDisplayMode === "binary" && audit.score === 0) failing.add(audit.title);
      }
    }
  }
} finally {
  await server.close();
}

const date = new Date().toISOString().slice(0, 10);
const section = [
  SECTION_START,
  "",
  `Lighthouse 13.5.0 (npm) with Debian's Chromium, headless, against the production build on`,
  `localhost; written by \`deno task lighthouse\` on ${date}. Phone = Lighthouse's default mobile`,
  `emulation, desktop = its desktop preset.`,
  "",
  "| Page | Form factor | Accessibility | Best practices |",
  "| --- | --- | --- | --- |",
  ...rows,
  "",
  failing.size
    ? `Failing audits: ${[...failing].map((t) => `"${t}"`).join(", ")}.`
    : "No failing audit in these categories.",
  "",
].join("\n");
console.log("\n" + section);

/** The section as `deno fmt` writes Markdown (line width, table padding), so the file stays formatted. */
async function formatted(markdown: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(markdown));
  await writer.close();
  const { success, stdout } = await child.output();
  return success ? new TextDecoder().decode(stdout) : markdown;
}

if (!Deno.args.includes("--no-write")) {
  const file = ROOT + "BENCHMARKS.md";
  const text = await Deno.readTextFile(file);
  const start = text.indexOf(SECTION_START);
  // The section runs to the next "## " heading or the end of the file.
  const next = start < 0 ? -1 : text.indexOf("\n## ", start + SECTION_START.length);
  const body = await formatted(section);
  const updated = start < 0
    ? text.trimEnd() + "\n\n" + body
    : text.slice(0, start) + body + (next < 0 ? "" : "\n" + text.slice(next + 1));
  await Deno.writeTextFile(file, updated);
  console.log("BENCHMARKS.md: PWA section updated");
}
