/** End to end: headless Chromium against the fixture app's real server. */
import assert from "node:assert/strict";
import { build } from "../../framework/build.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { startTestServer } from "../helpers/server.ts";

const FIXTURE = new URL("../fixtures/app/", import.meta.url).pathname;

Deno.test("e2e - an island hydrates and reacts to clicks; a page without islands loads no script", async () => {
  await build({ root: FIXTURE });
  const server = await startTestServer(FIXTURE);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));

    await page.goto(server.url + "/");
    await page.waitForSelector("[data-frsh-island='Counter'][data-frsh-hydrated]");
    assert.equal(await page.textContent("[data-testid=count]"), "3");
    await page.click("text=+1");
    await page.click("text=+1");
    assert.equal(await page.textContent("[data-testid=count]"), "5");
    assert.equal(
      await page.textContent("[data-testid=label]"),
      "</script><script>window.__pwned=1</script>",
      "a prop string stays text",
    );
    assert.equal(await page.evaluate(() => "__pwned" in globalThis), false);

    const scripts: string[] = [];
    page.on("request", (req) => {
      if (req.resourceType() === "script") scripts.push(req.url());
    });
    await page.goto(server.url + "/static_page");
    assert.equal(await page.textContent("p"), "No islands here.");
    assert.equal(await page.evaluate(() => document.scripts.length), 0);
    assert.deepEqual(scripts, []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
