/** The history page against the real IndexedDB: list, correct, delete, clear, export, other tabs. */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { withApp } from "./helpers.ts";
import { addEntriesInPage, type FakeEntry } from "./page_modules.ts";
import { readHistoryExport } from "../../lib/core/history_export.ts";

const labels = (page: Page) =>
  page.$$eval(".history-item", (els) => els.map((e) => e.getAttribute("data-label")));

async function openHistoryWith(page: Page, url: string, entries: FakeEntry[]) {
  await page.goto(url + "/history");
  await page.waitForSelector("html[data-frsh-ready]");
  await page.evaluate(addEntriesInPage, entries);
  await page.waitForSelector(`.history-item >> nth=${entries.length - 1}`);
}

Deno.test("history - entries are listed newest first and survive a reload; a correction survives a reload", async () => {
  await withApp(async ({ page, server, errors }) => {
    const now = Date.now();
    await openHistoryWith(page, server.url, [
      { digits: "1", time: now - 60_000, confidence: 0.52 },
      { digits: "42", time: now - 120_000 },
      { digits: "9", time: now },
    ]);
    assert.deepEqual(await labels(page), ["9", "1", "42"]);
    await page.reload();
    await page.waitForSelector(".history-item >> nth=2");
    assert.deepEqual(await labels(page), ["9", "1", "42"]);

    // "It was a 7": open the entry, pick 7 on the keypad.
    await page.click(".history-item[data-label='1']");
    await page.waitForSelector("dialog.entry-dialog[open]");
    await page.click("dialog.entry-dialog [data-correct='7']");
    await page.waitForSelector("dialog.entry-dialog .entry-label[data-label='7']");
    assert.match(await page.textContent("dialog.entry-dialog") ?? "", /the model read 1/);
    await page.click("dialog.entry-dialog >> text=Done");
    await page.waitForSelector(".history-item[data-label='7']");

    await page.reload();
    await page.waitForSelector(".history-item >> nth=2");
    assert.deepEqual(await labels(page), ["9", "7", "42"]);
    const stored = await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const all = await (globalThis as any).pwaTest.listEntries();
      // deno-lint-ignore no-explicit-any
      return all.map((e: any) => [e.digits, e.correctedLabel ?? null]);
    });
    assert.deepEqual(stored, [["9", null], ["1", "7"], ["42", null]]);

    // A multi-digit entry is corrected in a text field; undo brings the prediction back.
    await page.click(".history-item[data-label='42']");
    await page.fill("#correction-input", "47");
    await page.click("dialog.entry-dialog button[type=submit]");
    await page.waitForSelector(".history-item[data-label='47']");
    await page.click("dialog.entry-dialog >> text=Undo correction");
    await page.waitForSelector(".history-item[data-label='42']");
    assert.deepEqual(errors, []);
  });
});

Deno.test("history - delete removes one entry; clear all asks first and then empties the history", async () => {
  await withApp(async ({ page, server, errors }) => {
    await openHistoryWith(page, server.url, [{ digits: "1" }, { digits: "2" }, { digits: "3" }]);
    await page.click(".history-item[data-label='2']");
    await page.click("dialog.entry-dialog >> text=Delete");
    await page.waitForFunction(() => document.querySelectorAll(".history-item").length === 2);
    assert.deepEqual(await labels(page), ["1", "3"]);

    await page.click("[data-action=clear]");
    await page.waitForSelector("dialog.confirm-dialog[open]");
    assert.match(await page.textContent("dialog.confirm-dialog") ?? "", /All 2 recognitions/);
    await page.click("dialog.confirm-dialog >> text=Cancel");
    // The dialog closes after the click returns: wait for it, don't race it.
    await page.waitForSelector("dialog.confirm-dialog[open]", { state: "detached" });
    assert.deepEqual(await labels(page), ["1", "3"], "cancel keeps everything");

    await page.click("[data-action=clear]");
    await page.click("dialog.confirm-dialog >> text=Delete all");
    await page.waitForSelector("text=No recognitions yet.");
    await page.reload();
    await page.waitForSelector("text=No recognitions yet.");
    assert.equal(await page.locator(".history-item").count(), 0);
    assert.deepEqual(errors, []);
  });
});

Deno.test("history - two open tabs see the same history as it changes", async () => {
  await withApp(async ({ page, context, server, errors }) => {
    await openHistoryWith(page, server.url, [{ digits: "5" }]);
    const other = await context.newPage();
    await other.goto(server.url + "/history");
    await other.waitForSelector(".history-item[data-label='5']");

    await page.evaluate(addEntriesInPage, [{ digits: "6", time: Date.now() + 1000 }]);
    await other.waitForSelector(".history-item[data-label='6']");
    await other.click(".history-item[data-label='5']");
    await other.click("dialog.entry-dialog >> text=Delete");
    await page.waitForFunction(() => !document.querySelector(".history-item[data-label='5']"));
    assert.deepEqual(await labels(page), ["6"]);
    assert.deepEqual(errors, []);
  });
});

