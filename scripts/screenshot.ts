/**
 * Screenshots pages at phone and desktop widths, to look at them as a person
 * would: `deno run -A scripts/screenshot.ts [path…]` writes PNGs to docs/.
 */
import { build } from "../framework/build.ts";
import { launchBrowser } from "../tests/helpers/browser.ts";
import { startTestServer } from "../tests/helpers/server.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const paths = Deno.args.length ? Deno.args : ["/"];
await build({ root: ROOT });
const server = await startTestServer(ROOT);
const browser = await launchBrowser();
try {
  await Deno.mkdir(ROOT + "docs", { recursive: true });
  for (const path of paths) {
    for (const width of [360, 1280]) {
      const page = await browser.newPage({ viewport: { width, height: width < 500 ? 780 : 800 } });
      await page.goto(server.url + path, { waitUntil: "networkidle" });
      const name = (path.replace(/\W+/g, "_").replace(/^_|_$/g, "") || "home") + `_${width}.png`;
      await page.screenshot({ path: `${ROOT}docs/${name}`, fullPage: true });
      console.log(`docs/${name}`);
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}
