import assert from "node:assert/strict";
import { withPageETag } from "./page_etag.ts";

const page = (body = "<!doctype html><p>hi</p>", headers: Record<string, string> = {}) =>
  new Response(body, { headers: { "Content-Type": "text/html; charset=utf-8", ...headers } });
const get = (headers: Record<string, string> = {}) => new Request("http://localhost/", { headers });

Deno.test("page ETag - a page gets a validator and must be revalidated; the same page has the same one", async () => {
  const a = await withPageETag(get(), page());
  const b = await withPageETag(get(), page());
  assert.equal(a.status, 200);
  assert.match(a.headers.get("ETag") ?? "", /^"[\w+/]{27}"$/);
  assert.equal(a.headers.get("ETag"), b.headers.get("ETag"));
  assert.equal(a.headers.get("Cache-Control"), "no-cache");
  assert.equal(await a.text(), "<!doctype html><p>hi</p>");
  const other = await withPageETag(get(), page("<!doctype html><p>new build</p>"));
  assert.notEqual(other.headers.get("ETag"), a.headers.get("ETag"));
});

Deno.test("page ETag - a request naming the page's ETag gets a 304 without a body", async () => {
  const etag = (await withPageETag(get(), page())).headers.get("ETag")!;
  for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`]) {
    const res = await withPageETag(get({ "If-None-Match": ifNoneMatch }), page());
    assert.equal(res.status, 304, ifNoneMatch);
    assert.equal(res.body, null);
    assert.equal(res.headers.get("ETag"), etag);
  }
  const changed = await withPageETag(get({ "If-None-Match": '"stale"' }), page());
  assert.equal(changed.status, 200);
});

Deno.test("page ETag - errors, non-HTML answers and pages with their own cache policy are left alone", async () => {
  const cases = [
    new Response("nope", { status: 404, headers: { "Content-Type": "text/html" } }),
    new Response("{}", { headers: { "Content-Type": "application/json" } }),
    page("x", { "Cache-Control": "no-store" }),
    page("x", { ETag: '"mine"' }),
  ];
  for (const res of cases) assert.equal(await withPageETag(get(), res), res);
  const post = new Request("http://localhost/", { method: "POST" });
  const res = page();
  assert.equal(await withPageETag(post, res), res);
});
