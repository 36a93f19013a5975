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

Deno.test("README - the framework's size it states is within 10 % of its lines today", () => {
  const claim = readme.match(/`framework\/` \(about ([\d,]+) lines/);
  assert.ok(claim, "the README states the size of framework/");
  let lines = 0;
  for (const e of Deno.readDirSync(`${ROOT}framework`)) {
    if (!e.name.endsWith(".ts") || e.name.endsWith("_test.ts")) continue;
    lines += Deno.readTextFileSync(`${ROOT}framework/${e.name}`).split("\n").length - 1;
  }
  const stated = Number(claim[1].replace(/,/g, ""));
  assert.ok(Math.abs(lines - stated) <= stated * 0.1, `README: about ${stated}; wc -l: ${lines}`);
});
