import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { createStaticHandler, etagMatches, mimeType, negotiateEncoding } from "./static_files.ts";

async function fixture() {
  const dir = await Deno.makeTempDir();
  const hashed = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/app.css`, "body { color: red; }\n".repeat(100));
  await Deno.mkdir(`${dir}/model`);
  // Random bytes do not compress; quantised weights (few distinct values) do.
  await Deno.writeFile(`${dir}/model/noise.bin`, crypto.getRandomValues(new Uint8Array(2000)));
  await Deno.writeFile(
    `${dir}/model/group1-shard1of1.bin`,
    new Uint8Array(2000).map((_, i) => i % 7),
  );
  await Deno.writeTextFile(`${hashed}/island-A-1234.js`, "export default 1;");
  const handler = await createStaticHandler([
    { dir: hashed, prefix: "/_frsh/js", immutable: true },
    { dir },
  ]);
  const get = (path: string, headers: HeadersInit = {}) =>
    handler(new Request("http://x" + path, { headers }));
  return {
    get,
    cleanup: () => Promise.all([dir, hashed].map((d) => Deno.remove(d, { recursive: true }))),
  };
}

Deno.test("static - MIME types for the app's file kinds", () => {
  assert.equal(mimeType("manifest.webmanifest"), "application/manifest+json");
  assert.equal(mimeType("tfjs-backend-wasm-simd.wasm"), "application/wasm");
  assert.equal(mimeType("model.json"), "application/json");
  assert.equal(mimeType("group1-shard1of1.bin"), "application/octet-stream");
  assert.equal(mimeType("a.JS"), "text/javascript; charset=utf-8");
});

Deno.test("static - hashed assets are immutable, the rest must revalidate", async () => {
  const { get, cleanup } = await fixture();
  const js = (await get("/_frsh/js/island-A-1234.js"))!;
  assert.equal(js.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
  const css = (await get("/app.css"))!;
  assert.equal(css.headers.get("Cache-Control"), "no-cache");
  assert.ok(css.headers.get("ETag"));
  await Promise.all([js.body?.cancel(), css.body?.cancel()]);
  await cleanup();
});

Deno.test("static - If-None-Match answers 304 without a body", async () => {
  const { get, cleanup } = await fixture();
  const first = (await get("/model/group1-shard1of1.bin"))!;
  await first.body?.cancel();
  const etag = first.headers.get("ETag")!;
  const second = (await get("/model/group1-shard1of1.bin", { "If-None-Match": etag }))!;
  assert.equal(second.status, 304);
  assert.equal(await second.text(), "");
  const changed = (await get("/model/group1-shard1of1.bin", { "If-None-Match": 'W/"other"' }))!;
  assert.equal(changed.status, 200);
  await changed.body?.cancel();
  await cleanup();
});

Deno.test("static - text is compressed with brotli or gzip as accepted", async () => {
  const { get, cleanup } = await fixture();
  const br = (await get("/app.css", { "Accept-Encoding": "gzip, deflate, br" }))!;
  assert.equal(br.headers.get("Content-Encoding"), "br");
  await br.body?.cancel();
  const gz = (await get("/app.css", { "Accept-Encoding": "gzip" }))!;
  assert.equal(gz.headers.get("Content-Encoding"), "gzip");
  const text = new TextDecoder().decode(gunzipSync(new Uint8Array(await gz.arrayBuffer())));
  assert.ok(text.startsWith("body { color: red; }"));
  const bin = (await get("/model/group1-shard1of1.bin", { "Accept-Encoding": "br" }))!;
  assert.equal(bin.headers.get("Content-Encoding"), "br", "weights that compress are compressed");
  await bin.body?.cancel();
  const noise = (await get("/model/noise.bin", { "Accept-Encoding": "br" }))!;
  assert.equal(noise.headers.get("Content-Encoding"), null, "bytes that do not compress are not");
  assert.equal((await noise.arrayBuffer()).byteLength, 2000);
  await cleanup();
});

Deno.test("static - paths that try to leave the folder are not served", async () => {
  const { get, cleanup } = await fixture();
  for (const path of ["/%2e%2e/etc/passwd", "/model/..%2fapp.css", "//etc/passwd", "/%ZZ"]) {
    assert.equal(await get(path), null, path);
  }
  await cleanup();
});

Deno.test("static - encoding negotiation and ETag comparison", () => {
  assert.equal(negotiateEncoding("gzip, br;q=0"), "gzip");
  assert.equal(negotiateEncoding("identity"), null);
  assert.equal(negotiateEncoding(null), null);
  assert.ok(etagMatches('"a", W/"b"', 'W/"b"'));
  assert.ok(etagMatches("*", 'W/"b"'));
  assert.ok(!etagMatches('"c"', 'W/"b"'));
});
