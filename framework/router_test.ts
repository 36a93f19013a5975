import assert from "node:assert/strict";
import { comparePatterns, filesForDir, matchPattern, parseRouteFile } from "./router.ts";

Deno.test("router - maps files to Hono-style patterns", () => {
  assert.equal(parseRouteFile("index.tsx")?.pattern, "/");
  assert.equal(parseRouteFile("about.tsx")?.pattern, "/about");
  assert.equal(parseRouteFile("blog/index.tsx")?.pattern, "/blog");
  assert.equal(parseRouteFile("blog/[slug].tsx")?.pattern, "/blog/:slug");
  assert.equal(parseRouteFile("files/[...path].tsx")?.pattern, "/files/:path{.+}");
  assert.equal(parseRouteFile("api/predict.ts")?.pattern, "/api/predict");
  assert.equal(parseRouteFile("(marketing)/pricing.tsx")?.pattern, "/pricing");
});

Deno.test("router - recognises the special files and their folder", () => {
  assert.deepEqual(parseRouteFile("_app.tsx"), { file: "_app.tsx", kind: "app", dir: "/" });
  assert.equal(parseRouteFile("blog/_layout.tsx")?.kind, "layout");
  assert.equal(parseRouteFile("blog/_layout.tsx")?.dir, "/blog/");
  assert.equal(parseRouteFile("api/_middleware.ts")?.kind, "middleware");
  assert.equal(parseRouteFile("_404.tsx")?.kind, "notFound");
  assert.equal(parseRouteFile("_500.tsx")?.kind, "error");
});

Deno.test("router - ignores non-route files", () => {
  assert.equal(parseRouteFile("README.md"), null);
  assert.equal(parseRouteFile("blog/_helper.ts"), null);
  assert.equal(parseRouteFile("blog/post_test.ts"), null);
});

Deno.test("router - orders static before param before catch-all", () => {
  const patterns = ["/:path{.+}", "/blog/:slug", "/blog/new", "/", "/blog"];
  const sorted = [...patterns].sort(comparePatterns);
  assert.ok(sorted.indexOf("/blog/new") < sorted.indexOf("/blog/:slug"));
  assert.ok(sorted.indexOf("/blog/:slug") < sorted.indexOf("/:path{.+}"));
  assert.equal(sorted.at(-1), "/:path{.+}");
});

Deno.test("router - extracts and decodes params", () => {
  assert.deepEqual(matchPattern("/blog/:slug", "/blog/hello%20world"), { slug: "hello world" });
  assert.deepEqual(matchPattern("/files/:path{.+}", "/files/a/b/c.png"), { path: "a/b/c.png" });
  assert.deepEqual(matchPattern("/v:version/x", "/v2/x"), { version: "2" });
  assert.deepEqual(matchPattern("/about", "/about/"), {});
  assert.equal(matchPattern("/blog/:slug", "/blog/a/b"), null);
  assert.equal(matchPattern("/blog/:slug", "/other/a"), null);
});

Deno.test("router - layouts and middleware of a folder come outermost first", () => {
  const files = ["_layout.tsx", "blog/_layout.tsx", "shop/_layout.tsx", "blog/_middleware.ts"]
    .map((f) => parseRouteFile(f)!);
  assert.deepEqual(filesForDir(files, "layout", "/blog/").map((f) => f.file), [
    "_layout.tsx",
    "blog/_layout.tsx",
  ]);
  assert.deepEqual(filesForDir(files, "middleware", "/").map((f) => f.file), []);
});
