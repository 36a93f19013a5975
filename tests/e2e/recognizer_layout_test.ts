/**
 * Browser end to end, on a phone (390×844): the reading is on screen without
 * scrolling after an upload and while drawing; the list keeps the order the
 * images were chosen in and renders only the newest cards of a long session.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { fixturePath } from "../fixtures/photos.ts";
import { drawSeven, settledResults, withRecognizer } from "./recognizer_helpers.ts";

const PHONE = { width: 390, height: 844 };

/** Whether the element's box lies inside the viewport. */
async function onScreen(page: Page, selector: string): Promise<boolean> {
  return await page.locator(selector).last().evaluate((el) => {
    const r = el.getBoundingClientRect();
    return r.height > 0 && r.top >= 0 && r.bottom <= innerHeight;
  });
}

Deno.test("recognizer - on a phone, the reading of an upload is on screen without scrolling", async () => {
  await withRecognizer(async ({ page }) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_3_large.jpg"));
    await settledResults(page, 1);
    await page.waitForFunction(
      () => {
        const r = document.querySelector(".rz-results .rz-digits")?.getBoundingClientRect();
        return !!r && r.top >= 0 && r.bottom <= innerHeight;
      },
      undefined,
      { timeout: 10_000 },
    );
    assert.ok(await onScreen(page, ".rz-results .rz-digits"));
  }, { viewport: PHONE });
});

Deno.test("recognizer - on a phone, the live reading shows beside the pad while drawing", async () => {
  await withRecognizer(async ({ page }) => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.click("#rz-tab-draw");
    const box = (await page.locator("[data-testid=drawing-pad]").boundingBox())!;
    assert.ok(box.y >= 0 && box.y + box.height <= PHONE.height, "the whole pad is on screen");
    await drawSeven(page);
    await page.waitForSelector("[data-testid=draw-result][data-state=done]", { timeout: 30_000 });
    assert.ok(await onScreen(page, "[data-testid=draw-result] .rz-digits"), "the digits read");
    assert.ok(await onScreen(page, "[data-testid=drawing-pad]"), "and the pad still");
  }, { viewport: PHONE });
});

Deno.test("recognizer - a long session renders only the newest cards, in the order chosen", async () => {
  await withRecognizer(async ({ page }) => {
    const file = await fixturePath("phone_1.jpg"); // A "1".
    const total = 45;
    // The same photo over and over: after the first, each comes back from the history.
    await page.setInputFiles("[data-testid=file-input]", Array(total).fill(file));
    await page.waitForFunction(
      (n) => document.querySelector(".rz-count")?.textContent === String(n),
      total,
    );
    await page.waitForFunction(
      () => !document.querySelector("[data-testid=results] .rz-result[data-state=working]"),
      undefined,
      { timeout: 120_000 },
    );
    const shown = await page.locator("[data-testid=results] .rz-result").count();
    assert.ok(shown < total, `${shown} of ${total} cards rendered`);
    await page.click(".rz-show-all");
    assert.equal(await page.locator("[data-testid=results] .rz-result").count(), total);
    const keys = await page.$$eval(
      ".rz-slot",
      (els) => els.map((e) => Number(e.getAttribute("data-key"))),
    );
    assert.deepEqual(keys, [...keys].sort((a, b) => a - b), "oldest first");
  });
});
