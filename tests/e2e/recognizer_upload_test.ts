/** Browser end to end: uploading photos, several at once, and bad files. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { photo, settledResults, withRecognizer } from "./recognizer_helpers.ts";

Deno.test("recognizer - an uploaded phone photo is read as its digit, with what the model saw and ten bars", async () => {
  await withRecognizer(async ({ page }) => {
    // A 2014×2097 phone photo of a "3" (the current model: 95 %).
    await page.setInputFiles("[data-testid=file-input]", photo("sourav/sourav_004.jpg"));
    const [result] = await settledResults(page, 1);
    assert.equal(result.state, "done");
    assert.equal(result.digit, "3");
    assert.ok(result.confidence > 0.5 && result.confidence <= 1, `confidence ${result.confidence}`);
    assert.equal(await page.locator(".rz-result .rz-digits").textContent(), "3");
    assert.equal(await page.locator(".rz-result canvas.rz-crop").count(), 1, "the 28×28 input");
    assert.equal(await page.locator(".rz-result .rz-bar").count(), 10, "ten probability bars");
    assert.equal(
      await page.locator("[data-testid=results]").getAttribute("aria-live"),
      "polite",
    );
  });
});

Deno.test("recognizer - five photos uploaded at once give five results", async () => {
  await withRecognizer(async ({ page }) => {
    const files = [
      ["sourav/sourav_001.jpg", "0"],
      ["sourav/sourav_002.jpg", "1"],
      ["abhighule/abhighule_004.jpg", "3"],
      ["sourav/sourav_008.jpg", "7"],
      ["shrsai/shrsai_005.jpg", "4"],
    ];
    await page.setInputFiles("[data-testid=file-input]", files.map(([f]) => photo(f)));
    const results = await settledResults(page, 5);
    assert.equal(results.length, 5);
    assert.ok(results.every((r) => r.state === "done"), JSON.stringify(results));
    // Newest first: the list is the files in reverse.
    assert.deepEqual(results.map((r) => r.digit).reverse(), files.map(([, d]) => d));
  });
});

Deno.test("recognizer - a non-image and a corrupt PNG get a clear message and the page keeps working", async () => {
  await withRecognizer(async ({ page }) => {
    const png = await Deno.readFile(photo("dfak0/dfak0_001.png"));
    await page.setInputFiles("[data-testid=file-input]", [
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") },
      // The PNG signature and header survive; the pixel data is cut off.
      { name: "broken.png", mimeType: "image/png", buffer: Buffer.from(png.slice(0, 200)) },
      { name: "empty.png", mimeType: "image/png", buffer: Buffer.alloc(0) },
      // Over the 40 MB limit: refused before it is read.
      { name: "huge.jpg", mimeType: "image/jpeg", buffer: Buffer.alloc(41 * 1024 * 1024) },
    ]);
    const bad = await settledResults(page, 4);
    assert.ok(bad.every((r) => r.state === "error"), JSON.stringify(bad));
    const byName = (name: string) => bad.find((r) => r.text.includes(name))!.text;
    assert.match(byName("notes.txt"), /not an image/i);
    assert.match(byName("broken.png"), /damaged or incomplete/i);
    assert.match(byName("empty.png"), /empty/i);
    assert.match(byName("huge.jpg"), /too large/i);

    // The page still works: a good photo after the bad ones is read.
    await page.setInputFiles("[data-testid=file-input]", photo("sourav/sourav_004.jpg"));
    const all = await settledResults(page, 5);
    assert.equal(all[0].state, "done");
    assert.equal(all[0].digit, "3");
  });
});
