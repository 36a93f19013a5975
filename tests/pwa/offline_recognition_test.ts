/**
 * Recognition with the network off and from the history cache. These drive
 * the recognizer island on the home page through its stable hooks only:
 * `input[type=file]` (the one without `capture`) and result elements carrying `data-digit`.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { digitPng, waitForServiceWorker, withApp } from "./helpers.ts";

/** The `data-digit` values of finished results, once there are at least `count`. */
async function readings(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction(
    (n) => document.querySelectorAll("[data-state=done][data-digit]").length >= n,
    count,
    { timeout: 60_000 },
  );
  return await page.$$eval(
    "[data-state=done][data-digit]",
    (els) => els.map((e) => e.getAttribute("data-digit") ?? ""),
  );
}

/**
 * Waits until the history holds `count` entries. (An async predicate in
 * page.waitForFunction returns a Promise, which counts as truthy at once.)
 */
async function waitForEntries(page: Page, count: number): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const n = await page.evaluate(async () =>
      // deno-lint-ignore no-explicit-any
      (await (globalThis as any).pwaTest.listEntries()).length
    );
    if (n >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the history did not reach ${count} entries`);
}

async function upload(page: Page, png: Uint8Array, name = "seven.png") {
  // A file set before the recognizer hydrates lands on a bare input and is never read.
  await page.waitForSelector("html[data-frsh-ready]");
  // The upload input, not the camera's (which has `capture`).
  await page.setInputFiles("input[type=file]:not([capture]) >> nth=0", {
    name,
    mimeType: "image/png",
    buffer: Buffer.from(png),
  });
}

Deno.test("offline recognition - after one visit, with the network off, the reloaded page reads an uploaded image", async () => {
  await withApp(async ({ page, context, server, errors }) => {
    await page.goto(server.url + "/");
    await waitForServiceWorker(page);
    const png = await digitPng(page, "7");
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector("[data-status=offline]");
    await upload(page, png);
    const [digit] = await readings(page, 1);
    assert.equal(digit, "7");
    // …and it went to the history, offline too (saved just after the result is shown).
    await waitForEntries(page, 1);
    const entries = await page.evaluate(async () =>
      // deno-lint-ignore no-explicit-any
      (await (globalThis as any).pwaTest.listEntries()).map((e: any) => ({
        digits: e.digits,
        source: e.source,
        thumbnailBytes: e.thumbnail.size,
        thumbnailType: e.thumbnail.type,
      }))
    );
    assert.equal(entries.length, 1);
    assert.equal(entries[0].digits, "7");
    assert.equal(entries[0].source, "upload");
    assert.match(entries[0].thumbnailType, /^image\//);
    assert.ok(
      entries[0].thumbnailBytes <= 12 * 1024,
      `a small thumbnail: ${entries[0].thumbnailBytes} B`,
    );
    assert.deepEqual(errors, []);
  });
});

Deno.test("offline recognition - the same image twice is answered from the history, keyed by its hash", async () => {
  await withApp(async ({ page, server, errors }) => {
    await page.goto(server.url + "/");
    await waitForServiceWorker(page);
    const png = await digitPng(page, "7");
    await upload(page, png, "first.png");
    assert.deepEqual(await readings(page, 1), ["7"]);
    // Mark the stored result: only a cache hit can show this reading for the same bytes.
    await waitForEntries(page, 1);
    await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const api = (globalThis as any).pwaTest;
      const [entry] = await api.listEntries();
      const probabilities = [Array.from({ length: 10 }, (_, k) => (k === 3 ? 0.91 : 0.01))];
      await api.saveEntry({ ...entry, digits: "3", confidence: 0.91, probabilities });
    });
    await upload(page, png, "again.png");
    const all = await readings(page, 2);
    assert.ok(all.includes("3"), `the second reading comes from the history: ${all}`);
    const count = await page.evaluate(async () =>
      // deno-lint-ignore no-explicit-any
      (await (globalThis as any).pwaTest.listEntries()).length
    );
    assert.equal(count, 1, "one entry per image");
    assert.deepEqual(errors, []);
  });
});
