/** The product's own pages over real HTTP. */
import assert from "node:assert/strict";
import { startTestServer } from "./helpers/server.ts";

import { buildOnce, ROOT } from "./helpers/build.ts";

Deno.test("app - home, about, 404 and the stylesheet are served", async () => {
  await buildOnce();
  const server = await startTestServer(ROOT);
  try {
    const home = await fetch(server.url + "/");
    const html = await home.text();
    assert.equal(home.status, 200);
    assert.match(html, /<title>Handwritten Digit Recognizer<\/title>/);
    assert.match(html, /<meta name="viewport"/);
    assert.match(html, /id="recognizer"/);

    const about = await (await fetch(server.url + "/about")).text();
    assert.match(about, /<h1>About<\/h1>/);
    // The privacy words stay true: a share that reaches the server is held for one pick-up.
    assert.doesNotMatch(about, /never leave/);
    assert.match(about, /picks it up,\s+once/);
    // The header's install button and status bar are the only islands on a text page.
    const islands = [...about.matchAll(/data-frsh-island="(\w+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(islands, ["AppStatus", "InstallButton"]);
    assert.match(about, /aria-current="page"[^>]*>About</, "the current page is marked in the nav");

    const missing = await fetch(server.url + "/nothing-here");
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /Page not found/);

    const css = await fetch(server.url + "/styles.css");
    assert.equal(css.headers.get("Content-Type"), "text/css; charset=utf-8");
    await css.body?.cancel();
  } finally {
    await server.close();
  }
});
