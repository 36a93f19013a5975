/** Browser end to end: uploading photos, several at once, and bad files. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import jpeg from "jpeg-js";
import { decodeImage } from "../../lib/server/decode_image.ts";
import { loadModelFile } from "../../lib/server/model_file.ts";
import { recognize } from "../../lib/core/recognize.ts";
import { initInferenceBackend } from "../../lib/server/tf_backend.ts";
import { modelPath } from "../recognition/helpers.ts";
import { decimalNumberImage, pngBytes, TIFF_BYTES } from "../api/test_images.ts";
import { fixtureBytes, type FixtureName, fixturePath } from "../fixtures/photos.ts";
import { settledResults, withRecognizer } from "./recognizer_helpers.ts";

/**
 * A JPEG stored turned a quarter left, with EXIF orientation 6 ("rotate 90°
 * clockwise to show"), as phones write portrait photos: rows `top`..`top+rows`
 * of the fixture `file`.
 */
async function rotatedJpeg(file: FixtureName, top: number, rows: number): Promise<Uint8Array> {
  const src = await decodeImage(await fixtureBytes(file));
  const w = src.width, h = rows;
  const stored = new Uint8Array(w * h * 4); // h wide, w tall.
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const from = ((y + top) * src.width + x) * 4, to = ((w - 1 - x) * h + y) * 4;
      stored.set(src.data.subarray(from, from + 4), to);
    }
  }
  return withOrientation(jpeg.encode({ data: stored, width: h, height: w }, 90).data, 6);
}

/** A baseline JPEG with an EXIF block that gives its `orientation` (1–8). */
function withOrientation(encoded: Uint8Array, orientation: number): Uint8Array {
  const tiff = [
    ..."MM".split("").map((c) => c.charCodeAt(0)),
    0,
    42,
    0,
    0,
    0,
    8, // big-endian TIFF, first IFD at 8
    0,
    1, // one entry
    0x01,
    0x12,
    0,
    3,
    0,
    0,
    0,
    1,
    0,
    orientation,
    0,
    0, // Orientation, SHORT, 1 value
    0,
    0,
    0,
    0, // no next IFD
  ];
  const payload = [..."Exif\0\0".split("").map((c) => c.charCodeAt(0)), ...tiff];
  const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  return new Uint8Array([...encoded.subarray(0, 2), ...app1, ...encoded.subarray(2)]);
}

/**
 * A `width`×`height` JPEG, as stored, black in its top-left quarter and
 * white elsewhere, with EXIF `orientation`: where the black quarter shows
 * tells how the decoder turned it.
 */
function quarterJpeg(width: number, height: number, orientation: number): Uint8Array {
  const data = new Uint8Array(width * height * 4).fill(255);
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
  }
  return withOrientation(jpeg.encode({ data, width, height }, 85).data, orientation);
}

/** Size of the pixels `digitRecognizer.decode` gives for `bytes`, and which quarter is dark (TL, TR, BL, BR). */
function decodedQuarters(page: import("playwright-core").Page, bytes: Uint8Array) {
  return page.evaluate(async (data) => {
    const blob = new Blob([new Uint8Array(data)], { type: "image/jpeg" });
    // deno-lint-ignore no-explicit-any
    const px: ImageData = await (globalThis as any).digitRecognizer.decode(blob);
    const at = (fx: number, fy: number) =>
      px.data[(Math.floor(fy * px.height) * px.width + Math.floor(fx * px.width)) * 4];
    const dark = [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]
      .map(([x, y]) => (at(x, y) < 128 ? "dark" : "light"));
    return { size: [px.width, px.height], dark };
  }, [...bytes]);
}

