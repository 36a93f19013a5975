/** The dev loop: editing a route restarts the dev server and the open page reloads itself. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { launchBrowser } from "../helpers/browser.ts";
import { startTestServer } from "../helpers/server.ts";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;

const page = (text: string) =>
  `export default function Home() {\n  return <p id="msg">${text}</p>;\n}\n`;

Deno.test("dev - a changed route file reloads the open page", async () => {
  // Inside tests/fixtures so the app's relative import of the framework resolves.
  const root = await Deno.makeTempDir({ dir: FIXTURES, prefix: ".tmp_dev_" });
  await Deno.mkdir(join(root, "routes"));
  await Deno.writeTextFile(
    join(root, "main.ts"),
    'import { startServer } from "../../../framework/mod.ts";\n' +
      'await startServer({ root: import.meta.dirname!, port: Number(Deno.env.get("PORT")), dev: Deno.env.get("FRESH_DEV") === "1" });\n',
  );
  await Deno.writeTextFile(join(root, "routes/index.tsx"), page("first version"));
  const server = await startTestServer(root, {}, "../../../framework/dev.ts");
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage();
    await tab.goto(server.url + "/");
    assert.equal(await tab.textContent("#msg"), "first version");
    // The dev client must be connected before the change for the reload to be seen.
    await tab.waitForSelector("html[data-frsh-dev-connected]", { state: "attached" });
    await Deno.writeTextFile(join(root, "routes/index.tsx"), page("second version"));
    await tab.waitForFunction(
      () => document.querySelector("#msg")?.textContent === "second version",
      undefined,
      { timeout: 30_000 },
    );
  } finally {
    await browser.close();
    await server.close();
    await Deno.remove(root, { recursive: true });
  }
});
