/**
 * Storage that fails: no IndexedDB (private modes), a database that never
 * opens (blocked by another tab), a full disk. Each gives a clear message
 * and recognition goes on.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { digitPng, withApp } from "./helpers.ts";

async function recogniseUpload(page: Page): Promise<string | null> {
  // A file set before the recognizer hydrates lands on a bare input and is never read.
  await page.waitForSelector("html[data-frsh-ready]");
  await page.setInputFiles("input[type=file]:not([capture]) >> nth=0", {
    name: "seven.png",
    mimeType: "image/png",
    buffer: Buffer.from(await digitPng(page, "7")),
  });
  await page.waitForSelector("[data-state=done][data-digit]", { timeout: 60_000 });
  return await page.getAttribute("[data-state=done][data-digit]", "data-digit");
}

Deno.test("storage - without IndexedDB the history says why, and an upload is still recognised", async () => {
  await withApp(async ({ page, context, server, errors }) => {
    await context.addInitScript(() => {
      Object.defineProperty(globalThis, "indexedDB", { value: undefined, configurable: true });
    });
    await page.goto(server.url + "/history");
    await page.waitForSelector(".history-error");
    assert.match(await page.textContent(".history-error") ?? "", /does not let the app store data/);

    const lookups = await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const api = (globalThis as any).pwaTest;
      const found = await api.findByHash("abc");
      await api.saveEntry({ id: "abc", time: 0, digits: "1" });
      return found === undefined;
    });
    assert.ok(lookups, "findByHash and saveEntry resolve without storage");

    await page.goto(server.url + "/");
    assert.equal(await recogniseUpload(page), "7");
    assert.deepEqual(errors, []);
  });
});

Deno.test("storage - a database that never opens is reported as busy instead of hanging", async () => {
  await withApp(async ({ page, context, server, errors }) => {
    await context.addInitScript(() => {
      // An open request that never settles, as when another tab blocks an upgrade.
      IDBFactory.prototype.open = function () {
        return {} as IDBOpenDBRequest;
      };
    });
    await page.goto(server.url + "/history");
    await page.waitForSelector(".history-error", { timeout: 10_000 });
    assert.match(await page.textContent(".history-error") ?? "", /busy in another tab/);
    assert.deepEqual(errors, []);
  });
});

Deno.test("storage - a full disk: the result is shown and the status line says it was not saved", async () => {
  await withApp(async ({ page, context, server, errors }) => {
    await context.addInitScript(() => {
      IDBObjectStore.prototype.put = function () {
        throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      };
    });
    await page.goto(server.url + "/");
    assert.equal(await recogniseUpload(page), "7");
    await page.waitForSelector("[data-status=storage]");
    assert.match(await page.textContent("[data-status=storage]") ?? "", /storage is full/);
    assert.deepEqual(errors, []);
  });
});