Deno.test("recognizer - an uploaded phone photo is read as its digit, with what the model saw and ten bars", async () => {
  await withRecognizer(async ({ page }) => {
    // A 1600×1680 photo-like "3" (blue pen on paper, JPEG).
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_3_large.jpg"));
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

Deno.test("recognizer - a photo stored sideways with EXIF orientation 6 is turned upright before reading", async () => {
  // phone_7 is a 518×518 photo of a 7; rows 100–499 keep the whole digit.
  const bytes = await rotatedJpeg("phone_7.jpg", 100, 400);
  await withRecognizer(async ({ page }) => {
    const size = await page.evaluate(async (data) => {
      const blob = new Blob([new Uint8Array(data)], { type: "image/jpeg" });
      // deno-lint-ignore no-explicit-any
      const pixels = await (globalThis as any).digitRecognizer.decode(blob);
      return [pixels.width, pixels.height];
    }, [...bytes]);
    // The size is the proof of rotation (a sideways 7 is still often read as 7).
    assert.deepEqual(size, [518, 400], "stored 400×518, shown 518×400");
    await page.setInputFiles("[data-testid=file-input]", {
      name: "portrait.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from(bytes),
    });
    const [result] = await settledResults(page, 1);
    assert.equal(result.digit, "7");
  });
});

Deno.test("recognizer - a large JPEG is decoded at a reduced scale straight to the working size, turned as its EXIF says", async () => {
  // 1600×1200 as stored; shown 1200×1600 (orientations 6, 8) or as stored (1, 3).
  const expected: Record<number, { size: number[]; dark: string[] }> = {
    1: { size: [640, 480], dark: ["dark", "light", "light", "light"] },
    3: { size: [640, 480], dark: ["light", "light", "light", "dark"] },
    6: { size: [480, 640], dark: ["light", "dark", "light", "light"] },
    8: { size: [480, 640], dark: ["light", "light", "dark", "light"] },
  };
  const files = Object.keys(expected).map((o) => quarterJpeg(1600, 1200, Number(o)));
  const check = async (page: import("playwright-core").Page, where: string) => {
    for (const [i, [orientation, want]] of Object.entries(expected).entries()) {
      const got = await decodedQuarters(page, files[i]);
      assert.deepEqual(got, want, `orientation ${orientation} (${where})`);
    }
  };
  // In the worker (WebCodecs' ImageDecoder decodes at 1/2 scale), then on a page without
  // ImageDecoder or OffscreenCanvas (createImageBitmap's full decode and resize).
  await withRecognizer(({ page }) => check(page, "worker"));
  await withRecognizer(({ page }) => check(page, "page, no ImageDecoder"), {
    init: () => {
      // deno-lint-ignore no-explicit-any
      delete (globalThis as any).OffscreenCanvas;
      // deno-lint-ignore no-explicit-any
      delete (globalThis as any).ImageDecoder;
    },
  });
});

Deno.test("recognizer - five photos uploaded at once give five results", async () => {
  await withRecognizer(async ({ page }) => {
    const files: [FixtureName, string][] = [
      ["phone_0.jpg", "0"],
      ["phone_1.jpg", "1"],
      ["phone_3.jpg", "3"],
      ["phone_7.jpg", "7"],
      ["phone_4.jpg", "4"],
    ];
    await page.setInputFiles(
      "[data-testid=file-input]",
      await Promise.all(files.map(([f]) => fixturePath(f))),
    );
    const results = await settledResults(page, 5);
    assert.equal(results.length, 5);
    assert.ok(results.every((r) => r.state === "done"), JSON.stringify(results));
    // In the order chosen.
    assert.deepEqual(results.map((r) => r.digit), files.map(([, d]) => d));
  });
});

Deno.test("recognizer - tiny frame-filling scans are read at several widths, as the CLI reads them", async () => {
  // Semeion-like scans (16×16, each digit stretched to the frame) get narrower readings whose
  // probabilities are averaged; the page must feed the model all of them, in order.
  const files: FixtureName[] = ["scan_1.png", "scan_0.png", "scan_7.png"];
  await initInferenceBackend();
  const model = await loadModelFile(modelPath());
  const expected: { digit: string; confidence: number }[] = [];
  for (const f of files) {
    const r = recognize(model, await decodeImage(await fixtureBytes(f)));
    expected.push({ digit: r.digits, confidence: r.predictions[0].confidence });
  }
  model.dispose();
  assert.deepEqual(expected.map((e) => e.digit), ["1", "0", "7"], "the CLI's own reading");
  await withRecognizer(async ({ page }) => {
    await page.setInputFiles("[data-testid=file-input]", await Promise.all(files.map(fixturePath)));
    const results = await settledResults(page, 3);
    results.forEach((r, i) => {
      assert.equal(r.state, "done", r.text);
      assert.equal(r.digit, expected[i].digit, `${files[i]}: ${r.text}`);
      assert.ok(
        Math.abs(r.confidence - expected[i].confidence) < 0.01,
        `${files[i]}: confidence ${r.confidence} in the page, ${expected[i].confidence} in Deno`,
      );
    });
    assert.ok(!(await page.textContent("[data-testid=results]"))?.includes("NaN"));
  });
});

Deno.test("recognizer - a non-image and a corrupt PNG get a clear message and the page keeps working", async () => {
  await withRecognizer(async ({ page }) => {
    const png = await fixtureBytes("drawn_0.png");
    await page.setInputFiles("[data-testid=file-input]", [
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") },
      // The PNG signature and header survive; the pixel data is cut off.
      { name: "broken.png", mimeType: "image/png", buffer: Buffer.from(png.slice(0, 200)) },
      { name: "empty.png", mimeType: "image/png", buffer: Buffer.alloc(0) },
      // Recognised, not supported: the page says what the API says (unsupported_format).
      { name: "scan.tiff", mimeType: "image/tiff", buffer: Buffer.from(TIFF_BYTES) },
    ]);
    // Over the 40 MB limit, refused before it is read (made in the page: no 41 MB over CDP).
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(
        new File([new Uint8Array(41 * 1024 * 1024)], "huge.jpg", { type: "image/jpeg" }),
      );
      const input = document.querySelector<HTMLInputElement>("[data-testid=file-input]")!;
      input.files = data.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
    const bad = await settledResults(page, 5);
    assert.ok(bad.every((r) => r.state === "error"), JSON.stringify(bad));
    const byName = (name: string) => bad.find((r) => r.text.includes(name))!.text;
    assert.match(byName("notes.txt"), /not an image/i);
    assert.match(byName("broken.png"), /damaged or incomplete/i);
    assert.match(byName("empty.png"), /empty/i);
    assert.match(byName("scan.tiff"), /TIFF images are not supported/);
    assert.doesNotMatch(byName("scan.tiff"), /not an image/i);
    assert.match(byName("huge.jpg"), /too large/i);

    // The page still works: a good photo after the bad ones is read.
    await page.setInputFiles("[data-testid=file-input]", await fixturePath("phone_3.jpg"));
    const all = await settledResults(page, 6);
    assert.equal(all[5].state, "done"); // Listed in the order chosen: the good photo last.
    assert.equal(all[5].digit, "3");
  });
});

Deno.test("recognizer - an image pasted from the clipboard and one dropped on the page are read", async () => {
  const pasted = [...await fixtureBytes("drawn_0.png")]; // a drawn 0
  const dropped = [...await fixtureBytes("drawn_3.png")]; // a drawn 3
  await withRecognizer(async ({ page }) => {
    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], "pasted.png", { type: "image/png" }));
      document.body.dispatchEvent(
        new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }),
      );
    }, pasted);
    assert.equal((await settledResults(page, 1))[0].digit, "0");

    await page.click("#rz-tab-draw"); // A drop anywhere works, whatever the tab.
    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], "dropped.png", { type: "image/png" }));
      const init = { dataTransfer: data, bubbles: true, cancelable: true };
      const target = document.querySelector("h1")!;
      target.dispatchEvent(new DragEvent("dragover", init));
      target.dispatchEvent(new DragEvent("drop", init));
    }, dropped);
    const results = await settledResults(page, 2);
    assert.equal(results[1].digit, "3");
    assert.equal(await page.getAttribute("#rz-tab-upload", "aria-selected"), "true");
  });
});

Deno.test("recognizer - a number with a decimal point is shown as written, its digits kept apart", async () => {
  await withRecognizer(async ({ page }) => {
    await page.setInputFiles("[data-testid=file-input]", {
      name: "price.png",
      mimeType: "image/png",
      buffer: Buffer.from(pngBytes(decimalNumberImage())),
    });
    const [result] = await settledResults(page, 1);
    assert.equal(result.digit, "710");
    const card = page.locator("[data-testid=results] .rz-result");
    assert.equal(await card.getAttribute("data-reading"), "71.0");
    assert.equal(await card.locator(".rz-digits").textContent(), "71.0");
    assert.equal(await card.locator(".rz-cell").count(), 3, "one cell per digit");
  });
});
