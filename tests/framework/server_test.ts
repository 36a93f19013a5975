/** Integration: the fixture app's real server on a free port, over real HTTP. */
import assert from "node:assert/strict";
import { build } from "../../framework/build.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";

const FIXTURE = new URL("../fixtures/app/", import.meta.url).pathname;

async function withServer(fn: (server: TestServer) => Promise<void>) {
  await build({ root: FIXTURE });
  const server = await startTestServer(FIXTURE);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

Deno.test("server - routes, params, layouts and middleware in Fresh's conventions", async (t) => {
  await withServer(async ({ url }) => {
    await t.step("index renders inside _app and the root layout", async () => {
      const res = await fetch(url + "/");
      const html = await res.text();
      assert.equal(res.status, 200);
      assert.match(html, /^<!DOCTYPE html><html><head><title>fixture<\/title>/);
      assert.match(html, /<div id="root-layout"><main><h1>Home<\/h1>/);
      assert.equal(res.headers.get("X-Root-Middleware"), "1");
    });
    await t.step("static segment wins over a param", async () => {
      const html = await (await fetch(url + "/blog/new")).text();
      assert.match(html, /<section id="blog-layout"><p id="new">/);
    });
    await t.step(
      "param route gets params, state from nested middleware and page() headers",
      async () => {
        const res = await fetch(url + "/blog/hello%20world");
        const html = await res.text();
        assert.match(html, /<p id="post" data-trail="root,blog">hello world<\/p>/);
        assert.equal(res.headers.get("X-Slug"), "hello world");
      },
    );
    await t.step("catch-all and route groups", async () => {
      assert.match(
        await (await fetch(url + "/files/a/b/c.txt")).text(),
        /<p id="path">a\/b\/c.txt/,
      );
      assert.match(await (await fetch(url + "/pricing")).text(), /<p id="pricing">free/);
    });
    await t.step("API handlers answer per method, others get 405", async () => {
      assert.deepEqual(await (await fetch(url + "/api/echo?q=1")).json(), { q: "1" });
      const posted = await fetch(url + "/api/echo", { method: "POST", body: "hi" });
      assert.deepEqual(await posted.json(), { got: "hi" });
      const put = await fetch(url + "/api/echo", { method: "PUT" });
      await put.body?.cancel();
      assert.equal(put.status, 405);
      // HEAD is answered wherever GET is.
      assert.equal(put.headers.get("Allow"), "POST, GET, HEAD");
    });
    await t.step("HEAD answers like GET without a body", async () => {
      const res = await fetch(url + "/pricing", { method: "HEAD" });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "");
    });
  });
});

Deno.test("server - error pages: 404 for unknown paths, 500 without the stack", async () => {
  await withServer(async (server) => {
    const missing = await fetch(server.url + "/no/such/page");
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /custom 404/);
    const thrown404 = await fetch(server.url + "/blog/missing");
    assert.equal(thrown404.status, 404);
    assert.match(await thrown404.text(), /custom 404/);
    const boom = await fetch(server.url + "/boom");
    const body = await boom.text();
    assert.equal(boom.status, 500);
    assert.match(body, /custom 500/);
    assert.ok(!body.includes("secret-stack-detail"), "no error detail in the response");
    assert.ok(!body.includes("boom.tsx"), "no stack in the response");
    assert.match(server.output(), /secret-stack-detail/, "the error is logged on the server");
    const after = await fetch(server.url + "/pricing");
    assert.equal(after.status, 200, "the server keeps working");
    await after.body?.cancel();
  });
});

Deno.test("server - static files and island bundles with the right caching", async () => {
  await withServer(async ({ url }) => {
    const manifest = await fetch(url + "/manifest.webmanifest");
    assert.equal(manifest.headers.get("Content-Type"), "application/manifest+json");
    assert.equal(manifest.headers.get("Cache-Control"), "no-cache");
    const etag = manifest.headers.get("ETag")!;
    await manifest.body?.cancel();
    const again = await fetch(url + "/manifest.webmanifest", {
      headers: { "If-None-Match": etag },
    });
    assert.equal(again.status, 304);
    await again.body?.cancel();

    const html = await (await fetch(url + "/")).text();
    const runtime = html.match(/src="(\/_frsh\/js\/frsh-runtime-\w+\.js)"/)![1];
    const js = await fetch(url + runtime, { headers: { "Accept-Encoding": "br" } });
    assert.equal(js.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
    assert.equal(js.headers.get("Content-Type"), "text/javascript; charset=utf-8");
    await js.body?.cancel();

    const css = await fetch(url + "/big.css", { headers: { "Accept-Encoding": "gzip" } });
    assert.equal(css.headers.get("Content-Encoding"), "gzip");
    await css.body?.cancel();

    for (const path of ["/%2e%2e/main.ts", "/..%2f..%2fdeno.json", "/static/hello.txt"]) {
      const res = await fetch(url + path);
      await res.body?.cancel();
      assert.equal(res.status, 404, path);
    }
  });
});

Deno.test("server - fresh.config.ts adds entries, copied files and an after-build step", async () => {
  await withServer(async ({ url }) => {
    const copied = await fetch(url + "/vendor/copied.txt");
    assert.equal(await copied.text(), "hello\n");
    const sw = await fetch(url + "/sw.js");
    assert.equal(sw.headers.get("Cache-Control"), "no-cache", "a service worker must revalidate");
    const text = await sw.text();
    const worker = text.match(/\/_frsh\/js\/extra-worker-\w+\.js/)?.[0];
    assert.ok(worker, text);
    const bundle = await fetch(url + worker);
    assert.equal(bundle.status, 200);
    await bundle.body?.cancel();
  });
});

Deno.test("server - rendered HTML pages are compressed", async () => {
  await withServer(async ({ url }) => {
    const res = await fetch(url + "/", { headers: { "Accept-Encoding": "gzip" } });
    // fetch decodes transparently; the header proves the wire was compressed.
    assert.equal(res.headers.get("Content-Encoding"), "gzip");
    assert.match(await res.text(), /Home/);
  });
});
