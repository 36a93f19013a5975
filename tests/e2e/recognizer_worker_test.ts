/**
 * Browser end to end: recognition runs in the module worker, and where a
 * browser lacks module workers or OffscreenCanvas, on the page itself, with
 * the same results.
 */
import assert from "node:assert/strict";
import { fixturePath } from "../fixtures/photos.ts";
import { drawSeven, settledResults, withRecognizer } from "./recognizer_helpers.ts";

const threadOf = (page: import("playwright-core").Page) =>
  // deno-lint-ignore no-explicit-any
  page.evaluate(() => (globalThis as any).digitRecognizer.thread());

Deno.test("recognizer - decoding, preprocessing and the model run in the recognition worker", async () => {
  await withRecognizer(async ({ page }) => {
    assert.equal(await threadOf(page), "worker");
    assert.equal(page.workers().length, 1, "one recognition worker");
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_3_large.jpg"));
    const [result] = await settledResults(page, 1);
    assert.equal(result.digit, "3");
    // The page never loaded the model runner: tfjs lives in the worker only.
    const pageHasTf = await page.evaluate(() =>
      performance.getEntriesByType("resource").some((e) => /tfjs|wasm$/.test(e.name))
    );
    assert.equal(pageHasTf, false, "no backend code or .wasm fetched by the page itself");
  });
});

Deno.test("recognizer - without module workers or OffscreenCanvas the page reads images itself", async () => {
  await withRecognizer(async ({ page }) => {
    assert.equal(await threadOf(page), "page");
    assert.equal(page.workers().length, 0, "no worker started");
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_3_large.jpg"));
    const [result] = await settledResults(page, 1);
    assert.equal(result.state, "done");
    assert.equal(result.digit, "3");
    await page.click("#rz-tab-draw");
    await drawSeven(page);
    await page.waitForSelector("[data-testid=draw-result][data-state=done]", { timeout: 30_000 });
    assert.equal(
      await page.locator("[data-testid=draw-result]").getAttribute("data-digit"),
      "7",
    );
  }, {
    init: () => {
      // As an older browser: no OffscreenCanvas, and workers without `type: "module"`.
      // deno-lint-ignore no-explicit-any
      delete (globalThis as any).OffscreenCanvas;
    },
  });
});
