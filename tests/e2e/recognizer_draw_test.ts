/** Browser end to end: the drawing pad. */
import assert from "node:assert/strict";
import { stroke, withRecognizer } from "./recognizer_helpers.ts";

Deno.test("recognizer - a 1 drawn with the mouse is read as 1 while drawing; undo and clear empty the pad", async () => {
  await withRecognizer(async ({ page }) => {
    await page.click("#rz-tab-draw");
    assert.equal(await page.getAttribute("#rz-tab-draw", "aria-selected"), "true");
    const result = page.locator("[data-testid=draw-result]");
    await stroke(page, [[146, 40], [143, 90], [140, 140], [137, 190], [134, 240]]);
    await page.waitForSelector("[data-testid=draw-result][data-state=done]");
    assert.equal(await result.getAttribute("data-digit"), "1");
    assert.ok(Number(await result.getAttribute("data-confidence")) > 0.5);

    // Undo removes the only stroke: the reading goes back to idle.
    await page.getByRole("button", { name: "Undo" }).click();
    await page.waitForSelector("[data-testid=draw-result][data-state=idle]");

    // Draw again, then clear.
    await stroke(page, [[146, 40], [140, 240]]);
    await page.waitForSelector("[data-testid=draw-result][data-state=done]");
    await page.getByRole("button", { name: "Clear" }).click();
    await page.waitForSelector("[data-testid=draw-result][data-state=idle]");
    assert.equal(await result.getAttribute("data-digit"), "");
  });
});

Deno.test("recognizer - the tabs work from the keyboard", async () => {
  await withRecognizer(async ({ page }) => {
    await page.focus("#rz-tab-upload");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.getAttribute("#rz-tab-draw", "aria-selected"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "rz-tab-draw");
    assert.ok(await page.isVisible("[data-testid=drawing-pad]"));
    await page.keyboard.press("Home");
    assert.equal(await page.getAttribute("#rz-tab-camera", "aria-selected"), "true");
  });
});

Deno.test("recognizer - ?mode=draw (the manifest's shortcut) opens the drawing pad", async () => {
  await withRecognizer(async ({ page }) => {
    assert.equal(await page.getAttribute("#rz-tab-draw", "aria-selected"), "true");
    assert.ok(await page.isVisible("[data-testid=drawing-pad]"));
  }, { query: "?mode=draw" });
});
