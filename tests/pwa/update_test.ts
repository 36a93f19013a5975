/** Updates: a new deployment is found on the next visit, offered as "reload", and leaves the history alone. */
import assert from "node:assert/strict";
import { build } from "../../framework/build.ts";
import { freePort } from "../helpers/server.ts";
import { precachedUrls, waitForServiceWorker, withApp } from "./helpers.ts";
import { buildOnce, ROOT } from "../helpers/build.ts";
import { addEntriesInPage } from "./page_modules.ts";

/** The app's server on a fixed port (the origin, hence the service worker, must stay the same). */
async function serveOn(port: number): Promise<{ url: string; close(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ROOT + "main.ts"],
    cwd: ROOT,
    env: { PORT: String(port) },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000;;) {
    try {
      await (await fetch(url + "/__ready_probe__")).body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error("the server did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async close() {
      try {
        child.kill("SIGTERM");
      } catch { /* already stopped */ }
      await child.status;
    },
  };
}

const pageRevision = (urls: string[]) =>
  urls.find((u) => u.startsWith("/history?"))?.replace(/^.*__WB_REVISION__=/, "");

Deno.test("update - a new build is offered as 'new version: reload', then served; the old cache goes, the history stays", async () => {
  await buildOnce();
  const port = freePort();
  let server = await serveOn(port);
  try {
    await withApp(async ({ page, errors }) => {
      await page.goto(server.url + "/history");
      await waitForServiceWorker(page);
      await page.evaluate(addEntriesInPage, [{ digits: "8" }, { digits: "13" }]);
      await page.waitForSelector(".history-item >> nth=1");
      const before = pageRevision(await precachedUrls(page));
      assert.ok(before);

      // Deploy: a new build, the server restarted on the same origin.
      await server.close();
      const manifest = await build({ root: ROOT });
      server = await serveOn(port);
      assert.equal(manifest.buildId === before, false);

      await page.reload();
      await page.waitForSelector("[data-status=update]", { timeout: 30_000 });
      assert.match(await page.textContent("[data-status=update]") ?? "", /new version/i);
      await Promise.all([
        page.waitForEvent("load"),
        page.click("[data-status=update] >> text=Reload"),
      ]);
      await page.waitForSelector(".history-item >> nth=1");
      assert.equal(await page.locator("[data-status=update]").count(), 0);

      const after = await precachedUrls(page);
      assert.equal(pageRevision(after), manifest.buildId, "the new pages are cached");
      assert.ok(!after.some((u) => u.includes(before!)), "the old revisions are gone");
      const scripts = await page.$$eval(
        "link[rel=modulepreload]",
        (links) => links.map((l) => new URL((l as HTMLLinkElement).href).pathname),
      );
      const built = new Set(Object.values(manifest.entries));
      assert.ok(scripts.some((s) => built.has(s)), "the page runs the new build's bundles");
      const labels = await page.$$eval(
        ".history-item",
        (els) => els.map((e) => e.getAttribute("data-label")),
      );
      assert.deepEqual(labels, ["8", "13"], "the history is untouched by the update");
      assert.deepEqual(errors, []);
    }, {
      server: {
        get url() {
          return server.url;
        },
      },
    });
  } finally {
    await server.close();
  }
});
