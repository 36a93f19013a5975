/** The security headers on every kind of response, through the app's own middleware chain. */
import assert from "node:assert/strict";
import { createApp } from "../../framework/server.ts";
import { appMiddleware } from "./middleware.ts";
import { CONTENT_SECURITY_POLICY, withSecurityHeaders } from "./security_headers.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** The CSP as a map of directive → sources. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]),
  );
}

function assertSecurityHeaders(res: Response, what: string) {
  const h = res.headers;
  assert.equal(h.get("Content-Security-Policy"), CONTENT_SECURITY_POLICY, what);
  assert.equal(h.get("X-Content-Type-Options"), "nosniff", what);
  assert.equal(h.get("Referrer-Policy"), "no-referrer", what);
  assert.match(h.get("Permissions-Policy") ?? "", /(^|, )camera=\(self\)(,|$)/, what);
  assert.equal(h.get("X-Powered-By"), null, what);
}

Deno.test("security headers - the CSP allows only the app's own scripts, plus WASM compilation", () => {
  const csp = directives(CONTENT_SECURITY_POLICY);
  assert.deepEqual(csp.get("script-src"), ["'self'", "'wasm-unsafe-eval'"]);
  assert.deepEqual(csp.get("default-src"), ["'self'"]);
  assert.deepEqual(csp.get("object-src"), ["'none'"]);
  assert.deepEqual(csp.get("worker-src"), ["'self'"]);
  assert.deepEqual(csp.get("frame-ancestors"), ["'none'"]);
  // Inline styles only: never inline or eval'd scripts.
  assert.deepEqual(csp.get("style-src"), ["'self'", "'unsafe-inline'"]);
  for (const [name, sources] of csp) {
    if (name === "style-src") continue;
    assert.ok(!sources.includes("'unsafe-inline'"), name);
    assert.ok(!sources.includes("'unsafe-eval'"), name);
    assert.ok(!sources.includes("*"), name);
  }
});

Deno.test("security headers - on pages, bundles, static files, 404s and API answers alike", async () => {
  const app = await createApp({ root: ROOT, before: appMiddleware() });
  const manifest = JSON.parse(await Deno.readTextFile(`${ROOT}_fresh/manifest.json`));
  const paths = [
    "/",
    "/about",
    manifest.runtime,
    "/styles.css",
    "/favicon.svg",
    "/model/model.json",
    "/no/such/page",
    "/api/health",
    "/api/nothing",
  ];
  for (const path of paths) {
    const res = await app(new Request("http://localhost" + path));
    await res.body?.cancel();
    assertSecurityHeaders(res, `${path} (${res.status})`);
  }
  const posted = await app(
    new Request("http://localhost/api/predict", { method: "POST", body: "x", headers: {} }),
  );
  await posted.body?.cancel();
  assertSecurityHeaders(posted, "POST /api/predict");
});

Deno.test("security headers - responses with read-only headers are copied, and X-Powered-By goes", async () => {
  const redirect = withSecurityHeaders(Response.redirect("http://localhost/elsewhere", 302));
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get("Location"), "http://localhost/elsewhere");
  assertSecurityHeaders(redirect, "redirect");
  const powered = withSecurityHeaders(
    new Response("hi", { headers: { "X-Powered-By": "Hono" } }),
  );
  assertSecurityHeaders(powered, "X-Powered-By");
  assert.equal(await powered.text(), "hi");
});
