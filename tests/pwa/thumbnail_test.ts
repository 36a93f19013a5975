/** The history's thumbnails, made in a real page by the app's own thumbnailer (lib/browser/thumbnail.ts). */
import assert from "node:assert/strict";
import { withApp } from "./helpers.ts";

Deno.test("thumbnail - a photo becomes a small JPEG at most 96 px on its longer side, aspect kept", async () => {
  await withApp(async ({ page, server, errors }) => {
    await page.goto(server.url + "/about");
    const made = await page.evaluate(async () => {
      // deno-lint-ignore no-explicit-any
      const api = (globalThis as any).pwaTest;
      const out = [];
      for (const [w, h] of [[1200, 800], [600, 1000], [40, 30]]) {
        // A photo-like gradient with a dark digit-sized block in the middle.
        const pixels = new ImageData(w, h);
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) {
            const dark = Math.abs(x - w / 2) < w / 8 && Math.abs(y - h / 2) < h / 4;
            const v = dark ? 30 : 180 + Math.round((75 * x) / w);
            pixels.data.set([v, v, v, 255], (y * w + x) * 4);
          }
        }
        const blob: Blob = await api.makeThumbnail(pixels);
        const bitmap = await createImageBitmap(blob);
        // The centre is dark, a corner light: the picture survived the shrinking.
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext("2d")!;
        ctx.drawImage(bitmap, 0, 0);
        const centre = ctx.getImageData(bitmap.width >> 1, bitmap.height >> 1, 1, 1).data[0];
        const corner = ctx.getImageData(0, 0, 1, 1).data[0];
        out.push({
          type: blob.type,
          size: blob.size,
          w: bitmap.width,
          h: bitmap.height,
          centre,
          corner,
        });
      }
      return out;
    });
    const [wide, tall, tiny] = made;
    for (const t of made) {
      assert.equal(t.type, "image/jpeg");
      assert.ok(t.size < 8 * 1024, `${t.size} B`);
      assert.ok(t.centre < 90 && t.corner > 150, `centre ${t.centre}, corner ${t.corner}`);
    }
    assert.deepEqual([wide.w, wide.h], [96, 64]);
    assert.deepEqual([tall.w, tall.h], [58, 96]);
    assert.deepEqual([tiny.w, tiny.h], [40, 30], "never enlarged");
    assert.deepEqual(errors, []);
  });
});
