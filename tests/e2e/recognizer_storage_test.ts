/** Browser end to end: recognition when the on-device history cannot be used. */
import assert from "node:assert/strict";
import { fixturePath } from "../fixtures/photos.ts";
import { settledResults, withRecognizer } from "./recognizer_helpers.ts";

Deno.test("recognizer - with IndexedDB blocked, photos are still read and a small notice says history is off", async () => {
  await withRecognizer(async ({ page }) => {
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_3_large.jpg"));
    const [result] = await settledResults(page, 1);
    assert.equal(result.state, "done");
    assert.equal(result.digit, "3");
    // The app's status bar (lib/browser/history_store.ts reports to it) says so, without blocking.
    const notice = page.locator("[data-status=storage], .rz-notice").first();
    await notice.waitFor();
    assert.match(await notice.innerText(), /not saved|history/i);
    await notice.getByRole("button", { name: "Dismiss" }).click();
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_7.jpg"));
    const again = await settledResults(page, 2);
    assert.equal(again[1].digit, "7"); // In the order chosen.
  }, {
    // As in some private modes: opening a database fails.
    init: () => {
      IDBFactory.prototype.open = () => {
        throw new DOMException(
          "The user denied permission to access the database.",
          "SecurityError",
        );
      };
    },
  });
});
