/**
 * Runs the Lighthouse CLI (npm) with Debian's Chromium, outside the project
 * (no lockfile: Lighthouse is a tool here, not a dependency). Used by
 * `deno task lighthouse` and the browser speed benchmark.
 */
import { CHROMIUM } from "../tests/ensure_browser.ts";

const LIGHTHOUSE = "npm:lighthouse@13.5.0";

/** The parts of Lighthouse's JSON report read here. */
export interface LighthouseReport {
  categories: Record<string, { title: string; score: number | null }>;
  audits: Record<
    string,
    { title: string; score: number | null; scoreDisplayMode: string; numericValue?: number }
  >;
}

/** Runs the Lighthouse CLI once on `categories`; `desktop` selects its desktop preset. */
export async function lighthouse(
  url: string,
  desktop: boolean,
  categories: string[],
): Promise<LighthouseReport> {
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
      `--only-categories=${categories.join(",")}`,
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