Deno.test("history - export downloads a file that training's reader accepts, corrected labels winning", async () => {
  await withApp(async ({ page, server, errors }) => {
    await openHistoryWith(page, server.url, [
      { digits: "7" },
      { digits: "1", correctedLabel: "4" },
      { digits: "", confidence: 0 },
    ]);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("[data-action=export]"),
    ]);
    assert.match(download.suggestedFilename(), /^digit-history-\d{4}-\d{2}-\d{2}\.jsonl$/);
    const file = await Deno.readFile(await download.path());
    const extra = readHistoryExport(file);
    assert.equal(extra.records, 3);
    assert.equal(extra.images.length, extra.count * 784);
    // Crops come from the thumbnails here (the entries were stored without any).
    assert.deepEqual([...extra.labels].sort(), [4, 7]);
    assert.equal(extra.skipped, 1, "the entry without a digit has nothing to train on");
    const max = extra.images.reduce((m, v) => Math.max(m, v), 0);
    assert.ok(max > 0.9, "white ink on black, in [0, 1]");
    await page.waitForSelector("text=/Exported 3 recognitions/");
    assert.deepEqual(errors, []);
  });
});

Deno.test("history - hundreds of entries: the first rows show at once and more load on demand", async () => {
  await withApp(async ({ page, server, errors }) => {
    // Stored from another page, as a long use of the recognizer would have.
    await page.goto(server.url + "/about");
    await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const api = (globalThis as any).pwaTest;
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 64;
      const thumbnail = await api.makeThumbnail(
        canvas.getContext("2d")!.getImageData(0, 0, 64, 64),
      );
      const now = Date.now();
      for (let i = 0; i < 300; i++) {
        await api.saveEntry({
          id: `bulk-${i}`,
          time: now - i * 1000,
          source: "draw",
          thumbnail,
          digits: String(i % 10),
          confidence: 0.9,
          probabilities: [Array(10).fill(0.1)],
          backend: "wasm",
          modelVersion: "test",
        });
      }
    });
    const t0 = performance.now();
    await page.goto(server.url + "/history");
    await page.waitForSelector(".history-item");
    const shown = await page.$$eval(".history-item", (els) => els.length);
    assert.ok(shown >= 20 && shown < 300, `a first page of rows (${shown})`);
    assert.match(await page.textContent(".history-summary") ?? "", /300 recognitions/);
    // Scrolling to the end loads more (the "Show more" button moves as rows arrive: no click race).
    await page.locator(".history-more").scrollIntoViewIfNeeded();
    await page.waitForFunction((n) => document.querySelectorAll(".history-item").length > n, shown);
    console.log(`  300 entries: first rows in ${Math.round(performance.now() - t0)} ms`);
    assert.deepEqual(errors, []);
  });
});

Deno.test("history - search by reading, undo a delete, a whole number for a no-digit entry, CSV export", async () => {
  await withApp(async ({ page, server, errors }) => {
    await openHistoryWith(page, server.url, [
      { digits: "472", time: Date.now() },
      { digits: "1", time: Date.now() - 1000 },
      { digits: "", confidence: 0, time: Date.now() - 2000 },
    ]);
    assert.match(await page.textContent(".history-summary") ?? "", /3 recognitions.*\([\d.]+ KB\)/);

    await page.fill("#history-search", "47");
    await page.waitForFunction(() => document.querySelectorAll(".history-item").length === 1);
    assert.deepEqual(await labels(page), ["472"]);
    await page.fill("#history-search", "");

    // A missed number: the no-digit entry takes "308" in the field (no one-digit keypad).
    await page.click(".history-item[data-label='']");
    assert.equal(await page.locator("dialog.entry-dialog [data-correct]").count(), 0);
    await page.fill("#correction-input", "308");
    await page.click("dialog.entry-dialog button[type=submit]");
    await page.waitForSelector(".history-item[data-label='308']");
    await page.click("dialog.entry-dialog >> text=Done");
    await page.waitForSelector("dialog.entry-dialog[open]", { state: "detached" });

    await page.click(".history-item[data-label='1']");
    await page.click("dialog.entry-dialog >> text=Delete");
    await page.waitForFunction(() => document.querySelectorAll(".history-item").length === 2);
    await page.click("[data-action=undo-delete]");
    await page.waitForSelector(".history-item[data-label='1']");
    assert.deepEqual(await labels(page), ["472", "1", "308"]);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("[data-action=export-csv]"),
    ]);
    assert.match(download.suggestedFilename(), /^digit-history-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = (await Deno.readTextFile(await download.path())).trim().split("\r\n");
    assert.equal(rows.length, 4);
    assert.match(rows[0], /^time,file_name,source,reading,model_reading,corrected/);
    assert.match(rows[3], /,"308","",yes,/);
    assert.deepEqual(errors, []);
  });
});
