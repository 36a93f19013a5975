import assert from "node:assert/strict";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { collectIslands, registerIsland, serializeProps } from "./islands.ts";
import { renderDocument } from "./render.ts";
import type { BuildManifest } from "./types.ts";

function Greeting(props: { name: string }) {
  return h("p", null, `Hello ${props.name}`);
}
registerIsland("Greeting", Greeting);

const manifest: BuildManifest = {
  buildId: "test",
  dev: false,
  runtime: "/_frsh/js/runtime.js",
  islands: { Greeting: { src: "/_frsh/js/Greeting.js", preload: ["/_frsh/js/chunk.js"] } },
  entries: {},
};

Deno.test("islands - wraps an island in a marker and records its props", () => {
  const { result, islands } = collectIslands(() =>
    renderToString(h("main", null, h(Greeting, { name: "Ada" })))
  );
  assert.equal(
    result,
    '<main><div data-frsh-island="Greeting" data-frsh-id="0"><p>Hello Ada</p></div></main>',
  );
  assert.deepEqual(islands, [{ name: "Greeting", props: { name: "Ada" } }]);
});

Deno.test("islands - outside a page render components are left alone", () => {
  assert.equal(renderToString(h(Greeting, { name: "x" })), "<p>Hello x</p>");
});

Deno.test("islands - props cannot close the state script", () => {
  const evil = "</script><script>alert(1)</script>\u2028&";
  const json = serializeProps({ evil });
  assert.ok(!json.includes("<"), json);
  assert.ok(!json.includes(">"), json);
  assert.ok(!json.includes("\u2028"));
  assert.deepEqual(JSON.parse(json), { evil });
});

Deno.test("islands - a page with islands gets state, runtime and preloads", () => {
  const html = renderDocument(
    h("html", null, h("head", null), h("body", null, h(Greeting, { name: "</script>" }))),
    manifest,
  );
  assert.match(html, /<link rel="modulepreload" href="\/_frsh\/js\/chunk.js">/);
  assert.match(html, /<script type="module" src="\/_frsh\/js\/runtime.js"><\/script><\/body>/);
  assert.equal(html.match(/<\/script>/g)?.length, 2, "only the two framework scripts close");
});

Deno.test("islands - a page without islands ships no script", () => {
  const html = renderDocument(h("html", null, h("head", null), h("body", null, "hi")), manifest);
  assert.ok(!html.includes("<script"), html);
  assert.ok(!html.includes("modulepreload"), html);
});
