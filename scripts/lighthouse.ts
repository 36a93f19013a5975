/**
 * Lighthouse scores of the app (`deno task lighthouse`): a production build,
 * the real server, Lighthouse from npm with Debian's Chromium, on `/`,
 * `/history` and `/about`, phone and desktop. Writes the table into the PWA
 * section of BENCHMARKS.md (`--no-write` to only print it).
 */
import { build } from "../framework/build.ts";
import { startTestServer } from "../tests/helpers/server.ts";
import { lighthouse as runLighthouse } from "./lighthouse_runner.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const CATEGORIES = ["accessibility", "best-practices"];
const PAGES = ["/", "/history", "/about"];
const SECTION_START = "## PWA";

const score = (s: number | null) => (s === null ? "n/a" : String(Math.round(s * 100)));

await build({ root: ROOT });
const server = await startTestServer(ROOT);
const rows: string[] = [];
const failing = new Set<string>();
try {
  for (const path of PAGES) {
    for (const desktop of [false, true]) {
      const report = await runLighthouse(server.url + path, desktop, CATEGORIES);
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
