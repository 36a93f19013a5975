/**
 * Corrections on the result card and the personal model, end to end in
 * headless Chromium: the real build, the real worker, IndexedDB.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Page } from "playwright-core";
import { cachedUrls, digitPng, waitForServiceWorker, withApp } from "./helpers.ts";
import { BOXY_EIGHT, strokesPng } from "../helpers/stroke_digits.ts";
import { makeRng } from "../../lib/core/random.ts";
import { Canvas } from "../../training/png.ts";
import { stroke } from "../e2e/recognizer_helpers.ts";

async function upload(page: Page, png: Uint8Array, name: string): Promise<void> {
  await page.waitForSelector("html[data-frsh-ready]");
  await page.setInputFiles("input[type=file]:not([capture]) >> nth=0", {
    name,
    mimeType: "image/png",
    buffer: Buffer.from(png),
  });
}

/** Uploads one image and waits for its card; returns the card's locator. */
async function read(page: Page, png: Uint8Array, name: string) {
  const before = await page.locator("article[data-state]").count();
  await upload(page, png, name);
  // In the order chosen: the new card is the last one.
  await page.waitForFunction(
    (n) => document.querySelectorAll("article[data-state=done]").length > n,
    before,
    { timeout: 60_000 },
  );
  return page.locator("article[data-state=done]").last();
}

Deno.test("result card - a correction typed on the card is what the same image reads after a reload", async () => {
  await withApp(async ({ page, server, errors }) => {
    await page.goto(server.url + "/");
    const png = await digitPng(page, "7");
    const card = await read(page, png, "seven.png");
    assert.equal(await card.getAttribute("data-digit"), "7");
    // Tap the reading, type a whole number, save.
    await card.locator(".rz-digits").click();
    await card.locator(".rz-correct-input").fill("472");
    await card.locator(".rz-correct-form button[type=submit]").click();
    await card.locator("[data-verdict=corrected]").waitFor();
    assert.equal(await card.getAttribute("data-digit"), "472");

    await page.reload();
    const again = await read(page, png, "seven.png");
    assert.equal(await again.getAttribute("data-digit"), "472");
    assert.match(await again.innerText(), /Your correction, from your history/);
    assert.deepEqual(errors, []);
  });
});

