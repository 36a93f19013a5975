/** Browser end to end: the backend choice, tensor hygiene and run-time fallback. */
import assert from "node:assert/strict";
import { fixturePath } from "../fixtures/photos.ts";
import { settledResults, withRecognizer } from "./recognizer_helpers.ts";

Deno.test("recognizer - on a headless machine without a GPU the backend is wasm", async () => {
  await withRecognizer(async ({ page }) => {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.backend), "wasm");
    assert.match(await page.locator("[data-testid=engine-status]").innerText(), /WebAssembly/);
  });
});

Deno.test("recognizer - 100 predictions leave tf.memory().numTensors unchanged", async () => {
  await withRecognizer(async ({ page }) => {
    const counts = await page.evaluate(async () => {
      // A "7" drawn on a canvas, recognised 100 times through the same path as the UI.
      const c = document.createElement("canvas");
      c.width = c.height = 200;
      const ctx = c.getContext("2d")!;
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, 200, 200);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 14;
      ctx.beginPath();
      ctx.moveTo(50, 40);
      ctx.lineTo(150, 40);
      ctx.lineTo(90, 170);
      ctx.stroke();
      const pixels = ctx.getImageData(0, 0, 200, 200);
      // deno-lint-ignore no-explicit-any
      const d = (globalThis as any).digitRecognizer;
      await d.recognize(pixels); // One run to settle anything lazily created.
      const before = await d.numTensors();
      let digits = "";
      for (let i = 0; i < 100; i++) digits = (await d.recognize(pixels)).digits;
      return { before, after: await d.numTensors(), digits };
    });
    assert.equal(counts.digits, "7");
    assert.equal(counts.after, counts.before, `tensors ${counts.before} → ${counts.after}`);
  });
});

Deno.test("recognizer - when the backend breaks, the next one reads the same image", async () => {
  await withRecognizer(async ({ page }) => {
    await page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      return (globalThis as any).digitRecognizer.simulateBackendLoss();
    });
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_3_large.jpg"));
    const [result] = await settledResults(page, 1);
    assert.equal(result.state, "done");
    assert.equal(result.digit, "3");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.backend), "cpu");
  });
});

Deno.test("recognizer - ?backend=cpu overrides the automatic choice", async () => {
  await withRecognizer(async ({ page }) => {
    assert.equal(await page.evaluate(() => document.documentElement.dataset.backend), "cpu");
  }, { query: "?backend=cpu" });
});

Deno.test("recognizer - when the model cannot be downloaded, the page says so and uploads get a clear message", async () => {
  await withRecognizer(async ({ page }) => {
    assert.match(await page.locator(".rz [role=alert]").innerText(), /could not start/i);
    assert.match(await page.locator("[data-testid=engine-status]").innerText(), /unavailable/i);
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_3_large.jpg"));
    const [result] = await settledResults(page, 1);
    assert.equal(result.state, "error");
    assert.match(result.text, /could not start/i);
    // The rest of the page still works.
    await page.click("#rz-tab-draw");
    assert.ok(await page.isVisible("[data-testid=drawing-pad]"));
  }, {
    before: (page) => page.route("**/model/*.bin", (route) => route.abort()),
    waitFor: ".rz-dot-error",
  });
});
