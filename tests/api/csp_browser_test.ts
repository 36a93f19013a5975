/**
 * End to end: the app's pages under the security headers in headless
 * Chromium. The Content-Security-Policy must not block anything the app
 * does: its module scripts and island bundles, the JSON state block, the
 * WASM backend compiling its binary, the model download, the service worker.
 */
import assert from "node:assert/strict";
import { CONTENT_SECURITY_POLICY } from "../../lib/server/security_headers.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { startPageServer } from "../helpers/server.ts";

import { buildOnce, ROOT } from "../helpers/build.ts";

/** Where the page records `securitypolicyviolation` events. */
type Recorder = typeof globalThis & { __cspViolations: string[] };

Deno.test("csp - home (WASM backend), history and about load in Chromium without a CSP violation", async () => {
  await buildOnce();
  const server = await startPageServer(ROOT);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const g = globalThis as Recorder;
      g.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        g.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`);
      });
    });
    const messages: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) messages.push(m.text());
    });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));

    // The WASM backend is the one that needs 'wasm-unsafe-eval': ask for it.
    const home = await page.goto(server.url + "/?backend=wasm");
    assert.equal(home?.headers()["content-security-policy"], CONTENT_SECURITY_POLICY);
    await page.waitForSelector("html[data-recognizer-ready]", { timeout: 60_000 });
    const scripts = await page.evaluate(() =>
      [...document.scripts].map((s) => s.type || "classic")
    );
    assert.ok(scripts.includes("module"), "the page runs its module scripts");
    assert.ok(scripts.includes("application/json"), "and carries its JSON state block");
    for (const path of ["/history", "/about"]) {
      await page.goto(server.url + path);
      await page.waitForLoadState("load");
    }
    const violations = await page.evaluate(() => (globalThis as Recorder).__cspViolations);
    assert.deepEqual([...violations, ...messages], [], "no CSP violation reported");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