Deno.test("personal model - the rehearsal digits are kept once the user labels a digit, so personalising works offline", async () => {
  await withApp(async ({ page, context, server, errors }) => {
    await page.goto(server.url + "/");
    await waitForServiceWorker(page);
    const rehearsal = ["/personal/rehearsal-images.idx.gz", "/personal/rehearsal-labels.idx"];
    const kept = async () => {
      const cached = new Set(
        (await cachedUrls(page)).map((u) => u.replace(/\?__WB_REVISION__=.*$/, "")),
      );
      return rehearsal.filter((u) => cached.has(u));
    };
    assert.deepEqual(await kept(), [], "not on the first visit");
    const card = await read(page, await digitPng(page, "7"), "seven.png");
    await card.locator("[data-action=confirm]").click();
    await card.locator("[data-verdict=confirmed]").waitFor();
    const end = Date.now() + 30_000;
    while ((await kept()).length < rehearsal.length && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(await kept(), rehearsal, "fetched and kept after the first label");
    await context.setOffline(true);
    const sizes = await page.evaluate(
      (urls) =>
        Promise.all(urls.map(async (u) => (await (await fetch(u)).arrayBuffer()).byteLength)),
      rehearsal,
    );
    assert.ok(sizes.every((n) => n > 0), "served offline");
    assert.deepEqual(errors, []);
  });
});

Deno.test("result card - one tap confirms a reading; No digit is a correction too", async () => {
  await withApp(async ({ page, server }) => {
    await page.goto(server.url + "/");
    const card = await read(page, await digitPng(page, "1"), "one.png");
    await card.locator("[data-action=confirm]").click();
    await card.locator("[data-verdict=confirmed]").waitFor();
    const seven = await read(page, await digitPng(page, "7"), "seven.png");
    await seven.locator("[data-action=correct]").click();
    await seven.locator("[data-action=no-digit]").click();
    await seven.locator("[data-verdict=corrected]").waitFor();
    assert.equal(await seven.getAttribute("data-digit"), "");
    const entries = await page.evaluate(async () =>
      // deno-lint-ignore no-explicit-any
      (await (globalThis as any).pwaTest.listEntries()).map((e: any) => ({
        confirmed: e.confirmed === true,
        corrected: e.correctedLabel,
        name: e.name,
      }))
    );
    assert.deepEqual(
      entries.sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
      [
        { confirmed: true, corrected: undefined, name: "one.png" },
        { confirmed: false, corrected: "", name: "seven.png" },
      ],
    );
  });
});

Deno.test("personal model - learns a writer's boxy 8s from their corrections, and forgets them on reset", async () => {
  await withApp(async ({ page, server, errors }) => {
    await page.goto(server.url + "/");
    const random = makeRng(5);
    const pngs = Array.from({ length: 13 }, () => strokesPng(BOXY_EIGHT, random));
    const probe = pngs.pop()!;
    const panel = page.getByTestId("personal-model");

    const first = await read(page, probe, "probe.png");
    const misread = await first.getAttribute("data-digit");
    assert.notEqual(misread, "8", "the stock model misreads this writer's 8");

    // The writer corrects (or confirms) twelve of their 8s on the result cards.
    for (const [i, png] of pngs.entries()) {
      const card = await read(page, png, `eight-${i}.png`);
      if ((await card.getAttribute("data-digit")) === "8") {
        await card.locator("[data-action=confirm]").click();
        await card.locator("[data-verdict=confirmed]").waitFor();
      } else {
        await card.locator(".rz-digits, .rz-headline").first().click();
        await card.locator(".rz-correct-input").fill("8");
        await card.locator(".rz-correct-form button[type=submit]").click();
        await card.locator("[data-verdict=corrected]").waitFor();
      }
    }
    await page.waitForSelector("[data-testid=personal-model][data-status=ready]", {
      timeout: 60_000,
    });
    assert.match(await panel.innerText(), /Personalised with 12 of your digits/);

    const after = await read(page, probe, "probe.png");
    assert.equal(await after.getAttribute("data-digit"), "8");

    await panel.locator("[data-action=personal-reset]").click();
    await page.waitForSelector("[data-testid=personal-model][data-status=waiting]");
    const reset = await read(page, probe, "probe.png");
    assert.equal(await reset.getAttribute("data-digit"), misread);
    assert.deepEqual(errors, []);
  });
});

Deno.test("drawing pad - a finished drawing's live reading is confirmed or corrected like any result", async () => {
  await withApp(async ({ page, server, errors }) => {
    await page.goto(server.url + "/?mode=draw");
    await page.waitForSelector("html[data-frsh-ready]");
    const result = page.locator("[data-testid=draw-result]");
    await stroke(page, [[146, 40], [143, 90], [140, 140], [137, 190], [134, 240]]);
    // Once the drawing rests it is stored, and the reading takes the user's word.
    await result.locator("[data-action=correct]").click({ timeout: 60_000 });
    await result.locator(".rz-correct-input").fill("7");
    await result.locator(".rz-correct-form button[type=submit]").click();
    await result.locator("[data-verdict=corrected]").waitFor();
    assert.equal(await result.locator(".rz-digits").innerText(), "7");
    const entries = await page.evaluate(async () =>
      // deno-lint-ignore no-explicit-any
      (await (globalThis as any).pwaTest.listEntries()).map((e: any) => ({
        source: e.source,
        corrected: e.correctedLabel,
      }))
    );
    assert.deepEqual(entries, [{ source: "draw", corrected: "7" }]);

    // A new drawing starts without the old one's verdict.
    await page.getByRole("button", { name: "Clear" }).click();
    await stroke(page, [[146, 40], [140, 240]]);
    await result.locator("[data-action=confirm]").click({ timeout: 60_000 });
    await result.locator("[data-verdict=confirmed]").waitFor();
    assert.deepEqual(errors, []);
  });
});

Deno.test("history - an image read as no digit says what it saw when it is read again and when reopened", async () => {
  await withApp(async ({ page, server, errors }) => {
    await page.goto(server.url + "/");
    const png = await new Canvas(200, 200).toPng();
    const card = await read(page, png, "blank.png");
    assert.equal(await card.getAttribute("data-digit"), "");
    assert.equal(await card.locator(".rz-hint").getAttribute("data-kind"), "blank");

    await page.reload();
    const again = await read(page, png, "blank.png");
    assert.equal(await again.locator(".rz-hint").getAttribute("data-kind"), "blank");

    await page.goto(server.url + "/history");
    await page.waitForSelector("html[data-frsh-ready]");
    await page.click(".history-item[data-label='']");
    const kind = page.locator("dialog.entry-dialog .entry-kind");
    assert.equal(await kind.getAttribute("data-kind"), "blank");
    assert.match(await kind.innerText(), /looks blank/);
    assert.deepEqual(errors, []);
  });
});
