/** Web Share Target: a POSTed image reaches the home page once, through the service worker or the server. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { startPageServer } from "../helpers/server.ts";
import { digitPng, waitForServiceWorker, withApp } from "./helpers.ts";
import { buildOnce, ROOT } from "../helpers/build.ts";

const PNG = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3]);

Deno.test("share target - without a service worker the server keeps a share for one pick-up", async () => {
  await buildOnce();
  const server = await startPageServer(ROOT);
  try {
    const form = new FormData();
    form.append("title", "a photo");
    form.append("images", new File([PNG], "digit.png", { type: "image/png" }));
    form.append("images", new File(["not an image"], "notes.txt", { type: "text/plain" }));
    const res = await fetch(server.url + "/share-target", {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    assert.equal(res.status, 303);
    const location = res.headers.get("Location")!;
    assert.match(location, /^\/\?shared=[0-9a-f-]{36}$/);
    const id = new URL(location, server.url).searchParams.get("shared");

    const pick = await fetch(`${server.url}/share-target?id=${id}`);
    assert.equal(pick.status, 200);
    assert.equal(pick.headers.get("Cache-Control"), "no-store");
    const files = (await pick.formData()).getAll("images") as File[];
    assert.equal(files.length, 1, "only the image");
    assert.equal(files[0].name, "digit.png");
    assert.deepEqual(new Uint8Array(await files[0].arrayBuffer()), PNG);

    const again = await fetch(`${server.url}/share-target?id=${id}`);
    assert.equal(again.status, 404, "a share is handed over once");
    await again.body?.cancel();

    const empty = new FormData();
    empty.append("text", "just text");
    const none = await fetch(server.url + "/share-target", {
      method: "POST",
      body: empty,
      redirect: "manual",
    });
    assert.equal(none.status, 303);
    assert.equal(none.headers.get("Location"), "/");
  } finally {
    await server.close();
  }
});

Deno.test("share target - the service worker takes the POST itself, offline too, and takeSharedImages hands the image over once", async () => {
  await withApp(async ({ page, context, server, errors }) => {
    await page.goto(server.url + "/");
    await waitForServiceWorker(page);
    await context.setOffline(true);
    const result = await page.evaluate(async (bytes) => {
      const form = new FormData();
      form.append("images", new File([new Uint8Array(bytes)], "shot.png", { type: "image/png" }));
      const res = await fetch("/share-target", { method: "POST", body: form });
      // The worker answered 303 → /?shared=ID, and the followed GET came from the precache
      // (whose response carries the URL "/"): find the id in the inbox the worker wrote to.
      const ids = await new Promise<IDBValidKey[]>((resolve, reject) => {
        const open = indexedDB.open("digit-recognizer-share");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const keys = open.result.transaction("inbox").objectStore("inbox").getAllKeys();
          keys.onsuccess = () => resolve(keys.result);
        };
      });
      const url = `${location.origin}/?shared=${ids[0]}`;
      // deno-lint-ignore no-explicit-any
      const api = (globalThis as any).pwaTest;
      const files: File[] = await api.takeSharedImages(url);
      const again: File[] = await api.takeSharedImages(url);
      return {
        status: res.status,
        ids: ids.length,
        files: await Promise.all(files.map(async (f) => ({
          name: f.name,
          type: f.type,
          bytes: [...new Uint8Array(await f.arrayBuffer())],
        }))),
        again: again.length,
      };
    }, [...PNG]);
    assert.equal(result.status, 200, "the app opened on the share");
    assert.equal(result.ids, 1, "one share in the inbox");
    assert.deepEqual(result.files, [{ name: "shot.png", type: "image/png", bytes: [...PNG] }]);
    assert.equal(result.again, 0);
    assert.deepEqual(errors, []);
  });
});

Deno.test("share target - a photo shared to the app opens the home page and is recognised", async () => {
  await withApp(async ({ page, server, errors }) => {
    await page.goto(server.url + "/about");
    await waitForServiceWorker(page);
    const png = await digitPng(page, "7");
    // What the share sheet does: a multipart POST navigation to the manifest's action.
    await page.evaluate(() => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = "/share-target";
      form.enctype = "multipart/form-data";
      form.innerHTML = '<input type="file" name="images">';
      document.body.append(form);
    });
    await page.setInputFiles("form[action='/share-target'] input", {
      name: "shared.png",
      mimeType: "image/png",
      buffer: Buffer.from(png),
    });
    await Promise.all([
      page.waitForURL(/\/(\?.*)?$/),
      page.evaluate(() =>
        document.querySelector<HTMLFormElement>("form[action='/share-target']")!.submit()
      ),
    ]);
    await page.waitForSelector("[data-state=done][data-digit]", { timeout: 60_000 });
    assert.equal(await page.getAttribute("[data-state=done][data-digit]", "data-digit"), "7");
    const sources = await page.evaluate(async () =>
      // deno-lint-ignore no-explicit-any
      (await (globalThis as any).pwaTest.listEntries()).map((e: any) => e.source)
    );
    assert.deepEqual(sources, ["share"]);
    assert.doesNotMatch(page.url(), /shared=/, "a reload does not recognise it again");
    assert.deepEqual(errors, []);
  });
});
