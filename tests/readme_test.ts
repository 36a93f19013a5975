/** The README tells the truth about what ships: the model version and the framework's size. */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url).pathname;
const readme = Deno.readTextFileSync(`${ROOT}README.md`);

Deno.test("README - every model version it shows is the shipped model's", () => {
  const shipped = JSON.parse(Deno.readTextFileSync(`${ROOT}static/model/model.json`))
    .userDefinedMetadata.version;
  const shown = [...readme.matchAll(/"model_version":\s*"([0-9a-f]+)"/g)].map((m) => m[1]);
  assert.ok(shown.length >= 2, "the API examples show a version");
  assert.deepEqual([...new Set(shown)], [shipped]);
});
