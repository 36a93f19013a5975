/** Offline: the service worker precaches what the app needs and serves it with the network off. */
import assert from "node:assert/strict";
import { cachedUrls, precachedUrls, waitForServiceWorker, withApp } from "./helpers.ts";
import { ROOT } from "../helpers/build.ts";
import { addEntriesInPage } from "./page_modules.ts";
import { walkFiles } from "../../framework/static_files.ts";

const withoutRevision = (url: string) => url.replace(/\?__WB_REVISION__=[^&]*$/, "");

Deno.test("offline - after one visit the service worker controls the page and holds the pages, the scripts every visit runs, styles, icons, the model with every shard and the one WASM build this device uses", async () => {
  await withApp(async ({ page, server, errors }) => {
    await page.goto(server.url + "/");
    await page.waitForSelector("html[data-recognizer-ready]", { state: "attached" });
    await waitForServiceWorker(page);
    const script = await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);
    assert.equal(script, server.url + "/sw.js");

    const precached = (await precachedUrls(page)).map(withoutRevision);
    const cached = new Set((await cachedUrls(page)).map(withoutRevision));
    const model = JSON.parse(await Deno.readTextFile(ROOT + "static/model/model.json"));
    const shards: string[] = model.weightsManifest.flatMap((g: { paths: string[] }) => g.paths);
    assert.ok(shards.length > 0);
    const list: { url: string }[] = JSON.parse(
      await Deno.readTextFile(ROOT + "_fresh/precache.json"),
    );
    const expected = [
      "/",
      "/history",
      "/about",
      "/styles.css",
      "/favicon.svg",
      "/manifest.webmanifest",
      "/icons/icon-192.png",
      "/icons/maskable-512.png",
      "/recognition-worker.js",
      "/model/model.json",
      ...shards.map((p) => "/model/" + p),
      ...list.map((e) => e.url),
    ];
    const missing = expected.filter((u) => !cached.has(u));
    assert.deepEqual(missing, [], "everything the offline app needs is cached");
    // Only what this device runs: headless Chromium here runs the SIMD build of the WASM backend.
    const wasm = [...cached].filter((u) => u.startsWith("/wasm/"));
    assert.deepEqual(wasm, ["/wasm/tfjs-backend-wasm-simd.wasm"]);
    assert.ok(
      !precached.some((u) => /^\/(wasm|model)\//.test(u)),
      "nothing device-specific precached",
    );
    assert.ok(
      !precached.some((u) => u.startsWith("/personal/")),
      "the personal model's rehearsal digits wait until the user trains one",
    );
    const bundles = (await walkFiles(ROOT + "_fresh/static/_frsh/js")).map((f) => "/_frsh/js/" + f);
    assert.ok(
      bundles.filter((b) => cached.has(b)).length < bundles.length,
      "the backends this device does not run (WebGL, WebGPU, CPU code) are not downloaded",
    );
    assert.deepEqual(errors, []);
  });
});

Deno.test("offline - with the network off, every page loads from the cache, says it is offline without blocking, and the history shows its entries", async () => {
  await withApp(async ({ page, context, server, errors }) => {
    await page.goto(server.url + "/history");
    await waitForServiceWorker(page);
    await page.evaluate(addEntriesInPage, [{ digits: "3" }, { digits: "58" }]);
    await page.waitForSelector(".history-item >> nth=1");

    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector("[data-status=offline]");
    assert.match(await page.textContent("[data-status=offline]") ?? "", /offline/i);
    await page.waitForSelector(".history-item >> nth=1");
    assert.deepEqual(
      await page.$$eval(".history-item", (els) => els.map((e) => e.getAttribute("data-label"))),
      ["3", "58"],
    );

    await page.goto(server.url + "/");
    await page.waitForSelector("html[data-frsh-ready]");
    assert.ok(await page.$("[data-status=offline]"));
    assert.ok(await page.$("input[type=file]"), "the recognizer is there");
    await page.goto(server.url + "/about");
    assert.equal(await page.textContent("h1"), "About");
    // A page that was never precached falls back to the home page rather than an error.
    await page.goto(server.url + "/not-cached-anywhere");
    assert.ok(await page.$("link[rel=manifest]"));

    await context.setOffline(false);
    await page.goto(server.url + "/about");
    await page.waitForSelector("html[data-frsh-ready]");
    assert.equal(
      await page.locator("[data-status=offline]").count(),
      0,
      "the notice goes once back online",
    );
    assert.deepEqual(errors, []);
  });
});
